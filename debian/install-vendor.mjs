// Installs the vendored runtime modules (vendor/NAME.mjs, made by `npm run vendor`; vendor/modules.json
// lists them) as DEST/NAME/index.mjs, each beside a minimal package.json, so that Node resolves
// `import ... from "NAME"` in the private tree to them. Prints what it installed.
// Usage: node debian/install-vendor.mjs VENDOR_DIR DEST   (DEST: .../node_modules; run in the source tree)
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const [vendor, dest] = process.argv.slice(2);
if (!vendor || !dest) throw new Error("usage: install-vendor.mjs VENDOR_DIR DEST");
const { modules } = JSON.parse(readFileSync(join(vendor, "modules.json"), "utf8"));
// Every runtime dependency of package.json, and nothing else: a dependency added without `npm run vendor`
// would only fail at run time, on the first import of it.
const wanted = Object.keys(JSON.parse(readFileSync("package.json", "utf8")).dependencies ?? {}).sort();
if (wanted.join() !== Object.keys(modules).sort().join()) {
  throw new Error(`vendor/ holds ${Object.keys(modules).sort().join(", ")}, package.json depends on ${wanted.join(", ")}: run npm run vendor where npm ci has run, and commit vendor/`);
}
for (const [name, { version, license }] of Object.entries(modules)) {
  const bundle = join(vendor, `${name}.mjs`);
  if (!existsSync(bundle)) throw new Error(`${bundle} missing: run npm run vendor where npm ci has run, and commit vendor/`);
  const dir = join(dest, name);
  mkdirSync(dir, { recursive: true });
  copyFileSync(bundle, join(dir, "index.mjs"));
  const pkg = { name, version, license, description: `${name} ${version} bundled into one ES module for debci-bridge (its vendor/${name}.mjs)`, exports: "./index.mjs" };
  writeFileSync(join(dir, "package.json"), `${JSON.stringify(pkg, null, 2)}\n`);
  console.log(`${name} ${version}`);
}
