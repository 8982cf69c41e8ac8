import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jsonLines, runCli } from "./support/cli.js";
import { copyScenarioState, snapshotTree } from "./support/temp-state.js";

const NOW = "2026-11-25T12:00:00Z";

describe("status", () => {
  it("answers one key in the same shape as plan, and writes nothing", async () => {
    const state = copyScenarioState("fail-then-pending-rerun");
    const before = snapshotTree(state);
    const run = await runCli(["status", "--state", state, "--package", "baz", "--trigger", "glibc/2.41-7", "--arch", "amd64", "--now", NOW]);
    expect(run.code).toBe(0);
    expect(jsonLines(run.stdout)).toEqual([
      {
        suite: "testing",
        arch: "amd64",
        package: "baz",
        trigger: "glibc/2.41-7",
        state: "fail",
        outcome: "fail",
        result: "FAIL",
        version: "4.5-1",
        runId: 301,
        updatedAt: "2026-11-24T10:00:00.000Z",
        inFlight: true,
        pendingSince: "2026-11-25T06:05:00.000Z",
        lost: false,
        rejected: false,
        baseline: "missing",
        baselineResult: "NONE",
        label: "RUNNING-REFERENCE",
      },
    ]);
    expect(snapshotTree(state)).toEqual(before);
  });

  it("takes --suite", async () => {
    const state = copyScenarioState("pass-to-pass");
    const run = await runCli(["status", "--state", state, "--package", "baz", "--trigger", "glibc/2.41-7", "--arch", "amd64", "--suite", "unstable"]);
    expect(jsonLines(run.stdout)[0]).toMatchObject({ suite: "unstable", state: "missing" });
  });

  it("takes no lock, so it works while a committing run holds it", async () => {
    const state = copyScenarioState("pass-to-pass");
    writeFileSync(join(state, "debci-bridge.lock"), JSON.stringify({ pid: process.pid, hostname: "elsewhere", command: "debci-bridge plan", startedAt: NOW }));
    const run = await runCli(["status", "--state", state, "--package", "baz", "--trigger", "glibc/2.41-7", "--arch", "amd64"]);
    expect(run.code).toBe(0);
  });
});

describe("report", () => {
  it("shows lost requests and what is pending", async () => {
    const state = copyScenarioState("lost-request");
    const run = await runCli(["report", "--state", state, "--now", NOW]);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    // The list follows the answers: qux's run vanished and its request is not in the ledger, so it is listed by the run's creation.
    expect(report.requests.lost).toEqual({
      count: 2,
      shown: 2,
      oldest: [
        { key: "baz glibc/2.41-7 on testing/amd64", requestedAt: "2026-11-24T08:00:00.000Z", batch: "20261124T080000Z-bbbb0001.json" },
        { key: "qux glibc/2.41-7 on testing/amd64", requestedAt: "2026-11-25T09:00:00.000Z", batch: null },
      ],
    });
    expect(report.requests.ledgerEntries).toBe(2);
    expect(report.pending).toEqual({ generatedAt: "2026-11-25T11:30:00.000Z", since: null, count: 0, oldestCreatedAt: null });
    expect(report.runs).toMatchObject({ total: 1, running: 1 });
    expect(report.summary).toMatchObject({ runs: 1, lost: 2 });
  });

  it("leads with the data ages and the counts, and says when the data is stale", async () => {
    const state = copyScenarioState("lost-request");
    const fresh = JSON.parse((await runCli(["report", "--state", state, "--now", NOW])).stdout);
    expect(Object.keys(fresh).slice(0, 3)).toEqual(["now", "ages", "summary"]);
    expect(fresh.now).toBe("2026-11-25T12:00:00.000Z");
    expect(fresh.ages).toMatchObject({ snapshotAt: "2026-11-25T11:30:00.000Z", snapshotAge: "30 minutes", snapshotAgeMs: 1_800_000, stale: false, staleAfterHours: 6, warning: null });
    const late = await runCli(["report", "--state", state, "--now", "2026-11-26T12:00:00Z"]);
    const stale = JSON.parse(late.stdout);
    expect(stale.ages).toMatchObject({ snapshotAge: "24 hours", stale: true, warning: expect.stringMatching(/^stale data: the pending snapshot is 24 hours old \(2026-11-25T11:30:00\.000Z\)/) });
    // The same words as every command's warning on stderr.
    expect(late.stderr).toContain(`warning: ${stale.ages.warning}`);
  });

  it("shows files skipped and why, and malformed records", async () => {
    const state = copyScenarioState("truncated-file");
    const report = JSON.parse((await runCli(["report", "--state", state])).stdout);
    expect(report.files.results).toBe(2);
    expect(report.files.skipped).toEqual({ count: 1, shown: 1, oldest: [{ path: join(state, "results", "20261125T090000.json"), kind: "results", problem: expect.stringMatching(/^not valid JSON/) }] });
    expect(report.files.skippedRecords).toBe(1);
    expect(report.files.withSkippedRecords.oldest[0]).toMatchObject({ path: join(state, "results", "20261125T100000.json"), skippedRecords: 1 });
    expect(report.runs.total).toBe(2);
    expect(report.keys).toMatchObject({ withRuns: 2, known: 2 });
    expect(report.summary).toMatchObject({ skippedFiles: 1, skippedRecords: 1 });
  });

  it("shows unsent batches and a repaired ledger", async () => {
    const state = copyScenarioState("crash-before-ledger");
    const report = JSON.parse((await runCli(["report", "--state", state])).stdout);
    expect(report.outbox.unsent).toEqual({ count: 1, shown: 1, oldest: [{ name: "20261125T111000Z-eeee0001.json", huge: false, tests: 1 }] });
    expect(report.requests.repairedBatches).toEqual({ count: 1, shown: 1, oldest: ["20261125T111000Z-eeee0001.json"] });
    expect(report.summary.unsentBatches).toBe(1);
  });

  it("shows coverage and its gaps where files say which window they answer", async () => {
    const state = copyScenarioState("pass-to-pass");
    const window = (since: string, until: string) => ({ since: Date.parse(since) / 1000, until: Date.parse(until) / 1000, results: [] });
    writeFileSync(join(state, "results", "a.json"), JSON.stringify(window("2026-11-25T09:30:00Z", "2026-11-25T10:00:00Z")));
    writeFileSync(join(state, "results", "b.json"), JSON.stringify(window("2026-11-25T10:30:00Z", "2026-11-25T11:00:00Z")));
    const report = JSON.parse((await runCli(["report", "--state", state])).stdout);
    expect(report.coverage).toEqual({
      windows: 3,
      from: "2026-11-24T00:00:00.000Z",
      to: "2026-11-25T11:00:00.000Z",
      gaps: { count: 1, shown: 1, oldest: [{ from: "2026-11-25T10:00:00.000Z", to: "2026-11-25T10:30:00.000Z" }] },
    });
    expect(report.summary.coverageGaps).toBe(1);
  });
});
