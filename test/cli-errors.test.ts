import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jsonLines, runCli } from "./support/cli.js";
import { batchFiles } from "./support/outbox.js";
import { SCENARIOS, TESTDATA, copyScenarioState, snapshotTree, tempDir } from "./support/temp-state.js";

const NOW = "2026-11-25T12:00:00Z";

/** Runs a command that must fail with exit 1 and a message, leaving the state untouched. */
async function expectBadInput(args: string[], message: string | RegExp, stdin = "") {
  const run = await runCli(args, stdin);
  expect(run.code, run.stderr).toBe(1);
  expect(run.stderr).toMatch(message);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.stdout).toBe("");
  return run;
}

describe("unusable arguments get exit 1 and a message saying what", () => {
  it.each([
    [[], /usage:/],
    [["frobnicate"], /unknown command "frobnicate"/],
    [["plan", "--needs", "x"], /plan: --state is required/],
    [["plan", "--state", "s"], /plan: --needs is required/],
    [["plan", "--state", "s", "--needs", "x", "--colour"], /debci-bridge plan: Unknown option '--colour'/],
    [["status", "--state", "s", "--package", "p", "--arch", "amd64"], /debci-bridge status: --trigger is required/],
  ])("%j", async (args, message) => {
    await expectBadInput(args, message);
  });

  it.each([
    [["--now", "yesterday"], /--now: expected an ISO 8601 time with a zone, such as 2026-11-25T12:00:00Z, got "yesterday"/],
    [["--now", "1"], /--now: expected an ISO 8601 time with a zone/],
    [["--now", "May 5"], /--now: expected an ISO 8601 time with a zone/],
    [["--now", "2026-11-25 12:00"], /--now: expected an ISO 8601 time with a zone/],
    [["--now", "2026-11-25T12:00:00"], /--now: expected an ISO 8601 time with a zone/],
    [["--grace=-5"], /--grace: expected a number from 0 to 10080 \(minutes\), got "-5"/],
    // A negative number after a flag is its value, so the range is what the message says (not Node's "argument is ambiguous").
    [["--grace", "-5"], /--grace: expected a number from 0 to 10080 \(minutes\), got "-5"/],
    [["--pending-max-age", "-.5"], /--pending-max-age: expected a number from 0 to 365 \(days\), got "-.5"/],
    [["--grace", "1e20"], /--grace: expected a number from 0 to 10080/],
    [["--wait=-1"], /--wait: expected a number from 0 to 86400 \(seconds\)/],
    [["--pending-max-age", "three"], /--pending-max-age: expected a number/],
    [["--retry-older-than", ""], /--retry-older-than: expected a number/],
    [["--baseline", "sometimes"], /--baseline: expected "reference" or "any"/],
    [["--overtaken-by", "0"], /--overtaken-by: expected a whole number from 1 to 1000 \(runs\), got "0"/],
    [["--overtaken-by", "2.5"], /--overtaken-by: expected a whole number/],
    [["--longest-run", "never"], /--longest-run: expected a number from 0.1 to 720 \(hours\)/],
  ])("plan %j", async (extra, message) => {
    const state = copyScenarioState("new-package");
    const before = snapshotTree(state);
    await expectBadInput(["plan", "--state", state, "--needs", join(SCENARIOS, "new-package", "needs.jsonl"), "--now", NOW, ...extra], message);
    expect(snapshotTree(state)).toEqual(before);
  });
});

describe("status holds its key to the checks plan holds a need to", () => {
  const status = (state: string, pkg: string, arch: string, suite: string[] = []) => ["status", "--state", state, "--package", pkg, "--trigger", "glibc/2.41-7", "--arch", arch, "--now", NOW, ...suite];

  it.each([
    ["a package name Debian does not allow", "Baz_2", "amd64", [], /status: the key given by --package, --trigger and --arch: package: not a Debian source package name/],
    ["an arch name Debian does not allow", "baz", "amd 64", [], /arch: not a Debian architecture name/],
    ["an arch the CI service does not run (serviceArches)", "baz", "amd46", [], /arch: "amd46" is not one the CI service runs \(serviceArches: amd64, arm64, from .*debci-bridge\.json\)/],
  ])("%s: exit 1 with the field and the rule", async (_, pkg, arch, suite, message) => {
    const state = copyScenarioState("new-package");
    writeFileSync(join(state, "debci-bridge.json"), JSON.stringify({ serviceArches: ["amd64", "arm64"] }));
    await expectBadInput(status(state, pkg, arch, suite), message);
  });

  it("answers a key plan would take", async () => {
    const state = copyScenarioState("new-package");
    writeFileSync(join(state, "debci-bridge.json"), JSON.stringify({ serviceArches: ["amd64", "arm64"] }));
    const run = await runCli(status(state, "baz", "arm64"));
    expect(run.code, run.stderr).toBe(0);
    expect(jsonLines(run.stdout)[0]).toMatchObject({ arch: "arm64", package: "baz" });
  });
});

describe("the shipped demo state is read-only to what would write into it", () => {
  const DEMO = join(TESTDATA, "demo", "state");

  it.each([
    ["plan", ["plan", "--state", DEMO, "--needs", join(TESTDATA, "demo", "needs.jsonl"), "--now", NOW], /plan: .*demo\/state is the shipped demo state, which plan would write into; add --scratch DIR to answer and write the requests there instead, or copy it first \(cp -r /],
    ["compact", ["compact", "--state", DEMO, "--now", NOW], /compact: .*is the shipped demo state, which compact would write into; copy it first \(cp -r /],
    ["prune", ["prune", "--state", DEMO, "--older-than", "1", "--now", NOW], /prune: .*is the shipped demo state, which prune would write into; copy it first/],
    ["serve", ["serve", "--state", DEMO, "--now", NOW], /serve: .*is the shipped demo state, which serve would write into; add --scratch DIR/],
  ])("%s is refused, naming the way out, and the demo's files stay as they are", async (_, args, message) => {
    const before = snapshotTree(DEMO);
    await expectBadInput(args, message);
    expect(snapshotTree(DEMO)).toEqual(before);
  });

  it("a --scratch plan answers from it, and a copy of it is an ordinary state", async () => {
    const before = snapshotTree(DEMO);
    const scratch = await runCli(["plan", "--state", DEMO, "--needs", join(TESTDATA, "demo", "needs.jsonl"), "--now", NOW, "--scratch", tempDir()]);
    expect(scratch.code, scratch.stderr).toBe(0);
    expect(snapshotTree(DEMO)).toEqual(before);
    const copy = join(tempDir(), "state");
    cpSync(DEMO, copy, { recursive: true });
    const committed = await runCli(["plan", "--state", copy, "--needs", join(TESTDATA, "demo", "needs.jsonl"), "--now", NOW]);
    expect(committed.code, committed.stderr).toBe(0);
    expect(committed.stdout).toBe(scratch.stdout);
  });
});

describe("bad needs are errors naming the line, and nothing is written", () => {
  it.each([
    ['{"package": "baz", "trigger": "glibc/2.41-7", "arch": "amd64"}\n{"package": "qux", "trigg', /stdin line 2: not valid JSON/],
    ['{"package": "baz", "trigger": "glibc/2.41-7"}\n', /stdin line 1: arch: Invalid input: expected string, received undefined/],
    ['{"package": "baz", "trigger": "  ", "arch": "amd64"}\n', /stdin line 1: trigger: not a trigger string/],
    // Typos in values, as Debian writes names (issue 17): each is exit 1 naming the line and the field.
    ['{"package": "baz", "trigger": "glibc/2.41-7", "arch": "amd64"}\n{"package": "baz", "trigger": "glibc/2.41-7", "arch": "amd64", "suite": "testnig"}\n', /stdin line 2: suite: "testnig" is not one the CI service runs/],
    ['{"package": "baz", "trigger": "glibc/2.41-7", "arch": "amd 64"}\n', /stdin line 1: arch: not a Debian architecture name/],
    ['{"package": "Baz_2", "trigger": "glibc/2.41-7", "arch": "amd64"}\n', /stdin line 1: package: not a Debian source package name/],
    ['{"package": "baz", "trigger": "glibc 2.41-7", "arch": "amd64"}\n', /stdin line 1: trigger: not a trigger string/],
    ['{"package": "baz", "trigger": "glibc/2.41-7", "arch": "amd64", "pin_packages": []}\n', /stdin line 1: Unrecognized key: "pin_packages"/],
    ['[{"package": "baz", "trigger": "glibc/2.41-7", "arch": "amd64", "huge": "yes"}]', /stdin item 0: huge: Invalid input: expected boolean/],
    ['{"not": "an array"', /stdin line 1: not valid JSON/],
    [`{"package": "baz", "trigger": "glibc/2.41-7", "arch": "amd64"}\n{"package": "${"x".repeat(1 << 20)}"}\n`, /stdin line 2: longer than 1048576 characters: not a need/],
  ])("%.80s", async (needs, message) => {
    const state = copyScenarioState("new-package");
    const before = snapshotTree(state);
    await expectBadInput(["plan", "--state", state, "--needs", "-", "--now", NOW], message, needs);
    expect(snapshotTree(state)).toEqual(before);
  });

  it("a needs file that does not exist", async () => {
    await expectBadInput(["plan", "--state", copyScenarioState("new-package"), "--needs", "/nonexistent/needs.jsonl"], /--needs \/nonexistent\/needs.jsonl: no such file/);
  });

  it("accepts a JSON array as well as JSON lines, and an empty list", async () => {
    const state = copyScenarioState("new-package");
    const array = await runCli(["plan", "--state", state, "--needs", "-", "--now", NOW, "--scratch", tempDir()], '[{"package": "baz", "trigger": "glibc/2.41-7", "arch": "amd64", "suite": "testing"}]');
    expect(jsonLines(array.stdout)).toMatchObject([{ suite: "testing", package: "baz", state: "missing" }]);
    const empty = await runCli(["plan", "--state", state, "--needs", "-", "--now", NOW], "");
    expect(empty.code).toBe(0);
    expect(empty.stderr).toContain("0 need(s)");
  });
});

describe("malformed state files", () => {
  it("are skipped with a warning naming the file; --strict makes that exit 1 and writes nothing", async () => {
    const state = copyScenarioState("truncated-file");
    const needs = join(SCENARIOS, "truncated-file", "needs.jsonl");
    const scratch = tempDir();
    const strict = await expectBadInput(["plan", "--state", state, "--needs", needs, "--now", NOW, "--scratch", scratch, "--strict"], /strict mode: .*20261125T090000\.json: skipped: not valid JSON \(cut short: a truncated download\?\)/);
    expect(strict.stderr).toContain("(and 1 more)");
    expect(batchFiles(scratch)).toEqual([]);
  });

  it("a bad pending snapshot is not trusted at all: requests stay in flight rather than being asked twice", async () => {
    const state = copyScenarioState("lost-request");
    writeFileSync(join(state, "pending.json"), JSON.stringify({ generated_at: "2026-11-25T11:30:00Z", pending: [{ run_id: 1, package: "baz" }] }));
    const run = await runCli(["plan", "--state", state, "--needs", join(SCENARIOS, "lost-request", "needs.jsonl"), "--now", NOW, "--scratch", tempDir()]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/pending\.json: skipped: pending\[0\]\.arch: Invalid input/);
    expect(jsonLines(run.stdout).map((a) => [a.package, a.state, a.request])).toEqual([
      ["baz", "pending", null],
      ["qux", "pending", null],
      ["zed", "pending", null],
    ]);
  });

  it("a bad settings file is an error naming the file and the key", async () => {
    const state = copyScenarioState("pass-to-pass");
    writeFileSync(join(state, "debci-bridge.json"), JSON.stringify({ retryOlderThan: 7 }));
    await expectBadInput(["status", "--state", state, "--package", "baz", "--trigger", "glibc/2.41-7", "--arch", "amd64"], /debci-bridge\.json: Unrecognized key: "retryOlderThan"/);
  });

  it("overtakenBy takes a whole number of runs or \"off\"; anything else names the file and the key", async () => {
    const state = copyScenarioState("pass-to-pass");
    writeFileSync(join(state, "debci-bridge.json"), JSON.stringify({ overtakenBy: "never" }));
    await expectBadInput(["status", "--state", state, "--package", "baz", "--trigger", "glibc/2.41-7", "--arch", "amd64"], /debci-bridge\.json: overtakenBy: /);
    writeFileSync(join(state, "debci-bridge.json"), JSON.stringify({ overtakenBy: "off", longestRunHours: 8 }));
    expect((await runCli(["status", "--state", state, "--package", "baz", "--trigger", "glibc/2.41-7", "--arch", "amd64", "--now", NOW])).code).toBe(0);
  });

  it("a gzip file that is cut off is skipped like a truncated JSON file", async () => {
    const state = copyScenarioState("pass-to-pass");
    writeFileSync(join(state, "results", "cut.json.gz"), Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00]));
    const run = await runCli(["status", "--state", state, "--package", "baz", "--trigger", "glibc/2.41-7", "--arch", "amd64", "--now", NOW]);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/cut\.json\.gz: skipped: not valid gzip/);
    expect(jsonLines(run.stdout)[0]).toMatchObject({ state: "pass" });
  });

  it("a results file of the wrong shape names the first problem", async () => {
    const state = copyScenarioState("pass-to-pass");
    writeFileSync(join(state, "results", "wrong.json"), JSON.stringify({ until: "tomorrow", results: [] }));
    const run = await runCli(["status", "--state", state, "--package", "baz", "--trigger", "glibc/2.41-7", "--arch", "amd64", "--now", NOW]);
    expect(run.stderr).toMatch(/wrong\.json: skipped: until: Invalid input: expected number, received string/);
  });
});
