import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseIsoTimeFast } from "../src/formats/fast-iso-time.js";
import { quickResultRecord, resultRecordSchema } from "../src/formats/results-file.js";
import { needSchema, quickNeed, toNeed } from "../src/formats/needs-input.js";
import { pendingSnapshotSchema, quickPendingSnapshot } from "../src/formats/pending-snapshot.js";
import { answerLine } from "../src/formats/answer-line.js";
import { answerLineBound, writeAnswerLine } from "../src/formats/answer-bytes.js";
import { isoTime } from "../src/core/iso-time.js";
import { KeyMap, keyNumber } from "../src/core/key-numbers.js";
import { ledgerFileChunks, ledgerFileSchema, ledgerToFile, quickLedgerFile } from "../src/formats/ledger-file.js";
import { parseTrigger, versionUploadedBy } from "../src/core/trigger.js";
import { keyParamsSchema, quickKeyParams } from "../src/serve/requests.js";
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { RunStore } from "../src/core/run-store.js";
import { sameRun } from "../src/core/observations.js";
import { readBase, writeBase } from "../src/store/base-file.js";
import { joinSides, loadClaimed, loadOtherSide, loadSequentially } from "../src/store/load-results.js";
import { DEFAULT_MAX_FILE_BYTES } from "../src/store/read-json.js";
import { loadState } from "../src/store/load-state.js";
import { statePaths } from "../src/store/state-paths.js";
import { tempDir } from "./support/temp-state.js";

const schema = resultRecordSchema("testing");

/**
 * Whatever the fast check accepts, its schema accepts as the same value
 * (`same` compares them); at least 100 are compared, so the property is not
 * held by a check that accepts nothing.
 */
function holdsToSchema<T, S>(values: fc.Arbitrary<unknown>, quick: (value: unknown) => T | null, schema: { safeParse(value: unknown): { success: boolean; data?: S } }, numRuns: number, same: (quick: T, parsed: S) => void = (q, p) => expect(q).toEqual(p)): void {
  let compared = 0;
  fc.assert(
    fc.property(values, (value) => {
      const fast = quick(value);
      if (fast === null) return;
      compared++;
      const parsed = schema.safeParse(value);
      expect(parsed.success, JSON.stringify(value)).toBe(true);
      same(fast, parsed.data as S);
    }),
    { numRuns },
  );
  expect(compared).toBeGreaterThan(100);
}

/** Values a field might hold: right ones, wrong types, edge cases. */
const anyValue = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constant(""),
  fc.integer({ min: -2, max: 10 }),
  fc.double(),
  fc.constantFrom("pass", "fail", "neutral", "tmpfail", "PASS", "running", "glibc/2.41-7", "amd64", "4.5-1", "12"),
  fc.constantFrom("2026-11-25T08:10:00.000Z", "2026-11-25T08:10:00Z", "2026-02-30T08:10:00Z", "2026-13-01T00:00:00Z", "2026-11-25 08:10:00", "2026-11-25T08:10:00+00:00", "nonsense"),
  fc.array(fc.string(), { maxLength: 2 }),
);

/** Mostly a right value, sometimes anything: so both accepted and refused records are common. */
const mostly = <T>(right: fc.Arbitrary<T>) => fc.oneof({ arbitrary: right, weight: 5 }, { arbitrary: anyValue, weight: 1 });

const record = fc.record(
  {
    run_id: mostly(fc.nat()),
    trigger: mostly(fc.constantFrom("glibc/2.41-7", "a/1 b/2", null)),
    package: mostly(fc.constant("baz")),
    arch: mostly(fc.constant("amd64")),
    suite: mostly(fc.constantFrom("testing", undefined)),
    version: mostly(fc.constantFrom("4.5-1", null, undefined)),
    status: mostly(fc.constantFrom("pass", "fail", "neutral", "tmpfail", null)),
    created_at: mostly(fc.constantFrom("2026-11-25T08:10:00.000Z", "2026-11-25T08:10:00Z", null, undefined)),
    updated_at: mostly(fc.constantFrom("2026-11-25T09:00:00.000Z", "2026-11-25T09:00:00Z", null, undefined)),
    extra: anyValue,
  },
  { requiredKeys: ["run_id", "trigger", "package", "arch", "suite", "version", "status", "created_at", "updated_at"] },
);

describe("the hand-written fast paths agree with the zod schemas they shortcut", () => {
  it("a record the fast path accepts, zod accepts with the same observation", () => {
    let accepted = 0;
    fc.assert(
      fc.property(record, (r) => {
        const quick = quickResultRecord(r, "testing");
        const zod = schema.safeParse(r);
        if (quick !== null) {
          accepted++;
          expect(zod.success).toBe(true);
          expect(quick).toEqual(zod.data);
        }
      }),
      { numRuns: 5000 },
    );
    // The comparison above only means something if the fast path took some of the generated records.
    expect(accepted).toBeGreaterThan(50);
  });

  it("the fast path takes the CI service's ordinary records", () => {
    const ordinary = { run_id: 1, trigger: "glibc/2.41-7", package: "baz", arch: "amd64", suite: "testing", version: "4.5-1", status: "pass", created_at: "2026-11-25T08:10:00.000Z", updated_at: "2026-11-25T09:00:00Z", requestor: "britney" };
    expect(quickResultRecord(ordinary, "testing")).toEqual(schema.parse(ordinary));
  });

  it("fast time parsing equals Date.parse wherever it answers", () => {
    fc.assert(
      fc.property(fc.date({ min: new Date("1990-01-01"), max: new Date("2100-01-01"), noInvalidDate: true }), fc.boolean(), (d, withMs) => {
        const iso = withMs ? d.toISOString() : d.toISOString().replace(/\.\d{3}Z$/, "Z");
        const fast = parseIsoTimeFast(iso);
        if (!Number.isNaN(fast)) expect(fast).toBe(Date.parse(iso));
        // Every real day of every month takes the fast path now, the 29th to the 31st too.
        expect(fast).not.toBeNaN();
      }),
    );
    // Every year the format can write, and the calendar's edges, without Date.UTC.
    fc.assert(
      fc.property(fc.date({ min: new Date("1970-01-01T00:00:00Z"), max: new Date("9999-12-31T23:59:59.999Z"), noInvalidDate: true }), (d) => {
        expect(parseIsoTimeFast(d.toISOString())).toBe(d.getTime());
      }),
      { numRuns: 3000 },
    );
    for (const good of ["1970-01-01T00:00:00Z", "2000-02-29T12:00:00.001Z", "2024-02-29T23:59:59Z", "2100-03-01T00:00:00Z", "9999-12-31T23:59:59.999Z"]) expect(parseIsoTimeFast(good)).toBe(Date.parse(good));
    for (const bad of ["1969-12-31T23:59:59Z", "2100-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "2026-02-29T00:00:00Z", "2026-04-31T00:00:00Z", "2026-11-25T08:10:00", "2026-11-25T25:00:00Z", "2026-00-10T00:00:00Z", "2026-11-25T08:10:00.5Z", "x026-11-25T08:10:00Z"]) expect(parseIsoTimeFast(bad)).toBeNaN();
  });
});

describe("the hand-written need check agrees with the needs schema", () => {
  const field = <T>(right: fc.Arbitrary<T>) => fc.oneof({ arbitrary: right, weight: 15 }, { arbitrary: anyValue, weight: 1 });
  const need = fc.record(
    {
      arch: field(fc.constantFrom("amd64", "arm64", "hurd-i386", "amd64", "arm64", "amd 64")),
      package: field(fc.constantFrom("baz", "libfoo", "g++-14", "baz", "libfoo", "Baz_2")),
      trigger: field(fc.constantFrom("glibc/2.41-7", "aa/1 bb/2", "glibc/1:2.41-7+b1 migration-reference/0", "glibc/2.41-7", "glibc 2.41-7", "  ", "")),
      suite: field(fc.constantFrom("testing", undefined, "testing", "testing-proposed-updates", "Testing")),
      version: field(fc.constantFrom("4.5-1", undefined)),
      versions: field(fc.constantFrom(["4.5-1"], [], undefined, [""], ["a", 1])),
      testInTarget: field(fc.constantFrom(true, false, undefined)),
      "pin-packages": field(fc.constantFrom([["src:glibc", "unstable"]], [], undefined, [["x"]])),
      pinPackages: field(fc.constantFrom(undefined, [], [["a", "b"]])),
      huge: field(fc.constantFrom(true, false, undefined)),
      again: field(fc.constantFrom(true, undefined)),
      extra: fc.constantFrom(undefined, 1),
    },
    { requiredKeys: ["arch", "package", "trigger"] },
  ).map((n) => Object.fromEntries(Object.entries(n).filter(([k, v]) => !(k === "extra" && v === undefined))));

  it("a need the fast check accepts, zod accepts as the same need; many are compared", () => {
    holdsToSchema(need, quickNeed, needSchema, 5000, (q, p) => expect(toNeed(q, "testing")).toEqual(toNeed(p as never, "testing")));
  });

  it("key params the fast check accepts (serve's status and label), zod accepts as the same; many are compared", () => {
    // Mostly without what only a need may carry, sometimes with it: both kinds are common.
    const keyParams = fc.tuple(need, fc.boolean()).map(([n, keep]) => (keep ? n : Object.fromEntries(Object.entries(n).filter(([k]) => !["huge", "again", "pin-packages", "pinPackages"].includes(k)))));
    holdsToSchema(keyParams, quickKeyParams, keyParamsSchema, 3000);
  });
});

describe("the hand-written pending snapshot check agrees with its schema", () => {
  const field = <T>(right: fc.Arbitrary<T>) => fc.oneof({ arbitrary: right, weight: 30 }, { arbitrary: anyValue, weight: 1 });
  const entry = fc.record(
    {
      run_id: field(fc.nat()),
      package: field(fc.constantFrom("baz", "qux")),
      arch: field(fc.constantFrom("amd64")),
      suite: field(fc.constantFrom("testing")),
      trigger: field(fc.constantFrom("glibc/2.41-7", "a/1 b/2", null)),
      created_at: field(fc.constantFrom("2026-11-25T08:10:00.000Z", "2026-11-30T08:10:00Z", null, undefined, "1969-12-31T23:59:59Z")),
    },
    { requiredKeys: ["run_id", "package", "arch", "suite", "trigger"] },
  );
  const snapshot = fc.record({ generated_at: field(fc.constantFrom("2026-11-25T09:00:00Z", "2026-11-31T09:00:00Z")), pending: fc.array(entry, { maxLength: 4 }) });

  it("a snapshot the fast check accepts, zod accepts as the same snapshot; many are compared", () => {
    holdsToSchema(snapshot, quickPendingSnapshot, pendingSnapshotSchema, 2000);
  });
});

describe("answer lines built as strings", () => {
  /** Strings with what JSON must escape: quotes, backslashes, controls, lone surrogate halves. */
  const text = fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.constantFrom('a"b', "a\\b", "\u0000", "\ud800", "\udfff x", "\u2028", "é/1.0"));
  const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
  /** Times are the module's own (isoTime); names, versions and the service's messages can hold anything. */
  const time = fc.integer({ min: 0, max: 253_402_300_799_999 }).map((t) => new Date(t).toISOString());
  const answer = fc.record(
    {
      suite: text,
      arch: text,
      package: text,
      trigger: text,
      state: fc.constantFrom("pass", "fail", "pending", "missing"),
      outcome: optional(fc.constantFrom("pass", "neutral", "fail")),
      result: optional(fc.constantFrom("PASS", "OLD_FAIL")),
      version: optional(fc.option(text, { nil: null })),
      runId: optional(fc.oneof(fc.nat(), fc.double())),
      updatedAt: optional(fc.option(time, { nil: null })),
      inFlight: fc.boolean(),
      pendingSince: optional(time),
      lost: fc.boolean(),
      rejected: fc.boolean(),
      refused: optional(text),
      refusedAt: optional(time),
      baseline: optional(fc.constantFrom("pass", "missing")),
      baselineResult: optional(fc.constantFrom("PASS", "NONE")),
      label: optional(fc.option(fc.constantFrom("PASS", "RUNNING-ALWAYSFAIL", "IGNORE-FAIL"), { nil: null })),
      noLabel: optional(fc.constantFrom("refused", "not-requested", "reject-listed")),
      request: optional(fc.option(fc.constantFrom("missing", "old", "pending-too-long"), { nil: null })),
      held: optional(fc.constantFrom("duplicate", "unsent", "in-flight")),
      referenceRequest: optional(fc.constantFrom("missing")),
    },
    { requiredKeys: ["suite", "arch", "package", "trigger", "state", "inFlight", "lost", "rejected"] },
  );

  /** What the line must equal: the answer's fields in the documented order, through JSON.stringify. */
  function reference(a: Record<string, unknown>): string {
    const order = ["suite", "arch", "package", "trigger", "state", ...(a.outcome !== undefined ? ["outcome", "result", "version", "runId", "updatedAt"] : []), "inFlight", "pendingSince", "lost", "rejected", ...(a.refused !== undefined ? ["refused", "refusedAt"] : []), "baseline", "baselineResult", "label", "noLabel", "request", "held", "referenceRequest"];
    return JSON.stringify(Object.fromEntries(order.map((k) => [k, a[k]])));
  }

  it("equals JSON.stringify of the same fields in the same order, whatever the strings hold", () => {
    fc.assert(
      fc.property(answer, (a) => {
        const line = answerLine(a as never);
        expect(line).toBe(reference(a));
        expect(JSON.parse(line)).toEqual(JSON.parse(reference(a)));
      }),
      { numRuns: 2000 },
    );
  });

  /** Plain names most of the time (the byte path), anything sometimes, and now and then a name too long to be sure of room. */
  const name = fc.oneof({ arbitrary: fc.constantFrom("testing", "amd64", "glibc", "glibc/2.41-7", "1:2.41-7+b1"), weight: 3 }, { arbitrary: text, weight: 2 }, { arbitrary: fc.string({ minLength: 600, maxLength: 900 }), weight: 1 });
  const links = optional(fc.record({ log: text, history: fc.constant("https://ci.debian.net/packages/g/glibc/testing/amd64/"), retry: optional(text) }, { requiredKeys: ["log", "history"] }));
  const written = fc.tuple(answer, name, name, links, fc.integer({ min: 0, max: 100 })).map(([a, pkg, version, l, at]) => ({ ...a, package: pkg, ...(a.version !== undefined && a.version !== null ? { version } : {}), ...(l === undefined ? {} : { links: l }), at }));

  it("are written as bytes within their bound, touching nothing before or after, however long their strings", () => {
    fc.assert(
      fc.property(written, ({ at, ...a }) => {
        const bound = answerLineBound(a as never);
        const buf = Buffer.alloc(at + bound + 8, 0xaa);
        const end = writeAnswerLine(a as never, buf, at);
        const withLinks = a.links === undefined ? reference(a) : `${reference(a).slice(0, -1)},"links":${JSON.stringify(a.links)}}`;
        expect(buf.subarray(at, end).toString("utf8")).toBe(`${withLinks}\n`);
        expect(buf.subarray(0, at).every((b) => b === 0xaa)).toBe(true);
        expect(buf.subarray(end).every((b) => b === 0xaa)).toBe(true);
        // A buffer short of the bound is refused, not written past.
        expect(() => writeAnswerLine(a as never, Buffer.alloc(bound - 1), 0)).toThrow(RangeError);
      }),
      { numRuns: 3000 },
    );
  });
});

describe("ISO times written without Date", () => {
  it("writes exactly what toISOString writes, for every millisecond from 1970 to 9999 and past its edges", () => {
    const ms = fc.oneof(fc.integer({ min: 0, max: 253_402_300_799_999 }), fc.constantFrom(0, 951_782_400_000, 951_868_799_999, 4_107_542_400_000, 253_402_300_799_999, 253_402_300_800_000, -1, 1.5, -86_400_000));
    fc.assert(fc.property(ms, (t) => {
        expect(isoTime(t)).toBe(new Date(t).toISOString());
      }), { numRuns: 20_000 });
  });
});

describe("a trigger uploading the tested package itself", () => {
  it("is found without parsing every trigger, exactly as parseTrigger finds it", () => {
    const name = fc.string({ unit: fc.constantFrom("a", "b", "/", "1", "-", "."), maxLength: 6 });
    fc.assert(
      fc.property(name.filter((p) => p.length > 0), name, (pkg, rest) => {
        for (const trigger of [rest, `${pkg}${rest}`, `${pkg}/${rest}`]) {
          const upload = parseTrigger(trigger);
          expect(versionUploadedBy(trigger, pkg)).toBe(upload !== null && upload.source === pkg ? upload.version : null);
        }
      }),
      { numRuns: 5000 },
    );
  });
});

describe("KeyMap, a map by key number behind a filter", () => {
  it("answers exactly as a Map: what was set, and nothing else", () => {
    // Groups up to 2^25, triggers of the run store and new ones (from 2^27), keys as KeyNumbers makes them.
    const place = fc.tuple(fc.integer({ min: -1, max: 2 ** 25 - 1 }), fc.oneof(fc.integer({ min: -1, max: 40 }), fc.integer({ min: 2 ** 27, max: 2 ** 27 + 40 }))).map(([group, trigger]) => ({ group, trigger, key: keyNumber(group, trigger) }));
    fc.assert(
      fc.property(fc.array(place, { maxLength: 300 }), fc.array(place, { maxLength: 300 }), (stored, asked) => {
        const map = new KeyMap<number>();
        const plain = new Map<number, number>();
        stored.forEach((p, i) => {
          if (p.key < 0) return;
          map.set(p, i);
          plain.set(p.key, i);
        });
        for (const p of [...stored, ...asked]) expect(map.get(p)).toBe(p.key < 0 ? undefined : plain.get(p.key));
      }),
      { numRuns: 300 },
    );
  });
});

describe("the ledger file written in pieces", () => {
  it("is exactly JSON.stringify of the whole ledger file, for ledgers small and large", () => {
    const entry = fc.record({
      suite: fc.constantFrom("testing", "unstable"),
      arch: fc.constantFrom("amd64", "arm64"),
      package: fc.string({ minLength: 1, maxLength: 12 }),
      trigger: fc.string({ minLength: 1, maxLength: 20 }),
      triggers: fc.string({ minLength: 1, maxLength: 40 }),
      pinPackages: fc.array(fc.tuple(fc.string({ minLength: 1 }), fc.string({ minLength: 1 })), { maxLength: 2 }),
      huge: fc.boolean(),
      requestedAt: fc.integer({ min: 0, max: 253_402_300_799_999 }),
      batch: fc.string(),
    });
    const ledger = fc.record({ batches: fc.array(fc.string(), { maxLength: 5 }), entries: fc.oneof(fc.array(entry, { maxLength: 20 }), fc.array(entry, { minLength: 600, maxLength: 1500 })) });
    fc.assert(
      fc.property(ledger, (l) => {
        expect([...ledgerFileChunks(l as never)].join("")).toBe(JSON.stringify(ledgerToFile(l as never)));
      }),
      { numRuns: 60 },
    );
  });
});

describe("the hand-written ledger check agrees with the ledger schema", () => {
  const field = <T>(right: fc.Arbitrary<T>) => fc.oneof({ arbitrary: right, weight: 12 }, { arbitrary: anyValue, weight: 1 });
  const request = fc.record(
    {
      suite: field(fc.constantFrom("testing")),
      arch: field(fc.constantFrom("amd64", "arm64")),
      package: field(fc.constantFrom("baz", "qux")),
      trigger: field(fc.constantFrom("glibc/2.41-7")),
      triggers: field(fc.constantFrom("glibc/2.41-7", "glibc/2.41-7 gcc/1")),
      pinPackages: field(fc.constantFrom([], [["src:glibc", "unstable"]], [["x"]], [["", "y"]])),
      huge: field(fc.boolean()),
      requestedAt: field(fc.constantFrom("2026-11-25T08:10:00.000Z", "2026-11-25T08:10:00Z", "2026-11-31T08:10:00Z", "1969-12-31T23:59:59Z", "2026-11-25T08:10:00.5Z")),
      batch: field(fc.constantFrom("20261125T081000Z-1.json", "")),
      extra: fc.constantFrom(undefined, 1),
    },
    { requiredKeys: ["suite", "arch", "package", "trigger", "triggers", "pinPackages", "huge", "requestedAt", "batch"] },
  );
  const file = fc.record({
    format: field(fc.constant("debci-bridge-ledger/1")),
    batches: field(fc.array(fc.constantFrom("20261125T081000Z-1.json", "x"), { maxLength: 3 })),
    requests: fc.array(request, { maxLength: 6 }),
  });

  it("a ledger the fast check accepts, zod accepts as the same ledger; many are compared", () => {
    holdsToSchema(file, quickLedgerFile, ledgerFileSchema, 3000);
  });
});

describe("loading results files split between two threads agrees with one thread loading them in name order", () => {
  /**
   * Records over a small world so run ids are often reused as other runs
   * (another arch, package or trigger, null included); some malformed, some
   * with the run id as a string of digits (zod's path, not the quick one).
   */
  const record = fc.record({
    run_id: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 8 }), weight: 6 }, { arbitrary: fc.integer({ min: 1, max: 8 }).map(String), weight: 1 }, { arbitrary: fc.constant("x"), weight: 1 }),
    trigger: fc.constantFrom("glibc/2.41-7", "glibc/2.41-7", "a/1 b/2", null),
    package: fc.constantFrom("baz", "baz", "baz", "qux"),
    arch: fc.constantFrom("amd64", "amd64", "amd64", "arm64"),
    suite: fc.constantFrom("testing", "testing", "testing", undefined),
    version: fc.constantFrom("4.5-1", null),
    status: fc.constantFrom("pass", "fail", "tmpfail", null),
    created_at: fc.constant("2026-11-25T08:10:00Z"),
    updated_at: fc.constantFrom("2026-11-25T09:00:00Z", "2026-11-25T10:00:00.000Z", "2026-11-25T11:00:00Z", null),
  });
  /** Files with the side each falls on (true: this thread), and runs of a compacted base. */
  const state = fc.record({
    files: fc.array(fc.tuple(fc.array(record, { maxLength: 8 }), fc.boolean()), { minLength: 1, maxLength: 6 }),
    base: fc.array(record, { maxLength: 4 }),
  });

  /** Writes the state: the base's runs through the exact path into a binary base, the files as debci's JSON. */
  async function write(files: Array<[unknown[], boolean]>, base: unknown[]) {
    const dir = tempDir();
    mkdirSync(join(dir, "results"));
    const paths = files.map(([records], i) => {
      const path = join(dir, "results", `2026112${i}T000000.json`);
      writeFileSync(path, JSON.stringify({ results: records }));
      return path;
    });
    const baseRuns = new RunStore();
    const schema = resultRecordSchema("testing");
    for (const r of base) {
      const parsed = schema.safeParse(r);
      if (parsed.success) baseRuns.merge(parsed.data);
    }
    await writeBase(join(dir, "compacted.base"), baseRuns, { format: "debci-bridge-base/3", compactedAt: 0, runs: baseRuns.size, until: null, folded: [] });
    return { paths, baseRuns, basePath: join(dir, "compacted.base") };
  }

  /** The store's runs and sources, in run-id order: what the two loads must agree on. */
  const content = (store: RunStore) => [...store.values()].sort((a, b) => a.runId - b.runId).map((o) => ({ ...o, sources: store.sourcesOf(o.runId) }));

  it("the same runs, the same records counted and skipped, the same problems, whichever files fall on which side", async () => {
    let crossing = 0;
    await fc.assert(
      fc.asyncProperty(state, async ({ files, base }) => {
        const { paths, baseRuns, basePath } = await write(files, base);
        // One thread, in name order, after the base read back whole (binary columns).
        const one = new RunStore();
        await readBase(basePath, one);
        const inOrder = await loadSequentially(paths, one, "testing", DEFAULT_MAX_FILE_BYTES);
        // Two sides, after the base as merged in memory (the exact path) on this one.
        const split = new RunStore();
        for (const o of baseRuns.values()) split.merge(o, 0);
        const mineIndexes = files.flatMap(([, mine], i) => (mine ? [i] : []));
        let k = 0;
        const mine = await loadClaimed(paths, () => mineIndexes[k++] ?? paths.length, split, "testing", DEFAULT_MAX_FILE_BYTES);
        const other = await loadOtherSide(paths, files.flatMap(([, mine], i) => (mine ? [] : [i])), "testing", DEFAULT_MAX_FILE_BYTES);
        const otherRuns = new RunStore();
        otherRuns.mergeForeign(other.tables, other.rows);
        if ([...otherRuns.values()].some((o) => split.get(o.runId) !== undefined && !sameRun(o, split.get(o.runId)!))) crossing++;
        const outcomes = await joinSides(paths, split, mine, other, "testing", DEFAULT_MAX_FILE_BYTES);
        expect(outcomes).toEqual(inOrder);
        expect(content(split)).toEqual(content(one));
      }),
      { numRuns: 300 },
    );
    // Many cases put the two runs of a reused run id on different sides: the case the join must settle.
    expect(crossing).toBeGreaterThan(30);
  });

  it("the same directory content makes the same state, whatever order its files were written in: name order decides", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(record, { maxLength: 6 }), { minLength: 2, maxLength: 5 }).chain((files) => fc.tuple(fc.constant(files), fc.shuffledSubarray([...files.keys()], { minLength: files.length, maxLength: files.length }))),
        async ([files, arrival]) => {
          const load = async (order: number[]) => {
            const dir = join(tempDir(), "state");
            mkdirSync(join(dir, "results"), { recursive: true });
            for (const i of order) writeFileSync(join(dir, "results", `2026112${i}T000000.json`), JSON.stringify({ results: files[i] }));
            const loaded = await loadState(statePaths(dir), "testing");
            return { runs: content(loaded.knowledge.runs), files: loaded.files.map(({ path, ...f }) => ({ name: basename(path), ...f, problem: f.problem?.replaceAll(dir, "") })) };
          };
          expect(await load(arrival)).toEqual(await load([...files.keys()]));
        },
      ),
      { numRuns: 100 },
    );
  });
});
