import fc from "fast-check";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RunStore } from "../src/core/run-store.js";
import { MAX_CLOCK_SKEW_MS } from "../src/core/retention.js";
import { receiveResults } from "../src/sync/fetch.js";
import { coveredUntil, startSince } from "../src/sync/fetch-window.js";
import type { Received } from "../src/sync/http.js";
import { foldResultsFile, fileWindow } from "../src/store/load-results.js";
import { readJsonFile } from "../src/store/read-json.js";
import { tempDir } from "./support/temp-state.js";

const NOW = Date.parse("2026-11-25T12:00:00Z");

/** What a server may say as `until`: debci's own values (a real time, 0, below since) and a broken one's. */
const reportedUntil = fc.oneof(
  fc.integer({ min: 0, max: Math.floor(NOW / 1000) }),
  fc.constantFrom(0, -3600, 10_000_000_000_000, 1.5, Number.MAX_SAFE_INTEGER, Math.floor(NOW / 1000) + 86_400),
  fc.constantFrom(null, undefined, "1795608000", true),
);

/** Records as debci renders them, some of them odd (a time in the future, a null version, a bad status). */
const record = fc.record({
  run_id: fc.nat({ max: 1_000_000 }),
  trigger: fc.constantFrom("glibc/2.41-7", "a/1 b/2", null),
  package: fc.constantFrom("baz", "qux", "libé-ü"),
  arch: fc.constantFrom("amd64", "arm64"),
  suite: fc.constant("testing"),
  version: fc.constantFrom("4.5-1", null, "n/a"),
  status: fc.constantFrom("pass", "fail", "neutral", "tmpfail", null, "bogus"),
  created_at: fc.integer({ min: NOW - 40 * 86_400_000, max: NOW + 10 * 86_400_000 }).map((t) => new Date(t).toISOString()),
  updated_at: fc.integer({ min: NOW - 40 * 86_400_000, max: NOW + 10 * 86_400_000 }).map((t) => new Date(t).toISOString()),
  message: fc.string({ unit: "grapheme", maxLength: 30 }),
});

/** A body delivered in chunks cut at arbitrary byte offsets (inside a multi-byte character too). */
function answerOf(body: Buffer, cuts: number[]): Received {
  const points = [...new Set(cuts.map((c) => c % (body.length + 1)))].sort((a, b) => a - b);
  return {
    status: 200,
    headers: new Headers(),
    async *chunks() {
      let from = 0;
      for (const p of [...points, body.length]) {
        if (p > from) yield body.subarray(from, p);
        from = p;
      }
    },
    text: async () => body.toString("utf8"),
  };
}

describe("whatever the service answers, fetch writes files the loader reads", () => {
  it("every slice of every answer is loadable, holds every record once, and its window never runs backwards or into the future", async () => {
    const root = tempDir();
    let n = 0;
    await fc.assert(
      fc.asyncProperty(reportedUntil, fc.integer({ min: 0, max: Math.floor(NOW / 1000) }), fc.array(record, { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 6 }), fc.integer({ min: 200, max: 4000 }), async (until, since, records, cuts, sliceBytes) => {
        const dir = join(root, String(n++));
        mkdirSync(dir);
        const body = Buffer.from(JSON.stringify(until === undefined ? { results: records } : { until, results: records }));
        const got = await receiveResults(answerOf(body, cuts), { now: NOW, suite: "testing", maxBytes: 1 << 30, maxSliceBytes: sliceBytes }, { dir, since, stamp: "20261125T120000Z", windowSince: null });
        const window = coveredUntil(got.reported, since, NOW, got.newest);
        const files = await got.slices.finish(window.until);
        expect(Number.isSafeInteger(window.until)).toBe(true);
        expect(window.until).toBeGreaterThanOrEqual(since);
        expect(window.until * 1000).toBeLessThanOrEqual(Math.max(since * 1000, NOW + MAX_CLOCK_SKEW_MS));
        let loaded = 0;
        const store = new RunStore();
        for (const file of files) {
          const read = await readJsonFile(file);
          const outcome = foldResultsFile(file, read, store, "testing");
          expect(outcome.status, outcome.problem).toBe("read");
          expect(fileWindow(read)).not.toBeNull();
          loaded += outcome.records! + outcome.skippedRecords!;
        }
        expect(loaded).toBe(records.length);
        expect(readdirSync(dir).filter((f) => f.startsWith("."))).toEqual([]); // no temporary file left
        rmSync(dir, { recursive: true });
      }),
      { numRuns: 150 },
    );
  });

  it("never starts below 0, whatever the watermark or the backfill", () => {
    fc.assert(
      fc.property(fc.option(fc.integer({ min: -10_000_000, max: NOW })), fc.option(fc.integer({ min: -100_000, max: 2_000_000_000 })), fc.integer({ min: 0, max: 100 * 365 * 86_400_000 }), (explicit, mark, backfill) => {
        const start = startSince(explicit, mark, NOW, backfill);
        expect(start.since).toBeGreaterThanOrEqual(0);
        expect(Number.isInteger(start.since)).toBe(true);
      }),
    );
  });
});
