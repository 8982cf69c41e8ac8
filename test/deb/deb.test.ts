// The Debian package (debian/): built with dpkg-buildpackage in a temporary copy of the tree (the checkout
// is untouched), checked by lintian, installed with apt-get, run from the installed files, purged.
// Run: npm run test:deb (as root, with debhelper, help2man and lintian installed; see .ci/run).
import { execFileSync, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const enabled = process.env.DEB_PACKAGE_TEST === "1";
const root = resolve(import.meta.dirname, "../..");
const version = (JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { version: string }).version;
const aptEnv = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
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

describe.skipIf(!enabled)("Debian package", () => {
  let work = "";
  let deb = "";
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
    work = mkdtempSync(join(tmpdir(), "debci-bridge-deb-"));
    const src = join(work, "debci-bridge");
    // The tree as it is (uncommitted edits included), without node_modules/, .git/ and build outputs;
    // node_modules/ is linked, read only by the build (TypeScript, and the runtime modules it copies).
    const skip = new Set(["node_modules", ".git", "dist", "bench/out", "debian/build", "debian/debci-bridge"]);
    cpSync(root, src, {
      recursive: true,
      filter: (from) => {
        const rel = from === root ? "" : from.slice(root.length + 1);
        return !skip.has(rel) && !/^debian\/(\.debhelper|debhelper-build-stamp|files|.*\.substvars|.*\.debhelper\.log|.*\.(postrm|postinst|prerm|preinst)\.debhelper)$/.test(rel);
      },
    });
    symlinkSync(join(root, "node_modules"), join(src, "node_modules"));
    timed("dpkg-buildpackage", () => must(run("dpkg-buildpackage", ["-b", "-us", "-uc"], { cwd: src }), "dpkg-buildpackage -b -us -uc"));
    const debs = readdirSync(work).filter((f) => /^debci-bridge_.*_all\.deb$/.test(f));
    expect(debs).toEqual([`debci-bridge_${version}-1_all.deb`]);
    deb = join(work, debs[0]!);
  });

  afterAll(() => {
    console.log("timings (ms):", timings);
    if (installed()) run("apt-get", ["remove", "--purge", "-y", "debci-bridge"], { env: aptEnv });
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("builds without touching the checkout", () => {
    expect(existsSync(join(root, "debian", "build"))).toBe(false);
    expect(existsSync(join(root, "debian", "debci-bridge"))).toBe(false);
    expect(readdirSync(resolve(root, "..")).filter((f) => f.startsWith("debci-bridge_"))).toEqual([]);
  });

  it("has no lintian errors", () => {
    const result = timed("lintian", () => run("lintian", ["--fail-on", "error", deb]));
    console.log(`lintian ${deb}:\n${result.stdout}${result.stderr}`);
    expect(result.stdout).not.toMatch(/^E: /m);
    expect(result.status).toBe(0);
  });

  it("ships the files in their places, and Depends on nodejs (>= 20) only", () => {
    const depends = must(run("dpkg-deb", ["-f", deb, "Depends"]), "dpkg-deb -f");
    expect(depends.trim()).toBe("nodejs (>= 20), adduser");
    const files = must(run("dpkg-deb", ["-c", deb]), "dpkg-deb -c")
      .split("\n")
      .map((line) => line.split(/\s+/)[5]?.replace(/^\./, ""))
      .filter((f): f is string => !!f);
    for (const f of [
      "/usr/bin/debci-bridge",
      "/usr/share/debci-bridge/bin/debci-bridge.js",
      "/usr/share/debci-bridge/dist/cli/main.js",
      "/usr/share/debci-bridge/package.json",
      "/usr/share/debci-bridge/node_modules/fast-glob/package.json",
      "/usr/share/debci-bridge/node_modules/zod/package.json",
      "/usr/share/debci-bridge/node_modules/json-stream-stringify/package.json",
      "/usr/lib/python3/dist-packages/debci_bridge.py",
      "/usr/share/man/man1/debci-bridge.1.gz",
      "/usr/share/doc/debci-bridge/examples/britney.conf",
      "/usr/share/doc/debci-bridge/copyright",
    ]) {
      expect(files, f).toContain(f);
    }
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
    const env = { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", HOME: cwd, LANG: "C.UTF-8" };

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
    const conffiles = must(run("dpkg-query", ["-W", "-f=${Conffiles}", "debci-bridge"]), "dpkg-query");
    if (existsSync(join(root, "systemd", "debci-bridge.default"))) expect(conffiles).toContain("/etc/default/debci-bridge");
    // Installed, not enabled: no timer is wanted by anything.
    const wants = "/etc/systemd/system/timers.target.wants";
    const enabled = existsSync(wants) ? readdirSync(wants).filter((f) => f.startsWith("debci-bridge")) : [];
    expect(enabled).toEqual([]);
  });

  it("purges completely", () => {
    timed("apt-get purge", () => must(run("apt-get", ["remove", "--purge", "-y", "debci-bridge"], { env: aptEnv }), "apt-get remove --purge"));
    expect(installed()).toBe(false);
    for (const gone of ["/usr/share/debci-bridge", "/usr/bin/debci-bridge", "/usr/lib/python3/dist-packages/debci_bridge.py", "/etc/default/debci-bridge"]) {
      expect(existsSync(gone), gone).toBe(false);
    }
    expect(execFileSync("sh", ["-c", "ls /lib/systemd/system | grep '^debci-bridge' || true"], { encoding: "utf8" })).toBe("");
  });
});
