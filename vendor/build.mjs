// Makes the vendored runtime modules of the Debian package from node_modules/ (npm ci): one readable
// (not minified) ESM bundle per runtime dependency of package.json, NAME.mjs, and modules.json (each
// bundle's version and licence, and every package bundled into it). debian/rules installs them as
// /usr/share/debci-bridge/node_modules/NAME/, so the Debian build needs nothing from npm.
// Bundled by esbuild from npm (a devDependency pinned to one version: the bytes depend on it), so
// test/vendor.test.ts can rebuild them wherever `npm ci` ran and fail when they drift.
// Usage: node vendor/build.mjs [OUTDIR]     (npm run vendor: writes vendor/)
import { build, version as esbuildVersion } from "esbuild";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const outDir = resolve(process.argv[2] ?? join(root, "vendor"));

/**
 * What each bundle exports: what Node gives `import ... from "NAME"` of the npm module (test/vendor.test.ts
 * compares the two). fast-glob is CommonJS whose module.exports is the function: Node offers it as the
 * default export only (`import fg from "fast-glob"`).
 */
const MODULES = {
  "fast-glob": 'export { default } from "fast-glob";\n',
  "json-stream-stringify": 'export * from "json-stream-stringify";\n',
  zod: 'export * from "zod";\nexport { default } from "zod";\n',
};

const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const wanted = Object.keys(pkg.dependencies ?? {}).sort();
if (wanted.join() !== Object.keys(MODULES).sort().join()) {
  throw new Error(`package.json's dependencies (${wanted.join(", ")}) are not the modules vendor/build.mjs bundles (${Object.keys(MODULES).join(", ")}): add or drop an entry in MODULES`);
}

/** The package directory a bundled input belongs to: the path up to its last node_modules/NAME (or @scope/NAME). */
function packageDir(input) {
  const m = /^(.*node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (m === null) throw new Error(`bundled input outside node_modules: ${input}`);
  return m[1];
}

function licenceText(dir) {
  const file = readdirSync(join(root, dir)).find((f) => /^licen[cs]e(\..*)?$/i.test(f));
  if (file === undefined) throw new Error(`${dir} has no LICENSE file: its licence cannot be shipped with the bundle`);
  return readFileSync(join(root, dir, file), "utf8").replace(/\r\n?/g, "\n").trim();
}

const manifest = {};
mkdirSync(outDir, { recursive: true });
for (const [name, entry] of Object.entries(MODULES)) {
  const result = await build({
    absWorkingDir: root,
    stdin: { contents: entry, resolveDir: root, sourcefile: `vendor-${name}.mjs` },
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    legalComments: "inline",
    charset: "utf8",
    metafile: true,
    write: false,
    logLevel: "warning",
  });
  const dirs = [...new Set(Object.keys(result.metafile.inputs).filter((i) => !i.startsWith("<stdin>") && i !== `vendor-${name}.mjs`).map(packageDir))].sort();
  const bundled = dirs.map((dir) => {
    const p = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8"));
    return { name: p.name, version: p.version, license: p.license, dir };
  });
  const main = bundled.find((b) => b.name === name);
  if (main === undefined) throw new Error(`the ${name} bundle holds nothing of ${name}`);
  const code = result.outputFiles[0].text;

  let header = `// ${name} ${main.version} for debci-bridge's Debian package, which installs it as\n`;
  header += `// /usr/share/debci-bridge/node_modules/${name}/. Bundled from node_modules/ by \`npm run vendor\`\n`;
  header += `// (vendor/build.mjs, esbuild ${esbuildVersion}): do not edit; test/vendor.test.ts fails when it differs\n`;
  header += "// from a fresh bundle. It holds, with their licences below:\n";
  for (const b of bundled) header += `//   ${b.name} ${b.version} (${b.license})\n`;
  for (const b of bundled) {
    const text = licenceText(b.dir);
    if (text.includes("*/")) throw new Error(`${b.dir}'s licence text holds "*/"`);
    header += `\n/* ${b.name} ${b.version}, ${b.dir}/:\n\n${text}\n*/\n`;
  }
  // A CommonJS module bundled into ESM reaches Node's built-ins (fs, path, ...) through `require`, which
  // an ES module has not: give it one.
  if (code.includes("__require(")) header += '\nimport { createRequire as __vendorCreateRequire } from "node:module";\nconst require = __vendorCreateRequire(import.meta.url);\n';
  writeFileSync(join(outDir, `${name}.mjs`), `${header}\n${code}`);
  manifest[name] = { version: main.version, license: main.license, bundled: bundled.map(({ name, version, license }) => ({ name, version, license })) };
}
writeFileSync(join(outDir, "modules.json"), `${JSON.stringify({ esbuild: esbuildVersion, modules: manifest }, null, 2)}\n`);
