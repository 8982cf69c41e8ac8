// Copies the runtime dependencies of package.json (dependencies, recursively, as
// Node would resolve them from the project's node_modules) into DEST/node_modules,
// keeping the nested layout; devDependencies are never reached. Drops what
// nothing imports: docs (their licenses are in debian/copyright), tests,
// benchmarks, examples, lint and editor files.
// Usage: node debian/copy-runtime-deps.mjs DEST
import { cpSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";

const root = process.cwd();
const dest = process.argv[2];
if (!dest) throw new Error("usage: copy-runtime-deps.mjs DEST");

const dropNames = /^(readme|changelog|changes|history|license|licence|security|contributing|authors)(\..*)?$/i;
const dropDirs = new Set(["test", "tests", "__tests__", "benchmarks", "bench", "example", "examples", ".github", "node_modules"]);
const dropFiles = /^(\.[^/]*|bench\.js|example\.m?js|eslint\.config\.[cm]?js|tsconfig\.json|.*\.md|.*\.markdown|.*\.map)$/i;

function readPkg(dir) {
  return JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
}

/** Node's lookup: DIR/node_modules/NAME, then each parent's, up to the project root. */
function resolvePkg(name, fromDir) {
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
    if (dir === root || dirname(dir) === dir) throw new Error(`${name} not found from ${relative(root, fromDir) || "."}: run npm ci`);
  }
}

const seen = new Set();
function visit(dir) {
  const pkg = readPkg(dir);
  const deps = { ...(pkg.dependencies ?? {}), ...(pkg.optionalDependencies ?? {}) };
  for (const name of Object.keys(deps)) {
    let found;
    try {
      found = resolvePkg(name, dir);
    } catch (error) {
      if (name in (pkg.optionalDependencies ?? {})) continue;
      throw error;
    }
    if (seen.has(found)) continue;
    seen.add(found);
    const target = join(dest, relative(root, found));
    mkdirSync(target, { recursive: true });
    cpSync(found, target, {
      recursive: true,
      dereference: true,
      filter: (src) => {
        if (src === found) return true;
        const rel = relative(found, src);
        const base = basename(src);
        if (rel.split("/").some((part) => dropDirs.has(part))) return false;
        if (base === "package.json") return true;
        return !dropNames.test(base) && !dropFiles.test(base);
      },
    });
    visit(found);
  }
}
visit(root);
for (const dir of [...seen].sort()) console.log(relative(root, dir));
