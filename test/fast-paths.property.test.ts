import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseIsoTimeFast } from "../src/formats/fast-iso-time.js";
import { quickResultRecord, resultRecordSchema } from "../src/formats/results-file.js";

const schema = resultRecordSchema("testing");

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

const record = fc.record(
  {
    run_id: fc.oneof(fc.nat(), anyValue),
    trigger: fc.oneof(fc.constantFrom("glibc/2.41-7", "a/1 b/2", null), anyValue),
    package: fc.oneof(fc.constant("baz"), anyValue),
    arch: fc.oneof(fc.constant("amd64"), anyValue),
    suite: fc.oneof(fc.constant("testing"), anyValue),
    version: fc.oneof(fc.constant("4.5-1"), anyValue),
    status: fc.oneof(fc.constantFrom("pass", "fail", "neutral", "tmpfail", null), anyValue),
    created_at: fc.oneof(fc.constant("2026-11-25T08:10:00.000Z"), anyValue),
    updated_at: fc.oneof(fc.constant("2026-11-25T09:00:00.000Z"), anyValue),
    extra: anyValue,
  },
  { requiredKeys: [] },
);

describe("the hand-written fast paths agree with the zod schemas they shortcut", () => {
  it("a record the fast path accepts, zod accepts with the same observation", () => {
    fc.assert(
      fc.property(record, (r) => {
        const quick = quickResultRecord(r, "testing");
        const zod = schema.safeParse(r);
        if (quick !== null) {
          expect(zod.success).toBe(true);
          expect(quick).toEqual(zod.data);
        }
      }),
      { numRuns: 5000 },
    );
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
        if (d.getUTCDate() <= 28) expect(fast).not.toBeNaN();
      }),
    );
    for (const bad of ["2026-11-25T08:10:00", "2026-11-25T25:00:00Z", "2026-00-10T00:00:00Z", "2026-11-25T08:10:00.5Z", "x026-11-25T08:10:00Z"]) expect(parseIsoTimeFast(bad)).toBeNaN();
  });
});
