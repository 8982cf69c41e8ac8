// The Debian package (debian/): built with dpkg-buildpackage in a temporary copy of the tree (the checkout
// is untouched) that has no node_modules/ (nothing from npm: Debian's esbuild and the bundles of vendor/),
// without network where `unshare --net` may be used; checked by lintian, installed with apt-get, run from
// the installed files, purged; `debian/rules clean` restores the copy; then the package's own autopkgtest
// (debian/tests/) runs on the installed .deb as ci.debian.net would: `autopkgtest DEB SRC -- null`.
// Run: npm run test:deb (as root, with the Build-Depends, lintian and autopkgtest installed; see .ci/run).
import { createHash } from "node:crypto";
import { execFileSync, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { chmodSync, chownSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeDebci } from "../support/fake-debci.js";
import { octal, spawnCliAs, unsharedEntries } from "../support/shared-state.js";

const enabled = process.env.DEB_PACKAGE_TEST === "1";
const root = resolve(import.meta.dirname, "../..");
const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
const aptEnv = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
/** For the Debian tools (dpkg-buildpackage, autopkgtest): a system's environment, not vitest's or npm's. */
const debianEnv = { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", HOME: process.env.HOME ?? "/root", LANG: "C.UTF-8", DEBIAN_FRONTEND: "noninteractive" };
/** git on the checkout, whoever owns it (root runs this test; the checkout may be a user's). */
const git = (args: string[], input?: string) => run("git", ["-c", "safe.directory=*", "-C", root, ...args], input === undefined ? {} : { input });

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {}): SpawnSyncReturns<string> {
  return spawnSync(command, args, { encoding: "utf8", maxBuffer: 64 << 20, ...options });
}

function must(result: SpawnSyncReturns<string>, what: string): string {
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${what}: exit ${result.status}\n--- stdout\n${result.stdout.slice(-4000)}\n--- stderr\n${result.stderr.slice(-4000)}`);
  }
  return result.stdout;
}

const installed = () => run("dpkg-query", ["-W", "-f=${Status}", "debci-bridge"]).stdout.includes("install ok installed");

/** Every file under dir (relative path → mode and sha256), and every directory (→ "dir"). */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      const rel = relative(dir, p);
      if (entry.isDirectory()) {
        out.set(`${rel}/`, "dir");
        walk(p);
      } else {
        out.set(rel, `${(statSync(p).mode & 0o7777).toString(8)} ${createHash("sha256").update(readFileSync(p)).digest("hex")}`);
      }
    }
  };
  walk(dir);
  return out;
}

/** What differs between two snapshots: added, removed and changed paths. */
function changes(before: Map<string, string>, after: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [path, v] of after) if (!before.has(path)) out.push(`+ ${path}`);
  else if (before.get(path) !== v) out.push(`~ ${path}`);
  for (const path of before.keys()) if (!after.has(path)) out.push(`- ${path}`);
  return out.sort();
}

/** Bytecode of the Python client in dist-packages (python3 writes it there when root imports the module). */
function clientBytecode(): string[] {
  const pycache = "/usr/lib/python3/dist-packages/__pycache__";
  return existsSync(pycache) ? readdirSync(pycache).filter((f) => f.startsWith("debci_bridge.")).sort() : [];
}

/** The checkout's own build outputs and the parent directory's debci-bridge_* files, as they are now. */
function checkoutOutputs(): string[] {
  const inDebian = ["build", "debci-bridge", ".debhelper", "debhelper-build-stamp", "files"].filter((f) => existsSync(join(root, "debian", f)));
  const parent = readdirSync(resolve(root, "..")).filter((f) => f.startsWith("debci-bridge_"));
  return [...inDebian.map((f) => `debian/${f}`), ...parent.map((f) => `../${f}`)].map((f) => {
    const path = resolve(root, f);
    return `${f} ${statSync(path).mtimeMs}`;
  });
}

/**
 * The files of the tree as it is, uncommitted edits included: what git tracks and what it would track
 * (untracked files not ignored), so no node_modules/, dist/ or build output of a manual build.
 */
function treeFiles(): string[] {
  const listed = existsSync(join(root, ".git")) ? git(["ls-files", "-z", "--cached", "--others", "--exclude-standard"]) : null;
  if (listed?.status === 0) {
    return [...new Set(listed.stdout.split("\0"))].filter((f) => f !== "" && existsSync(join(root, f)) && !statSync(join(root, f)).isDirectory());
  }
  const skip = /^(node_modules|\.git|dist|bench\/out|debian\/(build|debci-bridge|\.debhelper|debhelper-build-stamp|files|.*\.substvars|.*\.debhelper))(\/|$)|\.tgz$/;
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const rel = relative(root, join(d, entry.name));
      if (skip.test(rel)) continue;
      if (entry.isDirectory()) walk(join(d, entry.name));
      else out.push(rel);
    }
  };
  walk(root);
  return out;
}

const STATE = "/var/lib/debci-bridge";
const KEY_DIR = "/etc/debci-bridge";
/** britney2's user on the release host, for the test of one state shared by two users. */
const BRITNEY = "dbtest-britney";

describe.skipIf(!enabled)("Debian package", () => {
  let work = "";
  let src = "";
  let deb = "";
  let pristine = new Map<string, string>();
  let built = new Map<string, string>();
  let outputsBefore: string[] = [];
  let offline = false;
  let bytecodeBefore: string[] = [];
  const timings: Record<string, number> = {};
  const timed = <T>(name: string, fn: () => T): T => {
    const start = Date.now();
    try {
      return fn();
    } finally {
      timings[name] = Date.now() - start;
    }
  };

  beforeAll(() => {
    if (process.getuid?.() !== 0) throw new Error("the Debian package test installs a package: run it as root");
    if (installed()) throw new Error("debci-bridge is already installed here: remove it first (apt-get remove --purge debci-bridge)");
    outputsBefore = checkoutOutputs();
    bytecodeBefore = clientBytecode();
    work = mkdtempSync(join(tmpdir(), "debci-bridge-deb-"));
    src = join(work, "debci-bridge");
    // The tree as a clean checkout has it: no node_modules/ (nothing from npm), no dist/, no build output.
    for (const file of treeFiles()) {
      mkdirSync(dirname(join(src, file)), { recursive: true });
      cpSync(join(root, file), join(src, file));
    }
    pristine = snapshot(src);
    // No network for the build where a network namespace may be made (root, and not forbidden here).
    offline = run("unshare", ["--net", "true"]).status === 0;
    if (!offline) console.log("unshare --net is not permitted here: the build runs with the network (it should use none)");
    // The source package and the binary one, as a Debian build makes them.
    const [command, args] = offline ? ["unshare", ["--net", "dpkg-buildpackage", "-us", "-uc"]] : ["dpkg-buildpackage", ["-us", "-uc"]];
    timed("dpkg-buildpackage", () => must(run(command, args, { cwd: src, env: debianEnv }), `${offline ? "unshare --net " : ""}dpkg-buildpackage -us -uc`));
    expect(readdirSync(work).filter((f) => /^debci-bridge_.*\.(dsc|tar\.xz)$/.test(f)).sort(), "the source package").toEqual([`debci-bridge_${version}.dsc`, `debci-bridge_${version}.tar.xz`]);
    built = snapshot(src);
    const debs = readdirSync(work).filter((f) => /^debci-bridge_.*_all\.deb$/.test(f));
    expect(debs).toEqual([`debci-bridge_${version}_all.deb`]);
    deb = join(work, debs[0]!);
  });

  afterAll(() => {
    console.log("timings (ms):", timings);
    if (installed()) run("apt-get", ["remove", "--purge", "-y", "debci-bridge"], { env: aptEnv });
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("builds without touching the checkout", () => {
    // Outputs of a manual dpkg-buildpackage in the checkout (debian/build, ../debci-bridge_*.deb, ...) may
    // be there already: this test only asks that the build in the copy made or changed none of them.
    expect(
      checkoutOutputs(),
      "the build in the temporary copy made or changed these in the checkout (its debian/ or ../debci-bridge_*): a path in " +
        "debian/rules or in this test reaches the checkout; fix that path. (Outputs of your own dpkg-buildpackage in the checkout " +
        "do not fail this test; `debian/rules clean` and `rm ../debci-bridge_*` remove them.)",
    ).toEqual(outputsBefore);
  });

  it("builds from the source alone: no node_modules/ (nothing from npm), and no network where unshare --net is permitted", () => {
    expect(existsSync(join(src, "node_modules")), "the copy has no node_modules/").toBe(false);
    expect(existsSync(join(src, "vendor", "modules.json")), "the copy has vendor/").toBe(true);
    console.log(offline ? "built in a network namespace of its own (unshare --net): no network" : "built with the network there (unshare --net not permitted)");
  });

  it("writes only what .gitignore lists, and `debian/rules clean` restores the tree exactly", () => {
    const made = changes(pristine, built);
    expect(made.filter((c) => !c.startsWith("+ ")), "the build changed or removed files of the tree").toEqual([]);
    if (existsSync(join(root, ".git"))) {
      const paths = made.map((c) => c.slice(2)).filter((p) => !p.endsWith("/")); // files: a directory matches through them
      const ignored = new Set(must(git(["check-ignore", "--no-index", "--stdin"], `${paths.join("\n")}\n`), "git check-ignore").split("\n"));
      expect(paths.filter((p) => !ignored.has(p)), "build outputs that .gitignore does not list: add them there").toEqual([]);
    }
    must(run("debian/rules", ["clean"], { cwd: src, env: debianEnv }), "debian/rules clean");
    expect(changes(pristine, snapshot(src)), "left by the build after debian/rules clean: have override_dh_auto_clean remove it").toEqual([]);
  });

  it("has no lintian errors", () => {
    const result = timed("lintian", () => run("lintian", ["--fail-on", "error", deb]));
    console.log(`lintian ${deb}:\n${result.stdout}${result.stderr}`);
    expect(result.stdout).not.toMatch(/^E: /m);
    expect(result.status).toBe(0);
  });

  it("ships the files in their places, and Depends on nodejs (>= 20) only", () => {
    const depends = must(run("dpkg-deb", ["-f", deb, "Depends"]), "dpkg-deb -f");
    expect(depends.trim()).toBe("python3:any, nodejs (>= 20), adduser");
    const files = must(run("dpkg-deb", ["-c", deb]), "dpkg-deb -c")
      .split("\n")
      .map((line) => line.split(/\s+/)[5]?.replace(/^\./, ""))
      .filter((f): f is string => !!f);
    for (const f of [
      "/usr/bin/debci-bridge",
      "/usr/share/debci-bridge/bin/debci-bridge.js",
      "/usr/share/debci-bridge/dist/cli/main.js",
      "/usr/share/debci-bridge/package.json",
      "/usr/share/debci-bridge/dist/store/results-worker.js",
      "/usr/share/debci-bridge/node_modules/fast-glob/package.json",
      "/usr/share/debci-bridge/node_modules/fast-glob/index.mjs",
      "/usr/share/debci-bridge/node_modules/zod/package.json",
      "/usr/share/debci-bridge/node_modules/zod/index.mjs",
      "/usr/share/debci-bridge/node_modules/json-stream-stringify/package.json",
      "/usr/share/debci-bridge/node_modules/json-stream-stringify/index.mjs",
      "/usr/lib/python3/dist-packages/debci_bridge.py",
      "/usr/share/man/man1/debci-bridge.1.gz",
      "/usr/share/man/man1/debci-bridge-plan.1.gz",
      "/usr/share/man/man1/debci-bridge-fetch.1.gz",
      "/usr/share/man/man5/debci-bridge.json.5.gz",
      "/usr/share/doc/debci-bridge/examples/britney.conf",
      "/usr/share/doc/debci-bridge/copyright",
      // Uncompressed, so that file:///usr/share/doc/debci-bridge/README.md and its relative links resolve.
      "/usr/share/doc/debci-bridge/README.md",
      ...readdirSync(join(root, "docs")).map((f) => `/usr/share/doc/debci-bridge/docs/${f}`),
    ]) {
      expect(files, f).toContain(f);
    }
    // The whole private node_modules is the vendored bundles: one directory per runtime dependency.
    const modules = files.filter((f) => /^\/usr\/share\/debci-bridge\/node_modules\/[^/]+\/[^/]+$/.test(f)).sort();
    const deps = Object.keys((JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies);
    expect(modules).toEqual(deps.flatMap((d) => [`/usr/share/debci-bridge/node_modules/${d}/index.mjs`, `/usr/share/debci-bridge/node_modules/${d}/package.json`]).sort());
    if (existsSync(join(root, "debian", "debci-bridge.tmpfiles"))) expect(files).toContain("/usr/lib/tmpfiles.d/debci-bridge.conf");
    // No build tool and no test framework in the private node_modules: only the runtime closure.
    for (const dev of ["typescript", "vitest", "tsx", "fast-check", "@types"]) {
      expect(files.some((f) => f.startsWith(`/usr/share/debci-bridge/node_modules/${dev}/`)), dev).toBe(false);
    }
    // The systemd units and the environment file of systemd/, whichever exist.
    const systemdDir = join(root, "systemd");
    const units = existsSync(systemdDir) ? readdirSync(systemdDir).filter((f) => /\.(service|timer)$/.test(f)) : [];
    for (const unit of units) expect(files).toContain(`/lib/systemd/system/${unit}`);
    if (existsSync(join(systemdDir, "debci-bridge.default"))) expect(files).toContain("/etc/default/debci-bridge");
  });

  it("installs with apt-get and runs from the installed files", () => {
    timed("apt-get install", () => must(run("apt-get", ["install", "-y", deb], { env: aptEnv }), "apt-get install"));
    expect(installed()).toBe(true);
    const cwd = mkdtempSync(join(work, "cwd-"));
    // PATH as a service would have it: nothing from the checkout, nothing from npm.
    // No bytecode: as root, python3 would write a __pycache__ into dist-packages that no package owns.
    const env = { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", HOME: cwd, LANG: "C.UTF-8", PYTHONDONTWRITEBYTECODE: "1" };

    expect(must(run("/usr/bin/debci-bridge", ["--version"], { cwd, env }), "debci-bridge --version").trim()).toBe(`debci-bridge ${version}`);
    // The units' user, made by the postinst: a system user whose home is the state.
    expect(must(run("getent", ["passwd", "debci-bridge"], { cwd, env }), "getent passwd debci-bridge")).toMatch(/^debci-bridge:x:\d+:\d+:.*:\/var\/lib\/debci-bridge:/);

    const state = join(work, "state");
    cpSync(join(root, "testdata/demo/state"), state, { recursive: true });
    const scratch = join(work, "scratch");
    mkdirSync(scratch);
    const needs = join(root, "testdata/demo/needs.jsonl");
    const demo = timed("demo", () =>
      must(
        run("/usr/bin/debci-bridge", ["plan", "--state", state, "--needs", needs, "--now", "2026-11-25T12:00:00Z", "--scratch", scratch], { cwd, env }),
        "the demo",
      ),
    );
    const answers = demo.trim().split("\n").map((line) => JSON.parse(line) as unknown);
    const needCount = readFileSync(needs, "utf8").split("\n").filter((l) => l.trim() !== "").length;
    expect(answers).toHaveLength(needCount);
    expect(readdirSync(scratch).length).toBeGreaterThan(0);

    // britney2's side: Debian's python3 imports the client from dist-packages, and it finds /usr/bin/debci-bridge.
    const py = must(
      run(
        "/usr/bin/python3",
        ["-c", "import debci_bridge, json, shutil; print(json.dumps([debci_bridge.__file__, debci_bridge.default_command(), shutil.which(debci_bridge.default_command()[0])]))"],
        { cwd, env },
      ),
      "python3 -c 'import debci_bridge'",
    );
    expect(JSON.parse(py)).toEqual(["/usr/lib/python3/dist-packages/debci_bridge.py", ["debci-bridge"], "/usr/bin/debci-bridge"]);

    expect(must(run("man", ["-w", "debci-bridge"], { env }), "man -w").trim()).toBe("/usr/share/man/man1/debci-bridge.1.gz");
    expect(must(run("man", ["-w", "5", "debci-bridge.json"], { env }), "man -w 5").trim()).toBe("/usr/share/man/man5/debci-bridge.json.5.gz");
    // The admin guide, as the units' Documentation= names it, the README, and every relative link in each, on the installed system.
    const doc = "/usr/share/doc/debci-bridge";
    for (const page of ["README.md", "docs/admin.md", "docs/britney2.md", "docs/reference.md"]) {
      const text = readFileSync(join(doc, page), "utf8");
      const links = [...text.matchAll(/\]\(([^)#:\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!);
      expect(links.length, page).toBeGreaterThan(0);
      for (const link of links) expect(existsSync(join(doc, page, "..", link)), `${page} links to ${link}`).toBe(true);
    }
    expect(readFileSync(join(doc, "README.Debian"), "utf8")).toContain("/usr/share/doc/debci-bridge/docs/admin.md");
    const conffiles = must(run("dpkg-query", ["-W", "-f=${Conffiles}", "debci-bridge"]), "dpkg-query");
    if (existsSync(join(root, "systemd", "debci-bridge.default"))) expect(conffiles).toContain("/etc/default/debci-bridge");
    // Installed, not enabled: no timer is wanted by anything.
    const wants = "/etc/systemd/system/timers.target.wants";
    const enabled = existsSync(wants) ? readdirSync(wants).filter((f) => f.startsWith("debci-bridge")) : [];
    expect(enabled).toEqual([]);
  });

  it("makes the shared state and the key's directory at install; britney2's user in the group commits while the timers' commands run as debci-bridge", async () => {
    // tmpfiles.d and the postinst: the state 2770 debci-bridge:debci-bridge, the key's directory 0750 root:debci-bridge.
    const mode = (p: string) => statSync(p).mode & 0o7777;
    const group = Number(must(run("getent", ["group", "debci-bridge"]), "getent group").split(":")[2]);
    const bridgeUid = Number(must(run("id", ["-u", "debci-bridge"]), "id -u").trim());
    expect([octal(mode(STATE)), statSync(STATE).uid, statSync(STATE).gid]).toEqual(["02770", bridgeUid, group]);
    expect([octal(mode(KEY_DIR)), statSync(KEY_DIR).uid, statSync(KEY_DIR).gid]).toEqual(["0750", 0, group]);

    // britney2's user, added to the group with the one command the README gives.
    run("userdel", [BRITNEY]);
    must(run("useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", BRITNEY]), "useradd");
    try {
      must(run("adduser", ["--quiet", BRITNEY, "debci-bridge"]), "adduser britney debci-bridge");
      const fake = await new FakeDebci().start();
      try {
        writeFileSync(join(KEY_DIR, "api-key"), `${fake.apiKey}\n`);
        chownSync(join(KEY_DIR, "api-key"), bridgeUid, group);
        chmodSync(join(KEY_DIR, "api-key"), 0o600);
        const needs = join(work, "needs.jsonl");
        writeFileSync(needs, '{"package": "baz", "trigger": "glibc/2.41-7", "arch": "amd64"}\n{"package": "qux", "trigger": "glibc/2.41-7", "arch": "arm64"}\n');
        chmodSync(work, 0o755);
        chmodSync(needs, 0o644);
        const T0 = Date.parse("2026-11-25T12:00:00Z");
        const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
        // The installed program, as the units (UMask=0007) and britney2's cron (umask 022) run it.
        const as = async (user: string, umask: string, args: string[]) => {
          const result = await spawnCliAs({ user, umask, bin: "/usr/share/debci-bridge/bin/debci-bridge.js" }, [...args]);
          expect(result.code, `${user}: ${args.join(" ")}: ${result.stderr}`).toBe(0);
          expect(unsharedEntries(STATE, group), `after ${user}: ${args[0]}`).toEqual([]);
          return result;
        };
        const sync = ["--url", fake.url, "--key-file", join(KEY_DIR, "api-key"), "--retries", "0"];
        fake.now = T0;
        await as("debci-bridge", "0007", ["fetch", "--state", STATE, "--now", at(0), ...sync]);
        const planned = await as(BRITNEY, "022", ["plan", "--state", STATE, "--needs", needs, "--now", at(1)]);
        expect(planned.stdout.trim().split("\n").map((l) => (JSON.parse(l) as { request: string }).request)).toEqual(["missing", "missing"]);
        fake.now = T0 + 2 * 60_000;
        await as("debci-bridge", "0007", ["submit", "--state", STATE, "--now", at(2), ...sync]);
        expect(fake.jobs.map((j) => `${j.package}/${j.arch}`).sort()).toEqual(["baz/amd64", "qux/arm64"]);
        fake.now = T0 + 30 * 60_000;
        fake.finish(() => true, "pass");
        await as("debci-bridge", "0007", ["fetch", "--state", STATE, "--now", at(30), ...sync]);
        await as("debci-bridge", "0007", ["compact", "--state", STATE, "--now", at(31)]);
        const again = await as(BRITNEY, "022", ["plan", "--state", STATE, "--needs", needs, "--now", at(32)]);
        expect(again.stdout.trim().split("\n").map((l) => (JSON.parse(l) as { state: string }).state)).toEqual(["pass", "pass"]);
      } finally {
        await fake.close();
        rmSync(join(KEY_DIR, "api-key"), { force: true });
      }
    } finally {
      run("userdel", [BRITNEY]);
    }
  });

  it("purges completely", () => {
    purge("apt-get purge");
    // Debian Policy: the state the package made goes with purge, and the key's directory when the admin left nothing in it.
    expect(existsSync(STATE), STATE).toBe(false);
    expect(existsSync(KEY_DIR), KEY_DIR).toBe(false);
  });

  it("passes its own autopkgtest on the installed .deb, as ci.debian.net runs it (autopkgtest DEB SRC -- null)", () => {
    const out = join(work, "autopkgtest");
    // The source tree as built and cleaned above; the .deb given, so it is installed and nothing is rebuilt.
    const result = timed("autopkgtest", () => run("autopkgtest", ["--output-dir", out, deb, `${src}/`, "--", "null"], { env: debianEnv }));
    const summary = existsSync(join(out, "summary")) ? readFileSync(join(out, "summary"), "utf8") : "";
    console.log(`autopkgtest (exit ${result.status}):\n${summary}`);
    const tests = readFileSync(join(root, "debian", "tests", "control"), "utf8").match(/^Tests:.*$/gm)!.flatMap((l) => l.replace(/^Tests:/, "").trim().split(/[\s,]+/));
    expect(tests.length).toBeGreaterThan(0);
    const failed = `autopkgtest: exit ${result.status}\n--- summary\n${summary}\n--- log (end)\n${(existsSync(join(out, "log")) ? readFileSync(join(out, "log"), "utf8") : result.stdout + result.stderr).slice(-6000)}`;
    const outcomes = Object.fromEntries(summary.trim().split("\n").filter((l) => l.trim() !== "").map((l) => l.trim().split(/\s+/).slice(0, 2)));
    expect(outcomes, failed).toEqual(Object.fromEntries(tests.map((t) => [t, "PASS"])));
    expect(result.status, failed).toBe(0);
    purge("apt-get purge after autopkgtest");
  });

  function purge(step: string): void {
    timed(step, () => must(run("apt-get", ["remove", "--purge", "-y", "debci-bridge"], { env: aptEnv }), "apt-get remove --purge"));
    expect(installed()).toBe(false);
    for (const gone of ["/usr/share/debci-bridge", "/usr/bin/debci-bridge", "/usr/lib/python3/dist-packages/debci_bridge.py", "/etc/default/debci-bridge"]) {
      expect(existsSync(gone), gone).toBe(false);
    }
    // The package does not byte-compile the client (no dh_python3), so a python3 run as root would leave
    // a __pycache__ file no package owns; the tests run it without writing any.
    expect(clientBytecode(), "bytecode of the Python client left in dist-packages/__pycache__").toEqual(bytecodeBefore);
    expect(execFileSync("sh", ["-c", "ls /lib/systemd/system | grep '^debci-bridge' || true"], { encoding: "utf8" })).toBe("");
  }
});
