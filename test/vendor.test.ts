// vendor/: the runtime modules as the Debian package ships them (debian/rules installs vendor/NAME.mjs as
// /usr/share/debci-bridge/node_modules/NAME/), made from node_modules by `npm run vendor`. They must not
// drift from the npm modules `npm test` runs with, must give src/ every name it imports, and their
// licences must be in debian/copyright.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "..");
const vendor = join(root, "vendor");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { dependencies: Record<string, string> };
const names = Object.keys(pkg.dependencies).sort();

interface Manifest {
  esbuild: string;
  modules: Record<string, { version: string; license: string; bundled: Array<{ name: string; version: string; license: string }> }>;
}
const manifest = JSON.parse(readFileSync(join(vendor, "modules.json"), "utf8")) as Manifest;

const load = async (specifier: string): Promise<Record<string, unknown>> => (await import(specifier)) as Record<string, unknown>;
const vendored = (name: string) => load(pathToFileURL(join(vendor, `${name}.mjs`)).href);

describe("vendor/ (the Debian package's runtime modules)", () => {
  let fresh = "";
  beforeAll(() => {
    fresh = mkdtempSync(join(tmpdir(), "debci-bridge-vendor-"));
    execFileSync(process.execPath, [join(vendor, "build.mjs"), fresh], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
  });
  afterAll(() => {
    if (fresh) rmSync(fresh, { recursive: true, force: true });
  });

  it("holds one bundle per runtime dependency of package.json, and nothing else but its manifest and build script", () => {
    expect(readdirSync(vendor).sort()).toEqual(["build.mjs", "modules.json", ...names.map((n) => `${n}.mjs`)].sort());
    expect(Object.keys(manifest.modules).sort()).toEqual(names);
  });

  it("equals, byte for byte, a fresh bundle of node_modules (after a dependency upgrade: npm run vendor)", () => {
    expect(readdirSync(fresh).sort()).toEqual(readdirSync(vendor).filter((f) => f !== "build.mjs").sort());
    for (const file of readdirSync(fresh)) {
      const same = readFileSync(join(fresh, file)).equals(readFileSync(join(vendor, file)));
      expect(same, `vendor/${file} differs from a fresh bundle of node_modules: run \`npm run vendor\` and commit vendor/`).toBe(true);
    }
  });

  it("bundles the versions node_modules holds, and is readable (not minified)", () => {
    for (const name of names) {
      const installed = JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")) as { version: string };
      expect(manifest.modules[name]!.version, name).toBe(installed.version);
      const text = readFileSync(join(vendor, `${name}.mjs`), "utf8");
      expect(text.startsWith(`// ${name} ${installed.version} `), name).toBe(true);
      const lines = text.split("\n");
      expect(lines.filter((l) => l.length > 1000), `${name}: minified lines`).toEqual([]);
    }
  });

  it("exports what Node gives an import of the npm module", async () => {
    for (const name of names) {
      expect(Object.keys(await vendored(name)).sort(), name).toEqual(Object.keys(await load(name)).sort());
    }
  });

  it("gives src/ every name it imports from each module", async () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) walk(join(dir, entry.name));
        else if (/\.(ts|mjs|js)$/.test(entry.name)) files.push(join(dir, entry.name));
      }
    };
    walk(join(root, "src"));
    const imported = new Map<string, Set<string>>(names.map((n) => [n, new Set()]));
    for (const file of files) {
      for (const m of readFileSync(file, "utf8").matchAll(/^import\s+(type\s+)?([^;]*?)\s+from\s+"([^"]+)";/gm)) {
        const [, typeOnly, clause, from] = m;
        if (typeOnly || !imported.has(from!)) continue;
        const names = imported.get(from!)!;
        const named = /\{([^}]*)\}/.exec(clause!);
        const head = clause!.replace(/\{[^}]*\}/, "").replace(/,\s*$/, "").trim();
        if (head !== "" && !head.startsWith("* as ")) names.add("default");
        for (const part of named?.[1]?.split(",") ?? []) {
          const spec = part.trim();
          if (spec === "" || spec.startsWith("type ")) continue;
          names.add(spec.split(/\s+as\s+/)[0]!);
        }
      }
    }
    // What src/ is known to import today: a name that vanished here means the scan broke.
    expect([...imported.get("zod")!]).toContain("z");
    expect([...imported.get("fast-glob")!]).toContain("default");
    expect([...imported.get("json-stream-stringify")!]).toContain("JsonStreamStringify");
    for (const [name, wanted] of imported) {
      const exported = Object.keys(await vendored(name));
      for (const w of wanted) expect(exported, `src/ imports ${w} from "${name}"`).toContain(w);
    }
  });

  it("works: zod parses, fast-glob finds files, json-stream-stringify streams", async () => {
    const { z } = (await vendored("zod")) as { z: typeof import("zod").z };
    expect(z.object({ a: z.number() }).safeParse({ a: "x" }).success).toBe(false);
    const fg = (await vendored("fast-glob")).default as typeof import("fast-glob");
    expect(await fg("vendor/*.mjs", { cwd: root })).toContain("vendor/zod.mjs");
    const { JsonStreamStringify } = (await vendored("json-stream-stringify")) as typeof import("json-stream-stringify");
    let out = "";
    for await (const chunk of new JsonStreamStringify({ a: [1, "b"] })) out += String(chunk);
    expect(out).toBe('{"a":[1,"b"]}');
  });

  it("has its licences in debian/copyright: every bundled package named in its file's stanza, with its licence", () => {
    const stanzas = readFileSync(join(root, "debian", "copyright"), "utf8").split(/\n\s*\n/);
    const dep5 = (license: string) => ({ MIT: "Expat", ISC: "ISC" })[license] ?? license;
    for (const name of names) {
      const stanza = stanzas.find((s) => new RegExp(`^Files:.*\\svendor/${name}\\.mjs(\\s|$)`, "m").test(s) || s.startsWith(`Files: vendor/${name}.mjs`));
      expect(stanza, `debian/copyright has no "Files: vendor/${name}.mjs" stanza`).toBeDefined();
      const license = /^License:\s*(.*)$/m.exec(stanza!)?.[1] ?? "";
      for (const b of manifest.modules[name]!.bundled) {
        expect(stanza, `debian/copyright's vendor/${name}.mjs stanza does not name ${b.name}`).toContain(b.name);
        expect(license.split(/\s+and\s+/), `debian/copyright's vendor/${name}.mjs: ${b.name} is ${b.license}`).toContain(dep5(b.license));
        expect(stanzas.some((s) => s.startsWith(`License: ${dep5(b.license)}\n`)), `debian/copyright has no text of ${dep5(b.license)}`).toBe(true);
      }
    }
  });
});
