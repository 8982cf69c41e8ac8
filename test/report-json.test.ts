import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildReport, REPORT_LIMIT } from "../src/core/report.js";
import { DEFAULT_SETTINGS } from "../src/core/settings.js";
import { openSession } from "../src/session/session.js";
import { runCli } from "./support/cli.js";
import { at, indexOf, request } from "./support/knowledge.js";
import { copyScenarioState } from "./support/temp-state.js";
import { ARCHES, HOSTILE_ARCH, HOSTILE_MESSAGE, NOW, copyDemoState, makeLostState, type LostStateFacts } from "./report-html/states.js";

let root: string;
let lost: LostStateFacts;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "debci-bridge-report-"));
  lost = makeLostState(join(root, "lost"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const reportOf = async (args: string[]) => {
  const run = await runCli(["report", ...args]);
  expect(run.code, run.stderr).toBe(0);
  return { run, report: JSON.parse(run.stdout) };
};

describe("report on 20,000 lost requests", () => {
  it("leads with counts and caps each list to its oldest entries, the count beside it", async () => {
    const { run, report } = await reportOf(["--state", lost.state, "--now", NOW]);
    expect(Object.keys(report).slice(0, 4)).toEqual(["now", "ages", "summary", "limit"]);
    expect(report.summary).toEqual({
      runs: 4, keys: 20_010, pass: 2, fail: 2, pending: 5, missing: 20_001, inFlight: 5, lost: 20_000, refused: 1,
      unsentBatches: 0, rejectedBatches: 1, skippedFiles: 0, skippedRecords: 0, coverageGaps: 1,
    });
    expect(report.limit).toBe(REPORT_LIMIT);
    expect(report.requests.lost.count).toBe(20_000);
    expect(report.requests.lost.shown).toBe(REPORT_LIMIT);
    expect(report.requests.lost.oldest).toHaveLength(REPORT_LIMIT);
    const times = report.requests.lost.oldest.map((l: { requestedAt: string }) => l.requestedAt);
    expect(times).toEqual([...times].sort());
    expect(report.requests.lost.oldest[0]).toEqual({ key: lost.hostileKey, requestedAt: lost.oldestRequestedAt, batch: "20261121T090000Z-1057a1e0.json" });
    expect(report.requests.ledgerEntries).toBe(20_003);
    // The document a person reads: about 400 lines, not 100,000.
    expect(run.stdout.split("\n").length).toBeLessThan(1000);
    expect(run.stdout.length).toBeLessThan(40_000);
  });

  it("--full lists every entry, oldest first", async () => {
    const { report } = await reportOf(["--state", lost.state, "--now", NOW, "--full"]);
    expect(report.limit).toBeNull();
    expect(report.requests.lost).toMatchObject({ count: 20_000, shown: 20_000 });
    const times: string[] = report.requests.lost.oldest.map((l: { requestedAt: string }) => l.requestedAt);
    expect(new Set(report.requests.lost.oldest.map((l: { key: string }) => l.key)).size).toBe(20_000);
    expect(times).toEqual([...times].sort());
    expect(report.inFlight.oldest).toHaveLength(5);
  });

  it("shows the queue in flight by age, the oldest first with why it is in flight", async () => {
    const { report } = await reportOf(["--state", lost.state, "--now", NOW]);
    expect(report.inFlight.count).toBe(lost.inFlight);
    expect(report.inFlight.byAge).toEqual({ "<1h": 3, "1-6h": 1, "6-24h": 0, "1-3d": 1, ">3d": 0, unknown: 0 });
    expect(report.inFlight.oldest[0]).toEqual({
      key: "queued-long glibc/2.41-7 on testing/arm64", suite: "testing", arch: "arm64", package: "queued-long", trigger: "glibc/2.41-7",
      since: "2026-11-23T12:00:00.000Z", age: "2 days", evidence: ["snapshot"], runId: 9001,
    });
    expect(report.inFlight.oldest.slice(2).map((k: { evidence: string[] }) => k.evidence)).toEqual([["request"], ["request"], ["request"]]);
  });

  it("has a row per suite and arch whose columns add up to the counts", async () => {
    const { report } = await reportOf(["--state", lost.state, "--now", NOW]);
    const rows: Array<Record<string, number | string>> = report.arches;
    expect(rows.map((r) => r.arch)).toEqual([HOSTILE_ARCH, ...ARCHES].sort());
    for (const row of rows) {
      expect(row.lost).toBe(lost.lostPerArch[row.arch as string]);
      expect((row.pass as number) + (row.fail as number) + (row.pending as number) + (row.missing as number)).toBe(row.keys);
    }
    const sum = (k: string) => rows.reduce((n, r) => n + (r[k] as number), 0);
    expect({ keys: sum("keys"), pass: sum("pass"), fail: sum("fail"), pending: sum("pending"), missing: sum("missing"), inFlight: sum("inFlight"), lost: sum("lost"), refused: sum("refused") }).toEqual({
      keys: report.summary.keys, pass: report.summary.pass, fail: report.summary.fail, pending: report.summary.pending, missing: report.summary.missing,
      inFlight: report.summary.inFlight, lost: report.summary.lost, refused: report.summary.refused,
    });
    expect(rows.find((r) => r.arch === "amd64")).toMatchObject({ refused: 1, inFlight: 4, pass: 1, fail: 1 });
  });

  it("shows refusals with the service's message as written, and the coverage gap", async () => {
    const { report } = await reportOf(["--state", lost.state, "--now", NOW]);
    expect(report.requests.refused).toEqual({ count: 1, shown: 1, oldest: [{ key: "Bad_Name glibc/2.41-7 on testing/amd64", message: HOSTILE_MESSAGE, refusedAt: "2026-11-24T11:00:00.000Z", batch: "20261124T100000Z-rrrr0001.json" }] });
    expect(report.outbox.rejected).toEqual({ count: 1, shown: 1, oldest: ["20261124T100000Z-rrrr0001.json"] });
    expect(report.coverage.gaps).toEqual({ count: 1, shown: 1, oldest: [{ from: "2026-11-24T06:00:00.000Z", to: "2026-11-24T09:00:00.000Z" }] });
  });
});

describe("report, keys counted once", () => {
  it("answers every key the demo state knows, as status answers it", async () => {
    const state = copyDemoState(mkdtempSync(join(root, "demo-")));
    const { report } = await reportOf(["--state", state, "--now", NOW]);
    expect(report.keys).toEqual({ withRuns: 10, known: 12, pass: 6, fail: 3, pending: 1, missing: 2, rejectListed: 0 });
    expect(report.runs).toEqual({ total: 9, pass: 4, fail: 3, neutral: 1, tmpfail: 1, running: 0, withoutTrigger: 0 });
    // Each key in flight and each lost one answers so on its own.
    for (const k of report.inFlight.oldest) {
      const status = JSON.parse((await runCli(["status", "--state", state, "--now", NOW, "--package", k.package, "--trigger", k.trigger, "--arch", k.arch])).stdout);
      expect(status).toMatchObject({ inFlight: true, pendingSince: k.since });
    }
    expect(report.requests.lost.oldest.map((l: { key: string }) => l.key)).toEqual(["libfoo glibc/2.41-7 on testing/amd64"]);
    const libfoo = JSON.parse((await runCli(["status", "--state", state, "--now", NOW, "--package", "libfoo", "--trigger", "glibc/2.41-7", "--arch", "amd64"])).stdout);
    expect(libfoo).toMatchObject({ lost: true });
  });

  it("counts a run for several triggers under each, as the index does", async () => {
    const state = copyScenarioState("multi-trigger");
    const session = await openSession({ stateDir: state, mode: "read-only", now: at(NOW) });
    try {
      const report = buildReport(session.index, session.settings, at(NOW), session.loaded.files, session.loaded.coverage, session.loaded.repairedBatches);
      expect(report.keys.withRuns).toBe(session.index.countKeys());
      expect(report.keys.known).toBeGreaterThanOrEqual(report.keys.withRuns);
      expect(report.ages).toMatchObject({ stale: session.ages.stale, snapshotAgeMs: session.ages.snapshotAgeMs, resultsAgeMs: session.ages.resultsAgeMs });
    } finally {
      await session.close();
    }
  });

  it("keeps the oldest, names breaking ties, whatever order the keys come in", () => {
    const same = "2026-11-24T08:00:00Z";
    const requests = [
      request(same, { package: "zeta" }),
      request("2026-11-24T09:00:00Z", { package: "late" }),
      request(same, { package: "alpha" }),
      request("2026-11-23T08:00:00Z", { package: "first" }),
      request(same, { package: "mid" }),
    ];
    const keysOf = (limit: number, order: typeof requests) => {
      const index = indexOf({ requests: order, snapshotAt: "2026-11-25T11:30:00Z" });
      const report = buildReport(index, DEFAULT_SETTINGS, at(NOW), [], [], [], null, { limit });
      return { count: report.requests.lost.count, keys: report.requests.lost.oldest.map((l) => l.key.split(" ")[0]) };
    };
    const all = ["first", "alpha", "mid", "zeta", "late"];
    for (const order of [requests, [...requests].reverse()]) {
      expect(keysOf(Number.POSITIVE_INFINITY, order)).toEqual({ count: 5, keys: all });
      expect(keysOf(3, order)).toEqual({ count: 5, keys: all.slice(0, 3) });
      expect(keysOf(0, order)).toEqual({ count: 5, keys: [] });
    }
  });
});
