// The npm package as a user gets it: `npm pack` (its prepack script builds dist/), the tarball installed
// into a fresh project WITHOUT network, then imported, type-checked and run from there.
//
// Two things keep this test from disturbing the rest of `npm test`:
// - It packs a copy of the checkout (the files the build and `files` need, node_modules symlinked), not
//   the checkout itself: prepack deletes and rebuilds dist/, which other test files are running at the
//   same time (through bin/debci-bridge.js). The copy also has no dist/ of its own, so the tarball's
//   dist/ is exactly what prepack built, without stale files.
// - The install is offline. `npm ci` leaves the runtime dependencies' tarballs in npm's cache (keyed by
//   integrity) but not their registry metadata, so a bare `npm install --offline x.tgz` fails with
//   ENOTCACHED. The temporary project therefore starts with a package-lock.json holding the entries of
//   this project's lockfile that are not dev-only (the runtime dependencies and theirs, with
//   integrity): npm then takes every tarball from the cache and resolves nothing. Its package.json
//   declares nothing, so a runtime dependency missing from debci-bridge's "dependencies" is pruned from
//   the install and its import fails below.
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { isBuiltin } from "node:module";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ROOT = new URL("..", import.meta.url).pathname.replace(/\/$/, "");
const NOW = "2026-11-25T12:00:00Z";

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The environment for a child npm: without what the npm running `npm test` sets for its scripts.
 * npm_config_local_prefix in particular would make `npm pack` pack the checkout, not its cwd.
 */
function npmEnv(): NodeJS.ProcessEnv {
  const keep = new Set(["npm_config_cache", "npm_config_userconfig", "npm_config_globalconfig", "npm_config_registry", "npm_config_cafile"]);
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if ((/^npm_/i.test(name) && !keep.has(name.toLowerCase())) || name === "INIT_CWD") continue;
    env[name] = value;
  }
  return env;
}

function run(command: string, args: string[], cwd: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env: npmEnv(), maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

async function ok(command: string, args: string[], cwd: string): Promise<Run> {
  const result = await run(command, args, cwd);
  if (result.code !== 0) throw new Error(`${command} ${args.join(" ")} (in ${cwd}) exited with ${result.code}\n${result.stderr}\n${result.stdout}`.slice(0, 8000));
  return result;
}

function filesUnder(dir: string): string[] {
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import("node:fs").Dirent[])
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

/** `npm pack --json` output: the files of the tarball. */
function packedFiles(stdout: string): { filename: string; files: string[]; size: number; unpackedSize: number } {
  const [report] = JSON.parse(stdout.slice(stdout.indexOf("["))) as { filename: string; files: { path: string }[]; size: number; unpackedSize: number }[];
  return { ...report!, files: report!.files.map((file) => file.path).sort() };
}

const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string; version: string; dependencies: Record<string, string> };

/** What `files` is to let through besides dist/: the executable, the Python client and its examples, README, the guides it links to, LICENSE. */
const NOT_DIST = [
  "LICENSE",
  "README.md",
  ...readdirSync(join(ROOT, "docs")).map((f) => `docs/${f}`),
  "bin/debci-bridge.js",
  "examples/britney2/britney.conf",
  "examples/britney2/debci_bridge.py",
  "examples/britney2/example_policy.py",
  "examples/britney2/excuses.json",
  "examples/britney2/run-britney2.sh",
  "package.json",
];

/** dist/ as the build makes it from src/: a .js and a .d.ts for each .ts (the .mjs tsx shim is for running from sources only). */
function expectedDist(): string[] {
  return filesUnder(join(ROOT, "src"))
    .filter((file) => file.endsWith(".ts"))
    .flatMap((file) => [`dist/${file.replace(/\.ts$/, ".js")}`, `dist/${file.replace(/\.ts$/, ".d.ts")}`])
    .sort();
}

let work: string;
let packed: ReturnType<typeof packedFiles>;
let installed: string;
let consumer: string;
let packSeconds: number;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "debci-bridge-npm-"));
  const checkout = join(work, "checkout");
  mkdirSync(checkout);
  for (const name of ["package.json", "package-lock.json", "tsconfig.json", "tsconfig.build.json", "README.md", "LICENSE", "docs", "src", "bin", "examples"]) {
    cpSync(join(ROOT, name), join(checkout, name), { recursive: true });
  }
  symlinkSync(join(ROOT, "node_modules"), join(checkout, "node_modules"), "dir");

  const started = Date.now();
  const pack = await ok("npm", ["pack", "--json", "--pack-destination", work], checkout);
  packSeconds = (Date.now() - started) / 1000;
  packed = packedFiles(pack.stdout);

  consumer = join(work, "consumer");
  mkdirSync(consumer);
  const lock = JSON.parse(readFileSync(join(ROOT, "package-lock.json"), "utf8")) as { packages: Record<string, { dev?: boolean; devOptional?: boolean }> };
  const runtime = Object.fromEntries(Object.entries(lock.packages).filter(([path, entry]) => path.startsWith("node_modules/") && !entry.dev && !entry.devOptional));
  writeFileSync(join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }, null, 2));
  writeFileSync(join(consumer, "package-lock.json"), JSON.stringify({ name: "consumer", lockfileVersion: 3, requires: true, packages: { "": { name: "consumer" }, ...runtime } }, null, 2));
  const install = await run("npm", ["install", "--offline", "--no-audit", "--no-fund", "--ignore-scripts", join(work, packed.filename)], consumer);
  if (install.code !== 0) {
    const hint = /ENOTCACHED/.test(install.stderr) ? "\nnpm's cache lacks a runtime dependency's tarball: run `npm ci` in the checkout first (it fills the cache)." : "";
    throw new Error(`npm install of the tarball failed (${install.code})${hint}\n${install.stderr}`.slice(0, 8000));
  }
  installed = join(consumer, "node_modules", pkg.name);
}, 240_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe("the npm package, installed from its tarball", () => {
  it("holds dist/ as built from src/ (JS, .d.ts, the worker thread's file), bin, the Python client and examples, README and LICENSE: nothing else", () => {
    console.log(`npm pack (prepack builds dist/): ${packSeconds.toFixed(1)} s; ${packed.files.length} files, ${packed.size} bytes packed, ${packed.unpackedSize} unpacked`);
    expect(packed.files.filter((file) => !file.startsWith("dist/"))).toEqual([...NOT_DIST].sort());
    // The README's links (to the guides, the screenshot) resolve inside the package too.
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    for (const [, link] of readme.matchAll(/\]\(([^)#:\s]+)(?:#[^)]*)?\)/g)) expect(packed.files, `README.md links to ${link}`).toContain(link);
    expect(packed.files.filter((file) => file.startsWith("dist/"))).toEqual(expectedDist());
    expect(packed.files).toContain("dist/store/results-worker.js"); // the worker thread dist/store/load-results.js starts
    expect(packed.files.filter((file) => /\.test\.|(^|\/)test\//.test(file))).toEqual([]);
    expect(filesUnder(installed)).toEqual(packed.files);
  });

  it("packed from the checkout, whatever else its tree holds, lists only what `files` lets through", async () => {
    // --ignore-scripts: list the checkout's dist/ as it is, without rebuilding it under the other tests.
    const listed = packedFiles((await ok("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], ROOT)).stdout).files;
    expect(listed.filter((file) => !file.startsWith("dist/"))).toEqual([...NOT_DIST].sort());
    expect(listed).toContain("dist/index.js");
    expect(listed.filter((file) => file.startsWith("dist/") && !/\.(js|d\.ts)$/.test(file))).toEqual([]);
    expect(listed.filter((file) => /\.test\.|(^|\/)test\//.test(file))).toEqual([]);
  });

  it("declares as dependencies exactly the packages dist/ imports", () => {
    const imported = new Set<string>();
    for (const file of filesUnder(join(installed, "dist")).filter((name) => name.endsWith(".js"))) {
      const text = readFileSync(join(installed, "dist", file), "utf8");
      for (const { fileName: specifier } of ts.preProcessFile(text, true, true).importedFiles) {
        if (specifier.startsWith(".") || specifier.startsWith("/") || isBuiltin(specifier)) continue;
        const parts = specifier.split("/");
        imported.add(specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!);
      }
    }
    expect([...imported].sort()).toEqual(Object.keys(pkg.dependencies).sort());
  });

  it("imports from \"debci-bridge\" in plain Node and answers a key, the results worker thread included", async () => {
    const small = join(work, "demo-state");
    cpSync(join(ROOT, "testdata/demo/state"), small, { recursive: true });
    // Eight results files or more are loaded on two threads: the same two files again under other names.
    const many = join(work, "demo-state-many");
    cpSync(join(ROOT, "testdata/demo/state"), many, { recursive: true });
    for (const name of readdirSync(join(many, "results"))) {
      for (const copy of [1, 2, 3]) cpSync(join(many, "results", name), join(many, "results", name.replace(/\.json$/, `-${copy}.json`)));
    }
    expect(readdirSync(join(many, "results")).length).toBeGreaterThanOrEqual(8);
    const script = `
      import { openSession, compareDebianVersions } from "debci-bridge";
      const now = Date.parse(${JSON.stringify(NOW)});
      const out = [];
      for (const stateDir of process.argv.slice(2)) {
        const session = await openSession({ stateDir, mode: "read-only", now });
        out.push({ answer: session.answer({ arch: "amd64", package: "baz", trigger: "glibc/2.41-7" }), warnings: session.warnings });
        session.close();
      }
      console.log(JSON.stringify({ out, order: compareDebianVersions("1.0-1", "1.0~rc1-1") }));
    `;
    writeFileSync(join(consumer, "answer.js"), script);
    const result = await ok(process.execPath, ["answer.js", small, many], consumer);
    const { out, order } = JSON.parse(result.stdout) as { out: { answer: { state: string; runId?: number }; warnings: string[] }[]; order: number };
    expect(out[0]!.answer).toMatchObject({ package: "baz", state: "pass", result: "PASS", runId: 5020 });
    expect(out[1]!.answer).toEqual(out[0]!.answer);
    expect(out.map((session) => session.warnings)).toEqual([[], []]);
    expect(order).toBeGreaterThan(0);
    expect(result.stderr).toBe("");
    // The same program given on the command line: the worker thread no longer inherits --input-type (Node refuses it there).
    const inline = await ok(process.execPath, ["--input-type=module", "-e", script.replace("process.argv.slice(2)", "process.argv.slice(1)"), small, many], consumer);
    expect((JSON.parse(inline.stdout) as { out: { warnings: string[] }[] }).out.map((session) => session.warnings)).toEqual([[], []]);
  });

  it("type-checks a strict TypeScript file importing from \"debci-bridge\" (nodenext)", async () => {
    writeFileSync(
      join(consumer, "use.ts"),
      `import { openSession, compareDebianVersions, InputError, type Answer, type SessionOptions } from "debci-bridge";
const options: SessionOptions = { stateDir: "/srv/britney/debci", mode: "read-only", now: Date.now() };
const session = await openSession(options);
const answer: Answer = session.answer({ arch: "amd64", package: "baz", trigger: "glibc/2.41-7" });
const known: boolean = answer.outcome !== undefined && compareDebianVersions("1", "2") < 0;
export const result: [boolean, boolean] = [known, new InputError("x") instanceof Error];
`,
    );
    const tsc = join(ROOT, "node_modules/.bin/tsc");
    const check = await run(tsc, ["--module", "nodenext", "--moduleResolution", "nodenext", "--target", "es2022", "--strict", "--noEmit", "use.ts"], consumer);
    expect(check.stdout + check.stderr).toBe("");
    expect(check.code).toBe(0);
  });

  it("runs the installed bin: --version and a scratch plan of the demo", async () => {
    const bin = join(consumer, "node_modules/.bin/debci-bridge");
    expect((await ok(bin, ["--version"], consumer)).stdout).toBe(`debci-bridge ${pkg.version}\n`);
    const state = join(work, "plan-state");
    cpSync(join(ROOT, "testdata/demo/state"), state, { recursive: true });
    const scratch = join(work, "scratch");
    mkdirSync(scratch);
    const plan = await ok(bin, ["plan", "--state", state, "--needs", join(ROOT, "testdata/demo/needs.jsonl"), "--now", NOW, "--scratch", scratch], consumer);
    expect(plan.stdout.trim().split("\n")).toHaveLength(9);
    expect(plan.stderr).toMatch(/^debci-bridge plan \(scratch\): 9 need\(s\): .*; 3 request\(s\) written to .*; 0 warning\(s\)\n$/);
    expect(readdirSync(scratch)).toHaveLength(2);
    expect(existsSync(join(state, "outbox"))).toBe(false);
  });
});
