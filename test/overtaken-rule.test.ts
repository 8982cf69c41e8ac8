import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { answerKey, factsFor } from "../src/core/answer.js";
import { planNeeds } from "../src/core/plan.js";
import { DEFAULT_SETTINGS } from "../src/core/settings.js";
import type { Need, Observation, OutboxBatch, Settings } from "../src/core/types.js";
import { KEY, at, indexOf, queued, request, run } from "./support/knowledge.js";

/**
 * Overtaken means lost (docs/britney2.md, "Overtaken means lost"): debci serves each
 * arch's queue by priority then age (lib/debci/amqp.rb: x-max-priority;
 * bin/debci-worker: amqp-consume --prefetch-count 1), so a job of ours still
 * listed as queued after later jobs of ours finished, and after the longest
 * a run takes, was dropped (debci lists such a job as queued for ever).
 */
const S = DEFAULT_SETTINGS;
const NEED: Need = { ...KEY, triggers: KEY.trigger, pinPackages: [], huge: false };
const plan = (index: ReturnType<typeof indexOf>, now: string, settings: Settings = S) => planNeeds(index, [NEED], settings, at(now)).answers[0]!;

/** A finished run of another package of ours on the same suite and arch, created and finished as given. */
function later(runId: number, created: string, finished: string, extra: Partial<Observation> = {}): Observation {
  return run(runId, "pass", finished, { package: `other${runId}`, trigger: "other/1.0-1", createdAt: at(created), ...extra });
}

const DROPPED = { pending: [queued(7, "2026-11-25T08:00:00Z")], requests: [request("2026-11-25T07:59:00Z")] };
const THREE_LATER = [later(11, "2026-11-25T08:10:00Z", "2026-11-25T09:00:00Z"), later(12, "2026-11-25T08:20:00Z", "2026-11-25T09:30:00Z"), later(13, "2026-11-25T08:30:00Z", "2026-11-25T10:00:00Z")];

describe("overtaken means lost", () => {
  it("a listed run is lost once three later runs finished and six hours passed since the third, as the snapshot saw it", () => {
    const before = indexOf({ ...DROPPED, runs: THREE_LATER, snapshotAt: "2026-11-25T15:59:00Z" });
    expect(answerKey(before, KEY, S)).toMatchObject({ state: "pending", inFlight: true, lost: false });
    const after = indexOf({ ...DROPPED, runs: THREE_LATER, snapshotAt: "2026-11-25T16:00:00Z" });
    expect(answerKey(after, KEY, S)).toMatchObject({ state: "missing", inFlight: false, lost: true, overtaken: 7 });
    expect(plan(after, "2026-11-25T16:05:00Z")).toMatchObject({ request: "overtaken", label: "RUNNING" });
  });

  it("is judged from the state alone: a later `now` with the same snapshot changes nothing", () => {
    const index = indexOf({ ...DROPPED, runs: THREE_LATER, snapshotAt: "2026-11-25T15:59:00Z" });
    expect(plan(index, "2026-11-29T00:00:00Z").request).toBeNull();
  });

  it("two later runs are not enough; the setting says how many", () => {
    const index = indexOf({ ...DROPPED, runs: THREE_LATER.slice(0, 2), snapshotAt: "2026-11-26T12:00:00Z" });
    expect(answerKey(index, KEY, S).state).toBe("pending");
    expect(answerKey(index, KEY, { ...S, overtakenBy: 2 })).toMatchObject({ lost: true, overtaken: 7 });
    expect(answerKey(indexOf({ ...DROPPED, runs: THREE_LATER, snapshotAt: "2026-11-30T12:00:00Z" }), KEY, { ...S, overtakenBy: null }).state).toBe("pending");
  });

  it("only runs created strictly after it, on its suite and arch, finished, count", () => {
    const notLater = [
      later(11, "2026-11-25T08:00:00Z", "2026-11-25T09:00:00Z"), // created with it (one batch)
      later(12, "2026-11-25T08:20:00Z", "2026-11-25T09:30:00Z", { arch: "arm64" }),
      later(13, "2026-11-25T08:30:00Z", "2026-11-25T10:00:00Z", { suite: "unstable" }),
      run(14, null, "2026-11-25T08:40:00Z", { package: "other14", trigger: "other/1.0-1" }), // still waiting
    ];
    const index = indexOf({ ...DROPPED, runs: [...notLater, THREE_LATER[0]!, THREE_LATER[1]!], snapshotAt: "2026-11-27T12:00:00Z" });
    expect(answerKey(index, KEY, S).state).toBe("pending");
  });

  it("a tmpfail counts as overtaking (a worker took it)", () => {
    const runs = [...THREE_LATER.slice(0, 2), later(13, "2026-11-25T08:30:00Z", "2026-11-25T10:00:00Z", { status: "tmpfail" })];
    expect(answerKey(indexOf({ ...DROPPED, runs, snapshotAt: "2026-11-25T16:00:00Z" }), KEY, S).overtaken).toBe(7);
  });

  it("a huge request's run waits behind every normal run: only later runs of huge requests (sent huge batches, the ledger's huge requests) overtake it", () => {
    const hugeRequest = request("2026-11-25T07:59:00Z", { huge: true });
    const normalOnly = indexOf({ pending: DROPPED.pending, requests: [hugeRequest], runs: THREE_LATER, snapshotAt: "2026-11-27T12:00:00Z" });
    expect(answerKey(normalOnly, KEY, S).state).toBe("pending");
    // The three later runs were asked for in a huge batch that was sent: their own queue moved past ours.
    const sent: OutboxBatch = {
      name: "20261125T080500Z-aaaa0001.huge.json",
      place: "sent",
      huge: true,
      requestedAt: at("2026-11-25T08:05:00Z"),
      body: [{ suite: "testing", arch: ["amd64"], tests: [11, 12, 13].map((id) => ({ package: `other${id}`, trigger: "other/1.0-1", "pin-packages": [] })) }],
    };
    const hugeLater = indexOf({ pending: DROPPED.pending, requests: [hugeRequest], runs: THREE_LATER, outbox: [sent], snapshotAt: "2026-11-25T16:00:00Z" });
    expect(answerKey(hugeLater, KEY, S)).toMatchObject({ state: "missing", lost: true, overtaken: 7 });
    // The same runs asked for in a normal batch do not count, nor those asked for before ours was.
    expect(answerKey(indexOf({ pending: DROPPED.pending, requests: [hugeRequest], runs: THREE_LATER, outbox: [{ ...sent, name: "20261125T080500Z-aaaa0001.json", huge: false }], snapshotAt: "2026-11-27T12:00:00Z" }), KEY, S).state).toBe("pending");
    const runsBeforeTheirRequest = THREE_LATER.map((r) => ({ ...r, createdAt: at("2026-11-25T07:40:00Z") }));
    expect(answerKey(indexOf({ pending: DROPPED.pending, requests: [hugeRequest], runs: runsBeforeTheirRequest, outbox: [sent], snapshotAt: "2026-11-27T12:00:00Z" }), KEY, S).state).toBe("pending");
  });

  it("a run whose request the ledger no longer holds is not judged", () => {
    const unknown = indexOf({ pending: DROPPED.pending, runs: THREE_LATER, snapshotAt: "2026-11-27T12:00:00Z" });
    expect(answerKey(unknown, KEY, S).state).toBe("pending");
  });

  it("a re-request is in flight, and its own run is judged with twice the allowance while the older one stays listed", () => {
    const requests = [request("2026-11-25T16:05:00Z")];
    const pending = [queued(7, "2026-11-25T08:00:00Z"), queued(8, "2026-11-25T16:06:00Z")];
    const laterStill = [later(21, "2026-11-25T16:10:00Z", "2026-11-25T17:00:00Z"), later(22, "2026-11-25T16:20:00Z", "2026-11-25T17:10:00Z"), later(23, "2026-11-25T16:30:00Z", "2026-11-25T17:20:00Z")];
    const runs = [...THREE_LATER, ...laterStill];
    // The old run is overtaken, the new one waits: pending, not lost, and not asked again.
    const waiting = indexOf({ pending, requests, runs, snapshotAt: "2026-11-26T05:19:00Z" });
    expect(answerKey(waiting, KEY, S)).toMatchObject({ state: "pending", lost: false });
    expect(answerKey(waiting, KEY, S).overtaken).toBeUndefined();
    expect(plan(waiting, "2026-11-26T05:20:00Z").request).toBeNull();
    // Twelve hours (twice six) after the third run later than the new one finished: overtaken too.
    const gone = indexOf({ pending, requests, runs, snapshotAt: "2026-11-26T05:20:00Z" });
    expect(answerKey(gone, KEY, S)).toMatchObject({ state: "missing", lost: true, overtaken: 8 });
  });

  it("a re-request the service should list and does not is lost in its own right, not overtaken", () => {
    // The old run was overtaken and asked for again at 16:05; the snapshot of 17:00 has no job for the new request.
    const index = indexOf({ pending: DROPPED.pending, requests: [request("2026-11-25T16:05:00Z")], runs: THREE_LATER, snapshotAt: "2026-11-25T17:00:00Z" });
    const answer = answerKey(index, KEY, S);
    expect(answer).toMatchObject({ state: "missing", lost: true });
    expect(answer.overtaken).toBeUndefined();
    expect(plan(index, "2026-11-25T17:05:00Z").request).toBe("lost");
  });

  it("a run that ends up running after all counts like any other result", () => {
    const index = indexOf({ ...DROPPED, runs: [...THREE_LATER, run(7, "pass", "2026-11-25T20:00:00Z", { createdAt: at("2026-11-25T08:00:00Z") })], snapshotAt: "2026-11-25T21:00:00Z" });
    expect(answerKey(index, KEY, S)).toMatchObject({ state: "pass", runId: 7, lost: false, inFlight: false });
  });
});

describe("`lost` only when the newest request or run is lost, and no result came", () => {
  it("a run that vanished long ago does not make a later result lost", () => {
    const runs = [run(5, null, "2026-11-20T08:00:00Z"), run(9, "pass", "2026-11-24T08:00:00Z")];
    expect(answerKey(indexOf({ runs, snapshotAt: "2026-11-25T11:30:00Z" }), KEY, S)).toMatchObject({ state: "pass", lost: false });
  });

  it("a vanished run followed by a newer tmpfail is missing, not lost", () => {
    const runs = [run(5, null, "2026-11-20T08:00:00Z"), run(9, "tmpfail", "2026-11-24T08:00:00Z")];
    const index = indexOf({ runs, snapshotAt: "2026-11-25T11:30:00Z" });
    expect(answerKey(index, KEY, S)).toMatchObject({ state: "missing", lost: false });
    expect(plan(index, "2026-11-25T12:00:00Z").request).toBe("missing");
  });

  it("a tmpfail followed by a newer vanished run is lost", () => {
    const runs = [run(5, "tmpfail", "2026-11-20T08:00:00Z"), run(9, null, "2026-11-24T08:00:00Z")];
    expect(answerKey(indexOf({ runs, snapshotAt: "2026-11-25T11:30:00Z" }), KEY, S)).toMatchObject({ state: "missing", lost: true });
  });

  it("a request stays open in the ledger while its run waits, and is answered only by a finished run", () => {
    const waiting = indexOf({ requests: [request("2026-11-25T07:59:00Z")], runs: [run(7, null, "2026-11-25T08:00:00Z")] });
    expect(factsFor(waiting, KEY, S).ledgerRequest).toBe("waiting");
    const done = indexOf({ requests: [request("2026-11-25T07:59:00Z")], runs: [run(7, "fail", "2026-11-25T09:00:00Z", { createdAt: at("2026-11-25T08:00:00Z") })] });
    expect(factsFor(done, KEY, S).ledgerRequest).toBe("answered");
  });

  it("property: an answer with a result, or in flight, is never lost; overtaken implies lost and missing", () => {
    const t0 = at("2026-11-25T00:00:00Z");
    const H = 3_600_000;
    const runArb = fc.record({
      id: fc.integer({ min: 1, max: 40 }),
      own: fc.boolean(),
      status: fc.constantFrom("pass", "fail", "neutral", "tmpfail", null),
      created: fc.integer({ min: 0, max: 48 }),
      took: fc.integer({ min: 0, max: 12 }),
    });
    fc.assert(
      fc.property(fc.array(runArb, { maxLength: 12 }), fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 4 }), fc.option(fc.integer({ min: 0, max: 48 }), { nil: undefined }), fc.integer({ min: 0, max: 72 }), fc.boolean(), (specs, listed, requested, snapAt, huge) => {
        const seen = new Set<number>();
        const runs: Observation[] = [];
        for (const s of specs) {
          if (seen.has(s.id)) continue;
          seen.add(s.id);
          const created = t0 + s.created * H;
          const extra = s.own ? {} : { package: `other${s.id}`, trigger: "other/1.0-1" };
          runs.push(run(s.id, s.status, new Date(s.status === null ? created : created + s.took * H).toISOString(), { createdAt: created, ...extra }));
        }
        const pending = [...new Set(listed)].map((id) => queued(id, new Date(t0 + (id % 48) * H).toISOString()));
        const index = indexOf({ runs, pending, snapshotAt: new Date(t0 + snapAt * H).toISOString(), requests: requested === undefined ? [] : [request(new Date(t0 + requested * H).toISOString(), { huge })] });
        for (const settings of [S, { ...S, overtakenBy: 1, longestRunMs: H }]) {
          const answer = answerKey(index, KEY, settings);
          if (answer.state === "pass" || answer.state === "fail" || answer.inFlight) expect(answer.lost).toBe(false);
          if (answer.overtaken !== undefined) expect(answer).toMatchObject({ lost: true, state: "missing" });
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("Overtaking (core/overtaking.ts) against a brute-force count", () => {
  it("property: the n-th earliest end among runs created in a later second, whatever the order runs were loaded in", () => {
    const runArb = fc.record({
      arch: fc.constantFrom("amd64", "arm64"),
      status: fc.constantFrom("pass", "fail", "tmpfail", null),
      // Mostly close together; sometimes at the ends of what a Date holds, so the packed sort cannot be used.
      created: fc.oneof(fc.integer({ min: 0, max: 200 }).map((s) => 1_790_000_000_000 + s * 500), fc.constantFrom(0, 8.64e15)),
      took: fc.integer({ min: 0, max: 5_000_000 }),
    });
    fc.assert(
      fc.property(fc.array(runArb, { maxLength: 40 }), fc.integer({ min: 1, max: 4 }), fc.array(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 5 }), (specs, n, probes) => {
        const observations = specs.map((s, i) => run(i + 1, s.status, new Date(Math.min(8.64e15, s.created + s.took)).toISOString(), { arch: s.arch, package: `p${i}`, createdAt: s.created }));
        const index = indexOf({ runs: observations });
        const view = index.overtaking(n, false);
        for (const probe of [...probes.map((p) => 1_790_000_000_000 + p * 500), 0]) {
          for (const arch of ["amd64", "arm64"]) {
            const ends = observations
              .filter((o) => o.arch === arch && o.status !== null && Math.floor(o.createdAt! / 1000) > Math.floor(probe / 1000))
              .map((o) => o.updatedAt!)
              .sort((a, b) => a - b);
            expect(view.nthFinishAfter("testing", arch, probe)).toBe(ends.length >= n ? ends[n - 1] : Number.POSITIVE_INFINITY);
          }
        }
        expect(view.nthFinishAfter("unstable", "amd64", 0)).toBe(Number.POSITIVE_INFINITY);
      }),
      { numRuns: 300 },
    );
  });

  it("a queue too wide for the packed sort (times at the ends of what a Date holds) is sorted the plain way", () => {
    const observations = Array.from({ length: 1100 }, (_, i) => {
      const created = i % 2 === 0 ? 8.64e15 - (i + 1) * 1000 : i * 1000; // out of order, spanning every Date
      return run(i + 1, "pass", new Date(Math.min(8.64e15, created + 1000)).toISOString(), { package: `p${i}`, createdAt: created });
    });
    const view = indexOf({ runs: observations }).overtaking(3, false);
    // Runs created after second 1000: every even one, and the odd ones from 1001 on; the three earliest ends are at 1002, 1004 and 1006 seconds.
    expect(view.nthFinishAfter("testing", "amd64", 1000 * 1000)).toBe(1006 * 1000);
    expect(view.nthFinishAfter("testing", "amd64", 8.64e15)).toBe(Number.POSITIVE_INFINITY);
  });
});
