import { spawnSync } from "node:child_process";
import { writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { requestsIn } from "./support/outbox.js";
import { ServeClient } from "./support/serve-client.js";
import { TESTDATA, snapshotTree, tempDir } from "./support/temp-state.js";
import { cpSync } from "node:fs";

const EXAMPLE = new URL("../examples/britney2/", import.meta.url).pathname;
const hasPython = spawnSync("python3", ["--version"]).status === 0;

function demoState(): string {
  const state = join(tempDir(), "state");
  cpSync(join(TESTDATA, "demo", "state"), state, { recursive: true });
  return state;
}

function runExample(state: string, extra: string[] = []) {
  return spawnSync(
    "python3",
    [join(EXAMPLE, "example_policy.py"), "--config", join(EXAMPLE, "britney.conf"), "--excuses", join(EXAMPLE, "excuses.json"), "--state", state, "--now", "2026-11-25T12:00:00Z", ...extra],
    { encoding: "utf8", env: { ...process.env, DEBCI_BRIDGE: "" } },
  );
}

/** Runs Python lines with the client importable, against a copy of the demo state; returns what it prints, line by line. */
function runPython(lines: string[]): string[] {
  const script = ["import json, sys; sys.path.insert(0, sys.argv[1])", "from debci_bridge import DebciBridge, DebciBridgeError", ...lines].join("\n");
  const run = spawnSync("python3", ["-c", script, EXAMPLE, demoState(), tempDir()], { encoding: "utf8" });
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.split("\n");
}

const EXPECTED = [
  "glibc/2.41-7:",
  "  autopkgtest for glibc/2.41-7: amd64: RUNNING, arm64: RUNNING (requested)",
  "  autopkgtest for baz/4.5-1: amd64: PASS, arm64: RUNNING (requested)",
  "  autopkgtest for qux/2.0-3: amd64: REGRESSION, arm64: RUNNING (requested)",
  "    qux on amd64: log https://ci.debian.net/data/autopkgtest/testing/amd64/q/qux/5021/log.gz retry https://ci.debian.net/api/v1/retry/5021",
  "  autopkgtest for zed/1.0-1: amd64: ALWAYSFAIL, arm64: RUNNING (requested)",
  "  autopkgtest for python-foo/0.9-2: amd64: NEUTRAL, arm64: RUNNING (requested)",
  "    python-foo on amd64: log https://ci.debian.net/data/autopkgtest/testing/amd64/p/python-foo/5010/log.gz retry https://ci.debian.net/api/v1/retry/5010",
  "  autopkgtest for libfoo/3.1-1: amd64: RUNNING (requested), arm64: RUNNING (requested)",
  "  autopkgtest for flaky-thing/0.1-1: amd64: NOT-RUN (reject-listed), arm64: NOT-RUN (reject-listed)",
  "  verdict: REJECTED_PERMANENTLY",
];

describe.skipIf(!hasPython)("the Python client, as britney2's policy would use it", () => {
  it("labels every test of an excuse, decides the verdict and commits the requests", () => {
    const state = demoState();
    const run = runExample(state);
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines.slice(0, -1)).toEqual(EXPECTED);
    expect(lines.at(-1)).toMatch(/^requests: 7 in 20261125T120000Z-[0-9a-f]{8}\.json$/);
    expect(requestsIn(join(state, "outbox"))).toEqual([
      "baz glibc/2.41-7 arm64",
      "glibc glibc/2.41-7 arm64",
      "libfoo glibc/2.41-7 amd64",
      "libfoo glibc/2.41-7 arm64",
      "python-foo glibc/2.41-7 arm64",
      "qux glibc/2.41-7 arm64",
      "zed glibc/2.41-7 arm64",
    ]);
    const ledger = JSON.parse(readFileSync(join(state, "requested.json"), "utf8")) as { requests: Array<{ package: string; arch: string; requestedAt: string }> };
    // The 7 new requests, and the earlier glibc/amd64 one the CI service still lists as queued.
    expect(ledger.requests.filter((r) => r.requestedAt === "2026-11-25T12:00:00.000Z")).toHaveLength(7);
    expect(ledger.requests.filter((r) => r.requestedAt !== "2026-11-25T12:00:00.000Z").map((r) => `${r.package} ${r.arch}`)).toEqual(["glibc amd64"]);
  });

  it("with one results file cut short: prints the warning as britney2 logs, and asks for nothing that file might hold", () => {
    const state = demoState();
    const file = join(state, "results", "20261124T120000.json");
    const whole = readFileSync(file, "utf8");
    writeFileSync(file, whole.slice(0, Math.floor(whole.length / 2)));
    const run = runExample(state);
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines.filter((l) => l.startsWith("W: debci-bridge: ")).some((l) => l.includes("knowledge is incomplete") && l.includes("20261124T120000.json"))).toBe(true);
    expect(lines.filter((l) => l.includes("UNKNOWN (held: part of the results could not be read)")).length).toBeGreaterThan(0);
    expect(lines.some((l) => l.includes("(requested)"))).toBe(false);
    expect(lines.at(-1)).toBe("requests: 0 in no batch");
    // The same state with the file restored behaves as it always did.
    writeFileSync(file, whole);
    const restored = runExample(state);
    expect(restored.status, restored.stderr).toBe(0);
    expect(restored.stdout.trimEnd().split("\n").slice(0, -1)).toEqual(EXPECTED);
  });

  it("exposes the server's warnings, and raises on them when asked", () => {
    const out = runPython([
      "import os",
      "open(os.path.join(sys.argv[2], 'results', 'broken.json'), 'w').write('{\"results\": [')",
      "b = DebciBridge(sys.argv[2], scratch=sys.argv[3], now='2026-11-25T12:00:00Z')",
      "print(json.dumps([w.split(':')[0] for w in b.warnings]))",
      "print(json.dumps(b.load_info['incomplete'] != []))",
      "b.close()",
      "from debci_bridge import DebciBridgeWarning",
      "try:",
      "    DebciBridge(sys.argv[2], scratch=sys.argv[3], now='2026-11-25T12:00:00Z', raise_on_warnings=True)",
      "except DebciBridgeWarning as e:",
      "    print('raised', len(e.warnings))",
    ]);
    expect((JSON.parse(out[0]!) as string[]).some((w) => w.endsWith("broken.json"))).toBe(true);
    expect(out[1]).toBe("true");
    expect(out[2]).toMatch(/^raised [1-9]/);
  });

  it("with a scratch outbox changes nothing in the state directory", () => {
    const state = demoState();
    const scratch = tempDir();
    const before = snapshotTree(state);
    const run = runExample(state, ["--scratch", scratch]);
    expect(run.status, run.stderr).toBe(0);
    expect(requestsIn(scratch)).toHaveLength(7);
    expect(snapshotTree(state)).toEqual(before);
  });

  it("applies britney2's hints files: force-badtest gives IGNORE-FAIL, force-skiptest lets the upload pass, hinted", () => {
    const state = demoState();
    const hints = join(tempDir(), "elbrus");
    writeFileSync(hints, "# hints of one release team member\nforce-badtest qux/2.0-3\nforce-skiptest glibc/2.41-7\n");
    const run = runExample(state, ["--scratch", tempDir(), "--hints", hints]);
    expect(run.status, run.stderr).toBe(0);
    // While it runs, a test under force-badtest cannot regress: RUNNING-ALWAYSFAIL, as britney2 shows it.
    expect(run.stdout).toContain("autopkgtest for qux/2.0-3: amd64: IGNORE-FAIL, arm64: RUNNING-ALWAYSFAIL (requested)");
    expect(run.stdout).toContain("verdict: PASS_HINTED (force-skiptest by elbrus)");
  });

  it("reports a held lock with the server's message and exit code", async () => {
    const state = demoState();
    const holder = new ServeClient(["--state", state, "--now", "2026-11-25T12:00:00Z"]);
    await holder.call(1, "report");
    const run = runExample(state, ["--wait", "0"]);
    await holder.end();
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/debci-bridge serve exited with code 2: debci-bridge serve: state directory is locked by pid \d+/);
  });

  it("need_many pipelines: the same answers as one at a time, in order, with errors in place", () => {
    const printed = runPython([
      "needs = [dict(package=p, trigger='glibc/2.41-7', arch=a) for p in ['baz', 'qux', 'zed', 'libfoo', 'glibc'] for a in ['amd64', 'arm64']]",
      "one = DebciBridge(sys.argv[2], scratch=sys.argv[3], now='2026-11-25T12:00:00Z')",
      "single = [one.need(**n) for n in needs]",
      "one.close()",
      "many = DebciBridge(sys.argv[2], scratch=sys.argv[3], now='2026-11-25T12:00:00Z')",
      "piped = many.need_many(needs + [dict(package='baz', trigger='', arch='amd64')])",
      "print(json.dumps(single) == json.dumps(piped[:-1]), isinstance(piped[-1], DebciBridgeError), len(piped))",
      "print(many.label('qux', 'glibc/2.41-7', 'amd64'))",
      "many.close()",
    ]);
    expect(printed).toEqual(["True True 11", "REGRESSION", ""]);
  });

  it("raises the server's error for a bad question and keeps the session usable", () => {
    const printed = runPython([
      "b = DebciBridge(sys.argv[2], scratch=sys.argv[3], now='2026-11-25T12:00:00Z')",
      "try:\n    b.status('baz', '', 'amd64')\nexcept DebciBridgeError as e:\n    print('error:', e)",
      "print(b.label('qux', 'glibc/2.41-7', 'amd64'))",
      "print(b.baseline('qux', 'amd64')['state'])",
      "print(b.close())",
    ]);
    expect(printed).toEqual(["error: status: params.trigger: not a trigger string: one or more source/version (or migration-reference/0), separated by spaces", "REGRESSION", "pass", "0", ""]);
  });
});
