import { cpSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RunStore } from "../src/core/run-store.js";
import type { Observation } from "../src/core/types.js";
import { readBase, writeBase } from "../src/store/base-file.js";
import { InputError } from "../src/store/errors.js";
import { joinSides, loadClaimed, loadInWorker, loadOtherSide, loadSequentially, type OtherSide, type ResultsFileOutcome } from "../src/store/load-results.js";
import { DEFAULT_MAX_FILE_BYTES } from "../src/store/read-json.js";
import { inputProblems } from "../src/session/warnings.js";
import type { LoadedState } from "../src/store/load-state.js";
import { jsonLines, runCli, spawnCli } from "./support/cli.js";
import { TESTDATA, tempDir } from "./support/temp-state.js";

/**
 * debci never reuses a run id: a record whose run id is known as another
 * run (suite, arch, package or trigger string) is skipped, said, and
 * counted; the first in load order (base, then files by name) stands.
 */

const NOW = "2026-11-25T12:00:00Z";
const T = Date.parse("2026-11-25T08:00:00Z");
const G = "glibc/2.41-7";

const run = (o: Partial<Observation> & { runId: number }): Observation => ({ suite: "testing", arch: "amd64", package: "qux", version: "2.0-3", status: "pass", trigger: G, createdAt: T, updatedAt: T, ...o });

/** A result record as debci's API writes it. */
const record = (o: Observation) => ({
  run_id: o.runId,
  trigger: o.trigger,
  package: o.package,
  arch: o.arch,
  suite: o.suite,
  version: o.version,
  status: o.status,
  created_at: o.createdAt === null ? null : new Date(o.createdAt).toISOString(),
  updated_at: o.updatedAt === null ? null : new Date(o.updatedAt).toISOString(),
});

function writeResults(dir: string, name: string, records: unknown[]): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), JSON.stringify({ results: records }));
  return join(dir, name);
}

const byRunId = (store: RunStore) => [...store.values()].sort((a, b) => a.runId - b.runId);

describe("the run store keeps one run per run id", () => {
  it("refuses an observation whose run id is known with another suite, arch, package or trigger string, whatever its time", () => {
    const first = run({ runId: 1 });
    for (const other of [{ suite: "unstable" }, { arch: "arm64" }, { package: "baz" }, { trigger: "gcc-14/14.2.0-5" }, { trigger: null }, { trigger: `${G} gcc-14/14.2.0-5` }]) {
      const store = new RunStore();
      expect(store.merge(first, 1)).toBe(true);
      // Later, finished, and of another run: still refused, and the first run stays as it was.
      expect(store.merge(run({ runId: 1, ...other, status: "fail", updatedAt: T + 3_600_000 }), 2)).toBe(false);
      expect(store.get(1)).toEqual(first);
      expect(store.sourcesOf(1)).toEqual({ first: 1, last: 1 });
    }
    // A run first met without a trigger is another run than one with a trigger.
    const store = new RunStore();
    store.merge(run({ runId: 2, trigger: null }));
    expect(store.merge(run({ runId: 2, trigger: G }))).toBe(false);
    expect(store.get(2)!.trigger).toBeNull();
  });

  it("merges the same run as always: the later updated_at wins, an earlier one changes nothing", () => {
    const store = new RunStore();
    store.merge(run({ runId: 1, status: null }), 1);
    expect(store.merge(run({ runId: 1, status: "fail", updatedAt: T + 60_000 }), 3)).toBe(true);
    expect(store.merge(run({ runId: 1, status: "pass", updatedAt: T - 60_000 }), 2)).toBe(true);
    expect(store.get(1)).toMatchObject({ status: "fail", updatedAt: T + 60_000 });
    expect(store.sourcesOf(1)).toEqual({ first: 1, last: 3 });
  });

  it("merges a worker's rows of the same run, and hands back those it knows as another run untouched", () => {
    const mine = new RunStore();
    mine.merge(run({ runId: 1 }), 2);
    mine.merge(run({ runId: 2 }), 2);
    const theirs = new RunStore();
    theirs.merge(run({ runId: 1, status: "fail", updatedAt: T + 60_000 }), 1);
    theirs.merge(run({ runId: 2, arch: "arm64" }), 3);
    theirs.merge(run({ runId: 3 }), 4);
    const others = mine.mergeForeign(theirs.tableParts(), theirs.encodedRows(), theirs.encodedSources());
    expect(others).toEqual([{ observation: run({ runId: 2, arch: "arm64" }), first: 3, last: 3 }]);
    expect(mine.get(1)).toMatchObject({ status: "fail" });
    expect(mine.sourcesOf(1)).toEqual({ first: 1, last: 2 });
    expect(mine.get(2)).toEqual(run({ runId: 2 }));
    expect(mine.sourcesOf(3)).toEqual({ first: 4, last: 4 });
  });

  it("a JSON-lines base holding one run id as two runs is damaged", async () => {
    const dir = tempDir();
    const header = { format: "debci-bridge-base/1", compactedAt: T, runs: 2, folded: [] };
    const tables = [
      { table: "suites", values: ["testing"] },
      { table: "arches", values: ["amd64", "arm64"] },
      { table: "packages", values: ["qux"] },
      { table: "versions", values: ["2.0-3"] },
      { table: "triggers", values: [G] },
    ];
    const rows = [
      [7, 1, 1, 1, 1, 1, 1, T, T],
      [7, 1, 2, 1, 1, 1, 1, T, T],
    ];
    writeFileSync(join(dir, "compacted.jsonl"), [header, ...tables, ...rows].map((l) => JSON.stringify(l)).join("\n"));
    const read = readBase(join(dir, "compacted.jsonl"), new RunStore());
    await expect(read).rejects.toThrow(InputError);
    await expect(readBase(join(dir, "compacted.jsonl"), new RunStore())).rejects.toThrow(/line 8: run 7 again, as another run; the compacted base is damaged/);
  });
});

describe("loading results files with a reused run id", () => {
  it("skips the later record, counts it with its file's skipped records, and names both runs and files", async () => {
    const dir = tempDir();
    const a = writeResults(dir, "20261124T120000.json", [record(run({ runId: 5021 }))]);
    const b = writeResults(dir, "20261125T110000.json", [record(run({ runId: 5022 })), record(run({ runId: 5021, arch: "arm64", updatedAt: T + 60_000 }))]);
    const store = new RunStore();
    const outcomes = await loadSequentially([a, b], store, "testing", DEFAULT_MAX_FILE_BYTES);
    expect(store.get(5021)).toEqual(run({ runId: 5021 }));
    expect(outcomes[0]).toEqual({ path: a, kind: "results", status: "read", records: 1, skippedRecords: 0 });
    const problem = `results[1]: run 5021 is testing/arm64 qux for "glibc/2.41-7" here but testing/amd64 qux for "glibc/2.41-7" in ${a} (debci never reuses a run id)`;
    expect(outcomes[1]).toEqual({ path: b, kind: "results", status: "read", records: 1, skippedRecords: 1, reusedRunIds: 1, problem });
    expect(inputProblems({ files: outcomes } as unknown as LoadedState)).toEqual([`${b}: ${problem}: record skipped`]);
  });

  it("names the first problem of a file, malformed or reused, and counts both kinds", async () => {
    const dir = tempDir();
    const a = writeResults(dir, "a.json", [record(run({ runId: 1 })), record(run({ runId: 2, trigger: null }))]);
    const malformedFirst = writeResults(dir, "b.json", [{ run_id: 3 }, record(run({ runId: 1, package: "baz" }))]);
    const reusedFirst = writeResults(dir, "c.json", [record(run({ runId: 2 })), { run_id: 4 }, record(run({ runId: 1, suite: "unstable" }))]);
    const outcomes = await loadSequentially([a, malformedFirst, reusedFirst], new RunStore(), "testing", DEFAULT_MAX_FILE_BYTES);
    expect(outcomes[1]).toMatchObject({ records: 0, skippedRecords: 2, reusedRunIds: 1, problem: "results[0].trigger: Invalid input: expected string, received undefined" });
    expect(outcomes[2]).toMatchObject({ records: 0, skippedRecords: 3, reusedRunIds: 2, problem: `results[0]: run 2 is testing/amd64 qux for "glibc/2.41-7" here but testing/amd64 qux without a trigger in ${a} (debci never reuses a run id)` });
    expect(inputProblems({ files: outcomes } as unknown as LoadedState)).toEqual([
      `${malformedFirst}: 2 records skipped (1 malformed, 1 with a run id known as another run); first: ${outcomes[1]!.problem}`,
      `${reusedFirst}: 3 records skipped (1 malformed, 2 with a run id known as another run); first: ${outcomes[2]!.problem}`,
    ]);
  });

  it("a run of the compacted base stands over any file's, and the warning says it is the base's", async () => {
    const dir = tempDir();
    const base = new RunStore();
    base.merge(run({ runId: 9 }));
    await writeBase(join(dir, "compacted.base"), base, { format: "debci-bridge-base/3", compactedAt: T, runs: 1, until: null, folded: [] });
    const store = new RunStore();
    await readBase(join(dir, "compacted.base"), store);
    const file = writeResults(join(dir, "results"), "a.json", [record(run({ runId: 9, package: "baz" })), record(run({ runId: 9, package: "baz" }))]);
    const [outcome] = await loadSequentially([file], store, "testing", DEFAULT_MAX_FILE_BYTES);
    expect(store.get(9)).toEqual(run({ runId: 9 }));
    expect(outcome).toMatchObject({ records: 0, skippedRecords: 2, reusedRunIds: 2, problem: 'results[0]: run 9 is testing/amd64 baz for "glibc/2.41-7" here but testing/amd64 qux for "glibc/2.41-7" in the compacted base (debci never reuses a run id)' });
    expect(inputProblems({ files: [outcome] } as unknown as LoadedState)).toEqual([`${file}: 2 records skipped, their run ids known as other runs; first: ${outcome!.problem}`]);
  });
});

/**
 * Five files whose reused run ids fall on both sides of any split after
 * the second file: run 100 is X in f0, Y in f2 and f3 (f2 also holds a
 * later X, f3 a third run Z); run 101 is P in f1 and f2, R in f4; run 103
 * is the base's, and f3 reuses it.
 */
function splitFixture() {
  const dir = tempDir();
  const X = run({ runId: 100 });
  const Y = run({ runId: 100, arch: "arm64", updatedAt: T + 1 });
  const Z = run({ runId: 100, package: "baz", updatedAt: T + 2 });
  const P = run({ runId: 101, trigger: null });
  const paths = [
    writeResults(dir, "f0.json", [record(X)]),
    writeResults(dir, "f1.json", [record(P)]),
    writeResults(dir, "f2.json", [record(Y), record({ ...X, status: "fail", updatedAt: T + 3_600_000 }), record({ ...P, status: "fail", updatedAt: T + 60_000 })]),
    writeResults(dir, "f3.json", [record({ ...Y, updatedAt: T + 7_200_000 }), record(Z), { run_id: "x" }, record(run({ runId: 102 })), record(run({ runId: 103, suite: "unstable" }))]),
    writeResults(dir, "f4.json", [record({ ...P, trigger: G })]),
  ];
  const base = new RunStore();
  base.merge(run({ runId: 103 }));
  const withBase = async () => {
    const store = new RunStore();
    await writeBase(join(dir, "compacted.base"), base, { format: "debci-bridge-base/3", compactedAt: T, runs: 1, until: null, folded: [] });
    await readBase(join(dir, "compacted.base"), store);
    return store;
  };
  return { paths, withBase };
}

/** Loads the files at `indexes` on this thread, in order, as loadResultsFiles's own share. */
function loadMine(paths: string[], indexes: number[], store: RunStore) {
  let k = 0;
  return loadClaimed(paths, () => indexes[k++] ?? paths.length, store, "testing", DEFAULT_MAX_FILE_BYTES);
}

describe("a reused run id on both sides of a split load (the results worker thread)", () => {
  async function sequential() {
    const { paths, withBase } = splitFixture();
    const store = await withBase();
    const outcomes = await loadSequentially(paths, store, "testing", DEFAULT_MAX_FILE_BYTES);
    return { paths, withBase, store, outcomes };
  }

  it("one thread in name order: the first run of each run id stands, every record of another run is skipped", async () => {
    const { paths, store, outcomes } = await sequential();
    expect(store.get(100)).toMatchObject({ arch: "amd64", package: "qux", status: "fail", updatedAt: T + 3_600_000 });
    expect(store.get(101)).toMatchObject({ trigger: null, status: "fail" });
    expect(store.get(103)).toEqual(run({ runId: 103 }));
    expect(outcomes.map((o) => [o.records, o.skippedRecords, o.reusedRunIds])).toEqual([
      [1, 0, undefined],
      [1, 0, undefined],
      [2, 1, 1],
      [1, 4, 3],
      [0, 1, 1],
    ]);
    expect(outcomes[3]!.problem).toBe(`results[0]: run 100 is testing/arm64 qux for "glibc/2.41-7" here but testing/amd64 qux for "glibc/2.41-7" in ${paths[0]} (debci never reuses a run id)`);
    expect(outcomes[4]!.problem).toBe(`results[0]: run 101 is testing/amd64 qux for "glibc/2.41-7" here but testing/amd64 qux without a trigger in ${paths[1]} (debci never reuses a run id)`);
  });

  const expectSame = (split: { store: RunStore; outcomes: ResultsFileOutcome[] }, one: { store: RunStore; outcomes: ResultsFileOutcome[] }) => {
    expect(byRunId(split.store)).toEqual(byRunId(one.store));
    expect(split.outcomes).toEqual(one.outcomes);
  };

  it.each([
    ["this thread", [0, 1], [2, 3, 4]],
    ["the other side", [2, 3, 4], [0, 1]],
    ["neither (interleaved)", [1, 3], [0, 2, 4]],
    ["neither (interleaved the other way)", [0, 2, 4], [1, 3]],
  ])("equals one thread in name order, the earlier files on %s (in-thread other side)", async (_, mineIndexes, otherIndexes) => {
    const one = await sequential();
    const store = await one.withBase();
    const mine = await loadMine(one.paths, mineIndexes, store);
    const other = await loadOtherSide(one.paths, otherIndexes, "testing", DEFAULT_MAX_FILE_BYTES);
    expectSame({ store, outcomes: await joinSides(one.paths, store, mine, other, "testing", DEFAULT_MAX_FILE_BYTES) }, one);
  });

  it("equals one thread in name order with a real worker thread, the earlier files on either side", async () => {
    const one = await sequential();
    // The worker takes the files after the second (its shared counter starts there) ...
    let store = await one.withBase();
    const counter = new SharedArrayBuffer(4);
    new Int32Array(counter)[0] = 2;
    let other: OtherSide = await loadInWorker(one.paths, counter, "testing", DEFAULT_MAX_FILE_BYTES);
    expect(other.claimed.map(([index]) => index)).toEqual([2, 3, 4]);
    let mine = await loadMine(one.paths, [0, 1], store);
    expectSame({ store, outcomes: await joinSides(one.paths, store, mine, other, "testing", DEFAULT_MAX_FILE_BYTES) }, one);
    // ... or only the first two (it is given no more), and this thread the rest.
    store = await one.withBase();
    other = await loadInWorker(one.paths.slice(0, 2), new SharedArrayBuffer(4), "testing", DEFAULT_MAX_FILE_BYTES);
    expect(other.claimed.map(([index]) => index)).toEqual([0, 1]);
    mine = await loadMine(one.paths, [2, 3, 4], store);
    expectSame({ store, outcomes: await joinSides(one.paths, store, mine, other, "testing", DEFAULT_MAX_FILE_BYTES) }, one);
  });
});

/** A temporary copy of the demo state with a later file reusing run 5021 (qux on amd64) for qux on arm64. */
function demoWithReusedRunId(): { state: string; reusing: string; known: string } {
  const state = join(tempDir(), "state");
  cpSync(join(TESTDATA, "demo", "state"), state, { recursive: true });
  const reusing = writeResults(join(state, "results"), "20261125T113000.json", [record(run({ runId: 5021, arch: "arm64", status: "pass", createdAt: Date.parse("2026-11-25T08:20:00Z"), updatedAt: Date.parse("2026-11-25T11:20:00Z") })), record(run({ runId: 5024, package: "zed", version: "1.0-1", arch: "arm64", updatedAt: Date.parse("2026-11-25T11:20:00Z") }))]);
  return { state, reusing, known: join(state, "results", "20261125T110000.json") };
}

describe("the CLI with a reused run id", () => {
  const warningOf = (reusing: string, where: string) =>
    `warning: ${reusing}: results[0]: run 5021 is testing/arm64 qux for "glibc/2.41-7" here but testing/amd64 qux for "glibc/2.41-7" in ${where} (debci never reuses a run id): record skipped`;

  it("plan and report warn, count the skipped record, and answer from the first run; --strict is an error naming the file", async () => {
    const { state, reusing, known } = demoWithReusedRunId();
    const needs = join(TESTDATA, "demo", "needs.jsonl");
    const plan = await runCli(["plan", "--state", state, "--needs", needs, "--now", NOW, "--scratch", tempDir()]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stderr.split("\n")).toContain(warningOf(reusing, known));
    // The first run (qux on amd64, failed) stands; the skipped record's run (qux on arm64, passed) is nowhere.
    const answers = jsonLines(plan.stdout);
    expect(answers.find((a) => a.package === "qux" && a.arch === "amd64")).toMatchObject({ state: "fail", runId: 5021 });
    const status = await runCli(["status", "--state", state, "--package", "qux", "--trigger", G, "--arch", "arm64", "--now", NOW]);
    expect(jsonLines(status.stdout)[0]).toMatchObject({ state: "missing" });
    expect(jsonLines(status.stdout)[0]!.runId).toBeUndefined();
    // The rest of the file is read: zed on arm64 passed.
    const zed = await runCli(["status", "--state", state, "--package", "zed", "--trigger", G, "--arch", "arm64", "--now", NOW]);
    expect(jsonLines(zed.stdout)[0]).toMatchObject({ state: "pass", runId: 5024 });

    const report = await runCli(["report", "--state", state, "--now", NOW]);
    expect(report.code).toBe(0);
    expect(report.stderr.split("\n")).toContain(warningOf(reusing, known));
    const parsed = JSON.parse(report.stdout);
    expect(parsed.summary.skippedRecords).toBe(1);
    expect(parsed.files.withSkippedRecords.oldest).toEqual([{ path: reusing, skippedRecords: 1, firstProblem: expect.stringContaining("run 5021 is testing/arm64 qux") }]);

    const strict = await runCli(["plan", "--state", state, "--needs", needs, "--now", NOW, "--scratch", tempDir(), "--strict"]);
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain(`strict mode: ${reusing}: results[0]: run 5021 is testing/arm64 qux`);
  });

  it("serve's warnings method says it, and the file's knowledge is incomplete", async () => {
    const { state, reusing, known } = demoWithReusedRunId();
    const served = await runCli(["serve", "--state", state, "--now", NOW, "--scratch", tempDir()], '{"id":1,"method":"warnings"}\n');
    const [answer] = jsonLines(served.stdout) as Array<{ result: { warnings: string[]; incomplete: string[] } }>;
    expect(answer!.result.warnings).toContain(warningOf(reusing, known).slice("warning: ".length));
    expect(answer!.result.incomplete).toEqual([reusing]);
  });

  it("compact leaves the file unfolded and reported, and the base's run then stands", async () => {
    const { state, reusing } = demoWithReusedRunId();
    const compacted = await runCli(["compact", "--state", state, "--now", NOW]);
    expect(compacted.code, compacted.stderr).toBe(0);
    expect(JSON.parse(compacted.stdout)).toMatchObject({ folded: 2, foldedTotal: 2 });
    expect(compacted.stderr).toContain(`${reusing}: results[0]: run 5021 is testing/arm64 qux`);
    expect(compacted.stderr).toMatch(/record skipped \(not folded\)/);
    // Prune deletes folded files only: the reusing file stays, and stays reported, now against the base.
    await runCli(["prune", "--state", state, "--older-than", "0", "--now", "2027-01-01T00:00:00Z"]);
    expect(readdirSync(join(state, "results"))).toEqual(["20261125T113000.json"]);
    const report = await runCli(["report", "--state", state, "--now", NOW]);
    expect(report.stderr.split("\n")).toContain(warningOf(reusing, "the compacted base"));
    expect(JSON.parse(report.stdout).summary.skippedRecords).toBe(1);
    const status = await runCli(["status", "--state", state, "--package", "qux", "--trigger", G, "--arch", "amd64", "--now", NOW]);
    expect(jsonLines(status.stdout)[0]).toMatchObject({ state: "fail", runId: 5021 });
  });

  it("answers and warns the same on two threads as on one, reused run ids in every file (needs the build)", async () => {
    // Twelve files, each large enough that both threads take some, each reusing run ids of the others as other runs.
    const state = join(tempDir(), "state");
    const files = 12;
    for (let f = 0; f < files; f++) {
      const records = [];
      for (let r = 0; r < 12; r++) records.push(record(run({ runId: 1 + r, arch: (r + f) % 3 === 0 ? "arm64" : "amd64", status: f % 2 === 0 ? "pass" : "fail", updatedAt: T + f * 60_000 })));
      for (let r = 0; r < 8000; r++) records.push(record(run({ runId: 1000 + f * 8000 + r, package: `p${r % 300}` })));
      writeResults(join(state, "results"), `2026112${Math.floor(f / 10)}T0${f % 10}0000.json`, records);
    }
    const needs = join(tempDir(), "needs.jsonl");
    writeFileSync(needs, [...Array(300).keys()].map((p) => JSON.stringify({ package: `p${p}`, trigger: G, arch: "amd64" })).concat(["amd64", "arm64"].map((arch) => JSON.stringify({ package: "qux", trigger: G, arch }))).join("\n"));
    const args = ["plan", "--state", state, "--needs", needs, "--now", NOW, "--scratch", tempDir()];
    const two = await spawnCli(args);
    const one = await spawnCli(args, { DEBCI_BRIDGE_WORKERS: "0" });
    expect(two.code, two.stderr).toBe(0);
    expect(two.stdout).toEqual(one.stdout);
    // Every warning the same, in the same order (the summary line names a batch of its own).
    const warnings = (stderr: string) => stderr.split("\n").filter((l) => l.startsWith("warning: ") && !l.includes("results worker thread failed"));
    expect(warnings(two.stderr)).toEqual(warnings(one.stderr));
    expect(warnings(one.stderr)).toHaveLength(9);
    expect(one.stderr).toMatch(/run \d+ is testing\/(arm|amd)64 qux for "glibc\/2\.41-7" here but/);
    const report = (env: Record<string, string>) => spawnCli(["report", "--state", state, "--now", NOW], env).then((r) => JSON.parse(r.stdout));
    expect(await report({})).toEqual(await report({ DEBCI_BRIDGE_WORKERS: "0" }));
    // A worker thread that dies part way: this thread loads its files apart, and joins them the same.
    const crashed = await spawnCli(args, { DEBCI_BRIDGE_CRASH_AT: "results-worker-midway" });
    expect(crashed.stdout).toEqual(one.stdout);
    expect(crashed.stderr).toContain("warning: results worker thread failed");
    expect(warnings(crashed.stderr)).toEqual(warnings(one.stderr));
  });
});
