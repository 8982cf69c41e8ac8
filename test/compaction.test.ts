import { DEFAULT_MAX_FILE_BYTES } from "../src/store/read-json.js";
import { mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeWorkload } from "../bench/workload.js";
import { RunStore } from "../src/core/run-store.js";
import { loadInWorker, loadSequentially } from "../src/store/load-results.js";
import { jsonLines, runCli, spawnCli } from "./support/cli.js";
import { SCENARIOS, TESTDATA, copyScenarioState, tempDir } from "./support/temp-state.js";

const NOW = "2026-11-25T12:00:00Z";

/** Every answer of a plan in scratch mode, as text: what must not change. */
async function answers(state: string, needs: string): Promise<string> {
  const run = await runCli(["plan", "--state", state, "--needs", needs, "--now", NOW, "--scratch", tempDir()]);
  expect(run.code, run.stderr).toBe(0);
  return run.stdout;
}

/** A generated state, results split in two: some files arrive after the compaction. */
function generated(results: number, seed: number) {
  const dir = tempDir();
  const state = join(dir, "state");
  const workload = makeWorkload(state, { results, files: 12, needs: 1500, seed });
  const needs = join(dir, "needs.json");
  writeFileSync(needs, JSON.stringify(workload.needs));
  const later = join(dir, "later");
  mkdirSync(later);
  const files = readdirSync(join(state, "results")).sort();
  for (const name of files.slice(8)) renameSync(join(state, "results", name), join(later, name));
  const arrive = () => {
    for (const name of readdirSync(later)) renameSync(join(later, name), join(state, "results", name));
  };
  return { state, needs, arrive };
}

describe("loading many results files on two threads", () => {
  it("gives the same state and answers as loading them on one", async () => {
    const { state, needs, arrive } = generated(8000, 61);
    arrive();
    const args = ["plan", "--state", state, "--needs", needs, "--now", NOW, "--scratch", tempDir()];
    const two = await spawnCli(args);
    const one = await spawnCli(args, { DEBCI_BRIDGE_WORKERS: "0" });
    expect(two.code, two.stderr).toBe(0);
    expect(two.stdout).toEqual(one.stdout);
    // One --now for both: the report states the data ages, which the clock would otherwise move between the two runs.
    const report = (env: Record<string, string>) => spawnCli(["report", "--state", state, "--now", NOW], env).then((r) => JSON.parse(r.stdout));
    expect(await report({})).toEqual(await report({ DEBCI_BRIDGE_WORKERS: "0" }));
  });

  it("a worker thread that dies part way loses no file: this thread loads what it took (fault injected for real)", async () => {
    // Files large enough that this thread cannot take them all before the worker starts.
    const { state, needs, arrive } = generated(100_000, 63);
    arrive();
    const args = ["plan", "--state", state, "--needs", needs, "--now", NOW, "--scratch", tempDir()];
    const crashed = await spawnCli(args, { DEBCI_BRIDGE_CRASH_AT: "results-worker-midway" });
    const one = await spawnCli(args, { DEBCI_BRIDGE_WORKERS: "0" });
    expect(crashed.code, crashed.stderr).toBe(0);
    // The fault really fired, and is said; the answers are those of one thread loading every file.
    expect(crashed.stderr).toMatch(/warning: results worker thread failed \(results worker exited with code 70\); its files were loaded on the main thread/);
    expect(crashed.stdout).toEqual(one.stdout);
    // One --now for both: the report states the data ages, which the clock would otherwise move between the two runs.
    const report = (env: Record<string, string>) => spawnCli(["report", "--state", state, "--now", NOW], env).then((r) => JSON.parse(r.stdout));
    expect(await report({ DEBCI_BRIDGE_CRASH_AT: "results-worker-midway" })).toEqual(await report({ DEBCI_BRIDGE_WORKERS: "0" }));
  });

  it("the worker thread really loads its files (no silent fallback)", async () => {
    const { state, arrive } = generated(3000, 62);
    arrive();
    const paths = readdirSync(join(state, "results")).sort().map((n) => join(state, "results", n));
    // Alone with the shared counter, the worker takes every file, each once.
    const fromWorker = await loadInWorker(paths, new SharedArrayBuffer(4), "testing", DEFAULT_MAX_FILE_BYTES);
    const here = new RunStore();
    await loadSequentially(paths, here, "testing", DEFAULT_MAX_FILE_BYTES);
    expect(fromWorker.claimed.map(([index]) => index)).toEqual(paths.map((_, i) => i));
    expect(fromWorker.claimed.map(([, o]) => o.records)).toEqual(paths.map(() => expect.any(Number)));
    expect(fromWorker.rows.length / 9).toBe(here.size);
    const merged = new RunStore();
    merged.mergeForeign(fromWorker.tables, fromWorker.rows);
    expect([...merged.values()].sort((a, b) => a.runId - b.runId)).toEqual([...here.values()].sort((a, b) => a.runId - b.runId));
  });
});

describe("compact", () => {
  it.each([11, 12, 13])("gives the same answers from base + later files as from all the raw files (workload seed %i)", async (seed) => {
    const { state, needs, arrive } = generated(6000, seed);
    const compacted = await runCli(["compact", "--state", state, "--now", NOW]);
    expect(compacted.code, compacted.stderr).toBe(0);
    expect(JSON.parse(compacted.stdout)).toMatchObject({ folded: 8, foldedTotal: 8 });
    arrive();
    const fromBase = await answers(state, needs);
    // The same files, all raw: move the base away.
    renameSync(join(state, "compacted.base"), join(state, "..", "base.aside"));
    expect(await answers(state, needs)).toEqual(fromBase);
    expect(fromBase.split("\n").length).toBeGreaterThan(1500);
  });

  it("folds scenario states without changing an answer, and a second compaction folds only what is new", async () => {
    for (const name of ["truncated-file", "null-then-final", "multi-trigger", "older-version", "lost-request"]) {
      const state = copyScenarioState(name);
      const needs = join(SCENARIOS, name, "needs.jsonl");
      const before = await answers(state, needs);
      const first = await runCli(["compact", "--state", state, "--now", NOW]);
      expect(first.code).toBe(0);
      expect(await answers(state, needs)).toEqual(before);
      const second = await runCli(["compact", "--state", state, "--now", NOW]);
      expect(JSON.parse(second.stdout).folded).toBe(0);
      const report = JSON.parse((await runCli(["report", "--state", state])).stdout);
      expect(report.base).toMatchObject({ path: join(state, "compacted.base"), compactedAt: "2026-11-25T12:00:00.000Z", folded: report.base.foldedOnDisk });
    }
  });

  it("does not fold a malformed file: it stays reported, and is read again once fixed", async () => {
    const state = copyScenarioState("truncated-file");
    const run = await runCli(["compact", "--state", state, "--now", NOW]);
    expect(run.stderr).toMatch(/20261125T090000\.json: skipped: not valid JSON .* \(not folded\)/);
    // The file with one malformed record is not folded either: its problem stays reported, and prune never deletes it.
    expect(run.stderr).toMatch(/20261125T100000\.json: .*malformed record.* \(not folded\)/);
    expect(JSON.parse(run.stdout)).toMatchObject({ folded: 1 });
    const pruned = await runCli(["prune", "--state", state, "--older-than", "0", "--now", "2027-01-01T00:00:00Z"]);
    expect(JSON.parse(pruned.stdout).deleted).toEqual(["20261125T080000.json"]);
    expect((await runCli(["report", "--state", state, "--now", NOW])).stdout).toContain("20261125T100000.json");
    const status = await runCli(["status", "--state", state, "--package", "zed", "--trigger", "glibc/2.41-7", "--arch", "amd64", "--now", NOW]);
    expect(status.stderr).toMatch(/20261125T090000\.json: skipped/);
    writeFileSync(join(state, "results", "20261125T090000.json"), JSON.stringify({ results: [{ run_id: 803, trigger: "glibc/2.41-7", package: "zed", arch: "amd64", suite: "testing", version: "1.0-1", status: "pass", updated_at: "2026-11-25T08:30:00Z" }] }));
    const fixed = await runCli(["status", "--state", state, "--package", "zed", "--trigger", "glibc/2.41-7", "--arch", "amd64", "--now", NOW]);
    expect(jsonLines(fixed.stdout)[0]).toMatchObject({ state: "pass", runId: 803 });
  });

  it("a crash before the base is renamed into place loses nothing, and the next compaction completes", async () => {
    const { state, needs, arrive } = generated(3000, 21);
    arrive();
    const before = await answers(state, needs);
    const crashed = await spawnCli(["compact", "--state", state, "--now", NOW], { DEBCI_BRIDGE_CRASH_AT: "compact-before-rename" });
    expect(crashed.signal).toBe("SIGKILL");
    expect(readdirSync(state)).not.toContain("compacted.base");
    expect(await answers(state, needs)).toEqual(before);
    const again = await spawnCli(["compact", "--state", state, "--now", NOW]);
    expect(again.code, again.stderr).toBe(0);
    expect(readdirSync(state).filter((n) => n.endsWith(".tmp"))).toEqual([]); // the dead run's temp file is gone
    expect(await answers(state, needs)).toEqual(before);
  });

  it("a damaged base is an error naming what is wrong, never skipped", async () => {
    const state = copyScenarioState("multi-trigger");
    await runCli(["compact", "--state", state, "--now", NOW]);
    const path = join(state, "compacted.base");
    const bytes = readFileSync(path);
    const status = () => runCli(["status", "--state", state, "--package", "baz", "--trigger", "glibc/2.41-7", "--arch", "amd64", "--now", NOW]);
    writeFileSync(path, bytes.subarray(0, bytes.length - 10));
    let run = await status();
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/compacted\.base: \d+ bytes where its header says \d+ \(cut short\?\); the compacted base is damaged/);
    // A package id beyond its table (the columns end the file, 45 bytes a run; packages after the 8-byte columns and two 4-byte ones).
    const broken = Buffer.from(bytes);
    const columns = broken.length - 2 * 45;
    broken.writeUInt32LE(99, columns + 2 * 3 * 8 + 2 * 2 * 4);
    writeFileSync(path, broken);
    run = await status();
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/compacted\.base: row 0: packages id 99 is not in its table; the compacted base is damaged/);
  });

  it("still reads an older JSON-lines base (compacted.jsonl), and the next compact moves it to the binary one", async () => {
    const state = copyScenarioState("multi-trigger");
    const before = jsonLines((await runCli(["plan", "--state", state, "--needs", join(SCENARIOS, "multi-trigger", "needs.jsonl"), "--now", NOW, "--scratch", tempDir()])).stdout);
    // A base written by the JSON-lines compact, folding this scenario's one results file.
    writeFileSync(join(state, "compacted.jsonl"), readFileSync(join(TESTDATA, "legacy-base", "compacted.jsonl")));
    const fromLegacy = await runCli(["plan", "--state", state, "--needs", join(SCENARIOS, "multi-trigger", "needs.jsonl"), "--now", NOW, "--scratch", tempDir()]);
    expect(jsonLines(fromLegacy.stdout)).toEqual(before);
    expect(JSON.parse((await runCli(["report", "--state", state, "--now", NOW])).stdout).base).toMatchObject({ runs: 2, foldedOnDisk: 1 });
    expect((await runCli(["compact", "--state", state, "--now", NOW])).code).toBe(0);
    expect(readdirSync(state)).toContain("compacted.base");
    expect(readdirSync(state)).not.toContain("compacted.jsonl");
    expect(jsonLines((await runCli(["plan", "--state", state, "--needs", join(SCENARIOS, "multi-trigger", "needs.jsonl"), "--now", NOW, "--scratch", tempDir()])).stdout)).toEqual(before);
    const damaged = copyScenarioState("multi-trigger");
    writeFileSync(join(damaged, "compacted.jsonl"), readFileSync(join(TESTDATA, "legacy-base", "compacted.jsonl"), "utf8").slice(0, -10));
    expect((await runCli(["report", "--state", damaged, "--now", NOW])).stderr).toMatch(/compacted\.jsonl line \d+: .*the compacted base is damaged/);
  });

  it("reads the older binary base (debci-bridge-base/2, tables in its header) with the same answers, and the next compact rewrites it as /3", async () => {
    const state = copyScenarioState("multi-trigger");
    const needs = join(SCENARIOS, "multi-trigger", "needs.jsonl");
    const before = jsonLines((await runCli(["plan", "--state", state, "--needs", needs, "--now", NOW, "--scratch", tempDir()])).stdout);
    // Written by the compact of the commit before debci-bridge-base/3, folding this scenario's one results file.
    writeFileSync(join(state, "compacted.base"), readFileSync(join(TESTDATA, "legacy-base", "compacted-v2.base")));
    expect(jsonLines((await runCli(["dump-base", "--state", state])).stdout)[0]).toMatchObject({ format: "debci-bridge-base/2", runs: 2 });
    expect(jsonLines((await runCli(["plan", "--state", state, "--needs", needs, "--now", NOW, "--scratch", tempDir()])).stdout)).toEqual(before);
    // Nothing new to fold, yet compact moves the base to the current format.
    expect((await runCli(["compact", "--state", state, "--now", NOW])).code).toBe(0);
    expect(readFileSync(join(state, "compacted.base")).subarray(0, 8).toString()).toBe("DBBASE3\n");
    expect(jsonLines((await runCli(["plan", "--state", state, "--needs", needs, "--now", NOW, "--scratch", tempDir()])).stdout)).toEqual(before);
  });

  it("refuses a /3 base whose string table does not hold together, naming the file and what to do", async () => {
    const state = copyScenarioState("multi-trigger");
    await runCli(["compact", "--state", state, "--now", NOW]);
    const bytes = readFileSync(join(state, "compacted.base"));
    // The first package name's first byte changed: its hash no longer leads to it.
    const at = bytes.indexOf(Buffer.from("baz"), 12 + bytes.readUInt32LE(8));
    bytes[at] = 0x63;
    writeFileSync(join(state, "compacted.base"), bytes);
    const run = await runCli(["report", "--state", state, "--now", NOW]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/compacted\.base: a string table that does not hold together; the compacted base is damaged \(restore it, or remove it and re-fetch the results it folded\)/);
  });

  it("dump-base shows the binary base as JSON lines: its header, then one run per line", async () => {
    const state = copyScenarioState("multi-trigger");
    await runCli(["compact", "--state", state, "--now", NOW]);
    const run = await runCli(["dump-base", "--state", state]);
    expect(run.code, run.stderr).toBe(0);
    const [header, ...runs] = jsonLines(run.stdout);
    expect(header).toMatchObject({ format: "debci-bridge-base/3", runs: 2, folded: [expect.objectContaining({ name: "20261125T093000.json" })] });
    expect(runs).toHaveLength(2);
    expect(runs[0]).toMatchObject({ run_id: expect.any(Number), suite: "testing", arch: "amd64", package: "baz", status: expect.any(String), trigger: expect.stringContaining("glibc/2.41-7") });
  });
});

describe("prune", () => {
  it("deletes only folded files older than the retention age, and answers do not change", async () => {
    const { state, needs, arrive } = generated(3000, 31);
    await runCli(["compact", "--state", state, "--now", NOW]);
    arrive(); // four newer files, not folded
    const before = await answers(state, needs);
    const all = readdirSync(join(state, "results")).sort();
    // The generated files cover 2026-10-01 .. 2026-11-25; keep the last 30 days.
    const run = await runCli(["prune", "--state", state, "--older-than", "30", "--now", NOW]);
    expect(run.code, run.stderr).toBe(0);
    const { deleted } = JSON.parse(run.stdout) as { deleted: string[] };
    expect(deleted.length).toBeGreaterThan(0);
    expect(deleted.every((name) => all.slice(0, 8).includes(name))).toBe(true); // never an unfolded file
    expect(readdirSync(join(state, "results")).sort()).toEqual(all.filter((n) => !deleted.includes(n)));
    expect(await answers(state, needs)).toEqual(before);
    const everything = await runCli(["prune", "--state", state, "--older-than", "0", "--now", NOW]);
    expect(readdirSync(join(state, "results")).sort()).toEqual(all.slice(8)); // the unfolded four stay
    expect(JSON.parse(everything.stdout).kept).toBe(4);
    expect(await answers(state, needs)).toEqual(before);
  });

  it("a crash half way through loses nothing; running it again finishes the job", async () => {
    const { state, needs, arrive } = generated(3000, 41);
    arrive();
    await runCli(["compact", "--state", state, "--now", NOW]);
    const before = await answers(state, needs);
    const crashed = await spawnCli(["prune", "--state", state, "--older-than", "0", "--now", NOW], { DEBCI_BRIDGE_CRASH_AT: "prune-midway" });
    expect(crashed.signal).toBe("SIGKILL");
    expect(readdirSync(join(state, "results"))).toHaveLength(11);
    expect(await answers(state, needs)).toEqual(before);
    const again = await spawnCli(["prune", "--state", state, "--older-than", "0", "--now", NOW]);
    expect(again.code, again.stderr).toBe(0);
    expect(readdirSync(join(state, "results"))).toHaveLength(0);
    expect(await answers(state, needs)).toEqual(before);
  });

  it("deletes sent batches older than the retention age, never unsent or rejected ones, and the ledger forgets their names", async () => {
    const state = copyScenarioState("new-package");
    await runCli(["plan", "--state", state, "--needs", join(SCENARIOS, "new-package", "needs.jsonl"), "--now", "2026-10-01T12:00:00Z"]);
    const old = readdirSync(join(state, "outbox")).filter((n) => n.endsWith(".json"));
    mkdirSync(join(state, "outbox", "sent"));
    mkdirSync(join(state, "outbox", "rejected"));
    renameSync(join(state, "outbox", old[0]!), join(state, "outbox", "sent", old[0]!));
    renameSync(join(state, "outbox", old[1]!), join(state, "outbox", "rejected", old[1]!));
    writeFileSync(join(state, "outbox", "sent", "20261125T110000Z-00000001.json"), "[]");
    const run = await runCli(["prune", "--state", state, "--older-than", "30", "--now", NOW]);
    expect(JSON.parse(run.stdout).deletedSent).toEqual([old[0]]);
    expect(readdirSync(join(state, "outbox", "sent"))).toEqual(["20261125T110000Z-00000001.json"]);
    expect(readdirSync(join(state, "outbox", "rejected"))).toEqual([old[1]]);
  });

  it("needs --older-than", async () => {
    const run = await runCli(["prune", "--state", copyScenarioState("multi-trigger")]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("--older-than is required");
  });
});

describe("watermark", () => {
  it("is the highest until known less the overlap, folded files included", async () => {
    const { state } = generated(2000, 51);
    const raw = JSON.parse((await runCli(["watermark", "--state", state])).stdout);
    await runCli(["compact", "--state", state, "--now", NOW]);
    await runCli(["prune", "--state", state, "--older-than", "0", "--now", NOW]);
    const afterPrune = JSON.parse((await runCli(["watermark", "--state", state, "--overlap", "30"])).stdout);
    expect(afterPrune.until).toBe(raw.until);
    expect(Date.parse(afterPrune.since)).toBe(Date.parse(raw.until) - 30 * 60_000);
    expect(Date.parse(raw.since)).toBe(Date.parse(raw.until) - 60 * 60_000);
    expect(afterPrune.gaps).toEqual([]);
  });

  it("says when coverage has a gap that needs a wider replay", async () => {
    const state = join(tempDir(), "state");
    mkdirSync(join(state, "results"), { recursive: true });
    const file = (name: string, since: string, until: string) => writeFileSync(join(state, "results", name), JSON.stringify({ since: Date.parse(since) / 1000, until: Date.parse(until) / 1000, results: [] }));
    file("a.json", "2026-11-25T08:00:00Z", "2026-11-25T09:00:00Z");
    file("b.json", "2026-11-25T10:00:00Z", "2026-11-25T11:00:00Z");
    const run = await runCli(["watermark", "--state", state, "--overlap", "0", "--now", "2026-11-25T12:00:00Z"]);
    expect(JSON.parse(run.stdout)).toEqual({
      ignoredUntils: 0,
      since: "2026-11-25T11:00:00.000Z",
      until: "2026-11-25T11:00:00.000Z",
      gaps: [{ from: "2026-11-25T09:00:00.000Z", to: "2026-11-25T10:00:00.000Z" }],
      replayFrom: "2026-11-25T09:00:00.000Z",
    });
    expect(run.stderr).toContain("coverage has 1 gap(s); replay them with: debci-bridge fetch --since 2026-11-25T09:00:00.000Z");
    expect(JSON.parse((await runCli(["watermark", "--state", tempDir()])).stdout)).toEqual({ ignoredUntils: 0, since: null, until: null, gaps: [], replayFrom: null });
  });

  it("does not believe an until after now, and never answers a since below 0", async () => {
    const state = join(tempDir(), "state");
    mkdirSync(join(state, "results"), { recursive: true });
    // A server's clock ran years ahead: that file's results count, its until does not.
    writeFileSync(join(state, "results", "bogus.json"), JSON.stringify({ since: 1795600000, until: Date.parse("2030-01-01T00:00:00Z") / 1000, results: [] }));
    // One beyond any printable date (10^13 s) is no time at all: the file is reported malformed, not a crash.
    writeFileSync(join(state, "results", "absurd.json"), JSON.stringify({ since: 1795600000, until: 10_000_000_000_000, results: [] }));
    const report = await runCli(["report", "--state", state, "--now", "2026-11-25T12:00:00Z"]);
    expect(report.code, report.stderr).toBe(0);
    expect(JSON.parse(report.stdout).files.skipped.oldest).toEqual([expect.objectContaining({ problem: expect.stringContaining("until: Too big") })]);
    writeFileSync(join(state, "results", "early.json"), JSON.stringify({ since: 0, until: 600, results: [] }));
    const run = await runCli(["watermark", "--state", state, "--overlap", "60", "--now", "2026-11-25T12:00:00Z"]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ ignoredUntils: 1, since: "1970-01-01T00:00:00.000Z", until: "1970-01-01T00:10:00.000Z" });
    expect(run.stderr).toContain("1 file(s) claim an until after now; not believed");
  });
});
