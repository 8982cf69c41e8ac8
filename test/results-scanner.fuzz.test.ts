import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RunStore } from "../src/core/run-store.js";
import { parseIsoTimeBytes, parseIsoTimeFast } from "../src/formats/fast-iso-time.js";
import { ResultsScanner } from "../src/formats/results-scanner.js";
import { foldResultsBytes, foldResultsFile, settleLeftOut, type FoldedFile } from "../src/store/load-results.js";
import { parseJsonBytes } from "../src/store/read-json.js";
import { pick, seededRandom } from "./support/random.js";

/**
 * The results scanner (results-scanner.ts) against the exact path
 * (JSON.parse of the whole file, then the quick and zod record checks):
 * the same outcome for every file (records, skipped records, the problem
 * word for word, the window), and the same store, run for run, with the
 * same sources. Files are read in sequence into one store, so runs met in
 * an earlier file (re-deliveries, reused run ids) are part of it.
 */
function both(files: Buffer[]): { scanned: ReturnType<typeof summary>; exact: ReturnType<typeof summary> } {
  const scannedStore = new RunStore();
  const exactStore = new RunStore();
  const scannedFiles: FoldedFile[] = [];
  const exactFiles: FoldedFile[] = [];
  files.forEach((bytes, i) => {
    const path = `results/${i}.json`;
    scannedFiles.push(foldResultsBytes(path, { ok: true, bytes }, scannedStore, "testing", i + 1, true));
    exactFiles.push(foldResultsFile(path, parseJsonBytes(bytes), exactStore, "testing", i + 1));
  });
  const paths = files.map((_, i) => `results/${i}.json`);
  return { scanned: summary(scannedStore, settleLeftOut(paths, scannedStore, scannedFiles)), exact: summary(exactStore, settleLeftOut(paths, exactStore, exactFiles)) };
}

function summary(store: RunStore, outcomes: unknown[]) {
  const runs = [...store.values()].sort((a, b) => a.runId - b.runId).map((o) => ({ ...o, sources: store.sourcesOf(o.runId) }));
  return { outcomes, runs };
}

function expectSame(files: Buffer[]): void {
  const { scanned, exact } = both(files);
  expect(scanned).toEqual(exact);
}

const STATUSES = ["pass", "fail", "neutral", "tmpfail", null];

/** A record as debci's API renders it (lib/debci/job.rb, api.rb): the kept fields among the ones dropped. */
function debciRecord(random: () => number, runId: number): Record<string, unknown> {
  const created = Date.UTC(2026, 10, 1) + Math.floor(random() * 86_400_000 * 20);
  const status = pick(random, STATUSES);
  return {
    run_id: runId,
    created_at: new Date(created).toISOString(),
    suite: pick(random, ["testing", "unstable", "testing"]),
    arch: pick(random, ["amd64", "arm64", "i386"]),
    package: pick(random, ["baz", "qux", "libfoo-perl", "python-x"]),
    trigger: pick(random, ["glibc/2.41-7", "glibc/2.41-7 perl/5.40-1", "", null, "src1/1.0-1"]),
    requestor_id: 7,
    pin_packages: random() < 0.3 ? [["src:glibc", "unstable"]] : [],
    is_private: false,
    updated_at: new Date(created + 60_000).toISOString(),
    version: status === null ? null : pick(random, ["1.0-1", "2.0-1", "1.0-1+b1"]),
    status,
    worker: "ci-worker-amd64-3",
    date: null,
    duration_seconds: random() < 0.5 ? 93 : null,
    message: pick(random, ["All tests passed", "Tests failed", null, "ünïcode ✓"]),
    duration_human: "1m 33s",
  };
}

/** Rewrites a record's text in one of the ways a file may differ from what debci writes. */
const RECORD_MUTATIONS: Array<(r: Record<string, unknown>, random: () => number) => string> = [
  (r) => JSON.stringify(r),
  // Keys in another order.
  (r, random) => JSON.stringify(Object.fromEntries(Object.entries(r).sort(() => random() - 0.5))),
  // Whitespace between every token.
  (r) => JSON.stringify(r, null, 2).replace(/\n/g, "\r\n\t"),
  // A number as a string, a string as a number.
  (r) => JSON.stringify({ ...r, run_id: String(r.run_id) }),
  (r) => JSON.stringify({ ...r, version: 1 }),
  // An escape in a kept name (the same name, written otherwise) or in a key.
  (r) => JSON.stringify(r).replace('"package":"', '"package":"\\u0062'),
  (r) => JSON.stringify(r).replace('"arch":"', '"\\u0061rch":"'),
  (r) => JSON.stringify(r).replace('"results"', '"r\\u0065sults"'),
  // A key twice (JSON.parse keeps the last).
  (r) => JSON.stringify(r).replace(/}$/, ',"status":"fail","package":"other"}'),
  // A field missing, empty, null or of another type.
  (r) => JSON.stringify({ ...r, package: undefined }),
  (r) => JSON.stringify({ ...r, arch: "" }),
  (r) => JSON.stringify({ ...r, suite: null }),
  (r) => JSON.stringify({ ...r, suite: undefined }),
  (r) => JSON.stringify({ ...r, trigger: undefined }),
  (r) => JSON.stringify({ ...r, status: "running" }),
  (r) => JSON.stringify({ ...r, status: undefined }),
  (r) => JSON.stringify({ ...r, created_at: "2026-11-25T08:10:00+00:00" }),
  (r) => JSON.stringify({ ...r, updated_at: "2026-02-30T08:10:00Z" }),
  (r) => JSON.stringify({ ...r, updated_at: 1764058200 }),
  (r) => JSON.stringify({ ...r, run_id: -1 }),
  (r) => JSON.stringify({ ...r, run_id: 1.5 }),
  (r) => JSON.stringify({ ...r, run_id: 12345678901234567 }),
  (r) => JSON.stringify({ ...r, run_id: 1e3 }).replace('"run_id":1000', '"run_id":1e3'),
  // Non-ASCII and odd strings in kept names.
  (r) => JSON.stringify({ ...r, package: "pâckage" }),
  (r) => JSON.stringify({ ...r, trigger: "\ud800/1" }),
  (r) => JSON.stringify({ ...r, version: "1.0\u0000" }),
  // Not a record at all.
  () => "null",
  () => "[1,2]",
  () => '"x"',
  () => "{}",
  // Deep nesting in a dropped field.
  (r) => JSON.stringify({ ...r, extra: JSON.parse("[".repeat(80) + "]".repeat(80)) }),
  (r) => JSON.stringify({ ...r, extra: { a: [1, -0.5e-3, true, false, null, "\\\"\u00e9"] } }),
];

/** A file's text from its records' texts, the top level written in one of several ways. */
function fileText(records: string[], random: () => number): string {
  const since = 1764000000;
  const results = `[${records.join(random() < 0.2 ? " ,\n " : ",")}]`;
  return pick(random, [
    () => `{"since":${since},"results":${results},"until":${since + 3600}}\n`,
    () => `{"results":${results}}`,
    () => `{"until":${since + 3600},"since":${since},"results":${results}}`,
    () => ` \n{ "since" : null , "results" : ${results} , "extra": {"a": [1]} }\r\n`,
    () => `{"since":"${since}","results":${results}}`,
    () => `{"since":-5,"results":${results}}`,
    () => `{"since":1e400,"results":${results}}`,
    () => `{"results":${results},"results":[]}`,
    () => `{"results":{}}`,
    () => `{"since":${since}}`,
  ])();
}

/** Byte-level damage: the kinds a download or a disk does. */
function damage(bytes: Buffer, random: () => number): Buffer {
  const at = Math.floor(random() * bytes.length);
  switch (Math.floor(random() * 7)) {
    case 0:
      return bytes.subarray(0, at); // cut short
    case 1:
      return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]); // a byte-order mark
    case 2: {
      const copy = Buffer.from(bytes);
      copy[at] = Math.floor(random() * 256); // one byte flipped
      return copy;
    }
    case 3:
      return Buffer.concat([bytes.subarray(0, at), Buffer.from([pick(random, [0x00, 0x0a, 0x1f, 0x5c, 0x22, 0x2c, 0x7d, 0xc3, 0xff])]), bytes.subarray(at)]);
    case 4:
      return Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + 1 + Math.floor(random() * 20))]); // bytes lost
    case 5:
      return Buffer.concat([bytes, Buffer.from(pick(random, ["x", "}", " \n", ",", "\u0000"]))]); // trailing garbage
    default:
      return bytes;
  }
}

describe("the results scanner reads as the exact path does", () => {
  it("thousands of mutated files: the same outcomes and the same store, record for record", () => {
    const random = seededRandom(2512);
    let scannedFiles = 0;
    for (let round = 0; round < 1000; round++) {
      const files: Buffer[] = [];
      let runId = 1000 + Math.floor(random() * 20);
      for (let f = 0; f < 6; f++) {
        const records: string[] = [];
        const n = Math.floor(random() * 8);
        for (let i = 0; i < n; i++) {
          // Run ids repeat within and across files: re-deliveries, and reused ids as other runs.
          const record = debciRecord(random, random() < 0.3 ? runId - Math.floor(random() * 5) : runId++);
          records.push(random() < 0.7 ? JSON.stringify(record) : pick(random, RECORD_MUTATIONS)(record, random));
        }
        let bytes: Buffer = Buffer.from(fileText(records, random), "utf8");
        if (random() < 0.35) bytes = damage(bytes, random);
        if (new ResultsScanner("testing").scan(bytes, new RunStore().names) !== null) scannedFiles++;
        files.push(bytes);
      }
      expectSame(files);
    }
    // The comparison means something only if the scanner read many files itself, not all by the exact path.
    expect(scannedFiles).toBeGreaterThan(1500);
  });

  it("generated records and layouts (property)", () => {
    const name = fc.oneof(fc.constantFrom("baz", "qux", "testing", "amd64", "a b", ""), fc.string({ maxLength: 6 }), fc.string({ unit: "binary", maxLength: 3 }));
    const time = fc.oneof(fc.constant(null), fc.constant("2026-11-25T08:10:00.000Z"), fc.constant("2026-11-25T08:10:00Z"), fc.date({ min: new Date(0), max: new Date(Date.UTC(2100, 0)), noInvalidDate: true }).map((d) => d.toISOString()), fc.string({ maxLength: 24 }));
    const record = fc.record(
      {
        run_id: fc.oneof(fc.integer({ min: 0, max: 30 }), fc.constantFrom(1e15, 2 ** 53, -1, 0.5, "7")),
        trigger: fc.oneof(fc.constant(null), name),
        package: name,
        arch: name,
        suite: fc.oneof(name, fc.constant(null)),
        version: fc.oneof(fc.constant(null), name),
        status: fc.constantFrom("pass", "fail", "neutral", "tmpfail", null, "running", 1),
        created_at: time,
        updated_at: time,
        message: fc.oneof(fc.string(), fc.constant(null)),
      },
      { requiredKeys: [] },
    );
    const file = fc.record({ records: fc.array(fc.oneof(record, fc.jsonValue()), { maxLength: 8 }), since: fc.oneof(fc.constant(undefined), fc.constant(null), fc.integer({ min: -2, max: 2e9 })), until: fc.oneof(fc.constant(undefined), fc.integer({ min: 0, max: 2e9 })), spaced: fc.boolean() });
    fc.assert(
      fc.property(fc.array(file, { minLength: 1, maxLength: 4 }), (files) => {
        expectSame(files.map((f) => Buffer.from(JSON.stringify({ since: f.since, results: f.records, until: f.until }, null, f.spaced ? 1 : undefined))));
      }),
      { numRuns: 300 },
    );
  });

  it("a clean debci file is read by the scanner itself, without the exact path", () => {
    const random = seededRandom(7);
    const records = Array.from({ length: 50 }, (_, i) => JSON.stringify(debciRecord(random, 100 + i)));
    const scanned = new ResultsScanner("testing").scan(Buffer.from(`{"since":1,"results":[${records.join(",")}],"until":2}`), new RunStore().names);
    expect(scanned).not.toBeNull();
    // Only the records with a non-ASCII name would go the exact way: none of these.
    expect([...scanned!.records.kinds.subarray(0, scanned!.records.count)].every((k) => k === 0)).toBe(true);
  });

  it("a key learnt from earlier records is taken only where its bytes are all there", () => {
    // The scanner remembers each position's key from the records before (fieldKey): records that break the pattern
    // (a longer key, a space before the colon, an escape, another order, a key dropped) must read as the exact path reads them.
    const base = '"run_id":1,"suite":"testing","arch":"amd64","package":"baz","trigger":"glibc/2.41-7","status":"pass"';
    const records = [
      `{${base}}`,
      `{${base}}`,
      `{"run_idx":9,${base.replace('"run_id":1', '"run_id":2')}}`,
      `{"run_id" :3,${base.slice('"run_id":1,'.length)}}`,
      `{"run\u005fid":4,${base.slice('"run_id":1,'.length)}}`,
      `{"suite":"unstable","run_id":5,"arch":"amd64","package":"baz","trigger":"glibc/2.41-7","status":"fail"}`,
      `{"run_id":6,"arch":"amd64","package":"qux","trigger":"glibc/2.41-7","status":"pass"}`,
      `{"run_id":7,"suite":"testing","arch":"amd64","package":"baz","trigger":"glibc/2.41-7","status":"pass","status":"fail"}`,
    ];
    const file = (some: string[]) => Buffer.from(`{"results":[${some.join(",")}]}`);
    expectSame([file(records.slice(0, 2)), file(records.slice(2)), file(records)]);
    // Keys spaced before their colon are never learnt (the bytes would not end with it), yet the scanner reads such a file itself.
    const spaced = file([0, 1, 2].map((i) => `{${base.replace('"run_id":1', `"run_id":${i + 1}`).replaceAll('":', '" :')}}`));
    expect(new ResultsScanner("testing").scan(spaced, new RunStore().names)?.records.count).toBe(3);
  });

  it("reads debci's times as parseIsoTimeFast does, from bytes", () => {
    fc.assert(
      fc.property(fc.oneof(fc.date({ min: new Date(-1e13), max: new Date(1e14) }).map((d) => (Number.isNaN(d.getTime()) ? "" : d.toISOString())), fc.string({ maxLength: 26 }), fc.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d\d\d)?Z$/)), (text) => {
        const bytes = Buffer.from(text, "latin1");
        if (Buffer.from(text, "latin1").toString("latin1") !== text) return;
        expect(Object.is(parseIsoTimeBytes(bytes, 0, bytes.length), parseIsoTimeFast(text))).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
