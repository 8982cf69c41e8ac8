import { describe, expect, it } from "vitest";
import { answerKey } from "../src/core/answer.js";
import { planNeeds } from "../src/core/plan.js";
import { DAY_MS, DEFAULT_SETTINGS } from "../src/core/settings.js";
import { REFERENCE_TRIGGER } from "../src/core/trigger.js";
import type { Need, Settings } from "../src/core/types.js";
import { KEY, at, indexOf, queued, request, run } from "./support/knowledge.js";

const NEED: Need = { ...KEY, triggers: KEY.trigger, pinPackages: [], huge: false };
const S = DEFAULT_SETTINGS;

function plan(index: ReturnType<typeof indexOf>, now: string, settings: Settings = S) {
  return planNeeds(index, [NEED], settings, at(now)).answers[0]!;
}

describe("in flight: requests the CI service cannot know yet", () => {
  it("a request newer than the snapshot minus the grace period is pending", () => {
    const index = indexOf({ snapshotAt: "2026-11-25T11:30:00Z", requests: [request("2026-11-25T11:01:00Z")] });
    expect(answerKey(index, KEY, S)).toMatchObject({ state: "pending", inFlight: true, lost: false, pendingSince: "2026-11-25T11:01:00.000Z" });
  });

  it("a request the snapshot should list, but does not, is lost", () => {
    const index = indexOf({ snapshotAt: "2026-11-25T11:30:00Z", requests: [request("2026-11-25T11:00:00Z")] });
    expect(answerKey(index, KEY, S)).toMatchObject({ state: "missing", inFlight: false, lost: true });
    expect(plan(index, "2026-11-25T12:00:00Z").request).toBe("lost");
  });

  it("a wider grace period keeps it pending", () => {
    const index = indexOf({ snapshotAt: "2026-11-25T11:30:00Z", requests: [request("2026-11-25T11:00:00Z")] });
    expect(answerKey(index, KEY, { ...S, graceMs: 60 * 60_000 }).state).toBe("pending");
  });

  it("with no snapshot at all, every request is pending", () => {
    const index = indexOf({ requests: [request("2026-11-01T00:00:00Z")] });
    expect(answerKey(index, KEY, S).state).toBe("pending");
  });

  it("a request answered by a run created after it is neither pending nor lost", () => {
    const index = indexOf({ snapshotAt: "2026-11-25T11:30:00Z", requests: [request("2026-11-25T09:00:00Z")], runs: [run(7, "pass", "2026-11-25T10:00:00Z", { createdAt: at("2026-11-25T09:05:00Z") })] });
    expect(answerKey(index, KEY, S)).toMatchObject({ state: "pass", inFlight: false, lost: false });
  });

  it("a retry request is not answered by the older result it retries", () => {
    const index = indexOf({ snapshotAt: "2026-11-25T11:30:00Z", requests: [request("2026-11-25T11:10:00Z")], runs: [run(7, "fail", "2026-11-20T10:00:00Z")] });
    expect(answerKey(index, KEY, S)).toMatchObject({ state: "fail", inFlight: true });
  });
});

describe("in flight: queued runs", () => {
  it("a run seen queued, with no newer snapshot, is pending", () => {
    expect(answerKey(indexOf({ runs: [run(7, null, "2026-11-25T09:00:00Z")] }), KEY, S).state).toBe("pending");
    expect(answerKey(indexOf({ snapshotAt: "2026-11-25T08:00:00Z", runs: [run(7, null, "2026-11-25T09:00:00Z")] }), KEY, S).state).toBe("pending");
  });

  it("a queued run that a newer snapshot still lists is pending; one it no longer lists is lost", () => {
    const listed = indexOf({ snapshotAt: "2026-11-25T11:30:00Z", pending: [queued(7, "2026-11-25T08:50:00Z")], runs: [run(7, null, "2026-11-25T09:00:00Z")] });
    expect(answerKey(listed, KEY, S)).toMatchObject({ state: "pending", pendingSince: "2026-11-25T08:50:00.000Z" });
    const gone = indexOf({ snapshotAt: "2026-11-25T11:30:00Z", runs: [run(7, null, "2026-11-25T09:00:00Z")] });
    expect(answerKey(gone, KEY, S)).toMatchObject({ state: "missing", lost: true });
  });

  it("a run the snapshot lists but that has finished since is not in flight", () => {
    const index = indexOf({ snapshotAt: "2026-11-25T11:30:00Z", pending: [queued(7, "2026-11-25T11:00:00Z")], runs: [run(7, "pass", "2026-11-25T11:45:00Z")] });
    expect(answerKey(index, KEY, S)).toMatchObject({ state: "pass", inFlight: false, runId: 7 });
    const tmpfailed = indexOf({ snapshotAt: "2026-11-25T11:30:00Z", pending: [queued(7, "2026-11-25T11:00:00Z")], runs: [run(7, "tmpfail", "2026-11-25T11:45:00Z")] });
    expect(answerKey(tmpfailed, KEY, S)).toMatchObject({ state: "missing", inFlight: false });
  });

  it("a snapshot entry alone is pending, even for a run never seen in results", () => {
    expect(answerKey(indexOf({ snapshotAt: "2026-11-25T11:30:00Z", pending: [queued(9, "2026-11-25T11:00:00Z", { trigger: `gcc-14/14.2.0-5 ${KEY.trigger}` })] }), KEY, S).state).toBe("pending");
  });
});

describe("asking again", () => {
  it("unconfirmed evidence older than the maximum pending age is asked for again; younger is not", () => {
    const index = indexOf({ requests: [request("2026-11-22T11:00:00Z")] });
    expect(plan(index, "2026-11-25T10:59:00Z").request).toBeNull();
    expect(plan(index, "2026-11-25T11:01:00Z").request).toBe("pending-too-long");
    expect(plan(index, "2026-11-25T11:01:00Z", { ...S, pendingMaxAgeMs: 5 * DAY_MS }).request).toBeNull();
  });

  it("a run the snapshot lists is never asked for again, however long it queues", () => {
    const index = indexOf({ snapshotAt: "2026-11-25T11:30:00Z", pending: [queued(9, "2026-10-01T00:00:00Z")] });
    expect(plan(index, "2026-11-25T12:00:00Z")).toMatchObject({ state: "pending", request: null });
  });

  describe("failures older than the retry age", () => {
    const retry = { ...S, retryOlderThanMs: 7 * DAY_MS };
    const old = run(7, "fail", "2026-11-10T00:00:00Z");
    const refPass = run(8, "pass", "2026-11-09T00:00:00Z", { trigger: REFERENCE_TRIGGER });
    const refFail = run(8, "fail", "2026-11-09T00:00:00Z", { trigger: REFERENCE_TRIGGER });

    it("are asked again when the baseline passed", () => {
      expect(plan(indexOf({ runs: [old, refPass] }), "2026-11-25T12:00:00Z", retry).request).toBe("retry");
    });
    it("are not when the retry age is off", () => {
      expect(plan(indexOf({ runs: [old, refPass] }), "2026-11-25T12:00:00Z", { ...S, retryOlderThanMs: null }).request).toBeNull();
    });
    it("are, by default, after a day, as Debian's ADT_RETRY_OLDER_THAN = 1", () => {
      expect(S.retryOlderThanMs).toBe(DAY_MS);
      expect(S.referenceMaxAgeMs).toBe(7 * DAY_MS);
      expect(plan(indexOf({ runs: [old, refPass] }), "2026-11-25T12:00:00Z").request).toBe("retry");
    });
    it("are not when the failure is younger than the retry age", () => {
      expect(plan(indexOf({ runs: [old, refPass] }), "2026-11-16T12:00:00Z", retry).request).toBeNull();
    });
    it("are not when the baseline failed too", () => {
      expect(plan(indexOf({ runs: [old, refFail] }), "2026-11-25T12:00:00Z", retry).request).toBeNull();
    });
    it("are not while a re-run is in flight", () => {
      expect(plan(indexOf({ runs: [old, refPass], requests: [request("2026-11-25T11:00:00Z")] }), "2026-11-25T12:00:00Z", retry).request).toBeNull();
    });
    it("with the 'ever passed' baseline, a pass under any trigger counts", () => {
      const other = run(9, "pass", "2026-11-01T00:00:00Z", { trigger: "gcc-14/14.2.0-5" });
      expect(plan(indexOf({ runs: [old, other] }), "2026-11-25T12:00:00Z", { ...retry, baseline: "any" }).request).toBe("retry");
      expect(plan(indexOf({ runs: [old, other] }), "2026-11-25T12:00:00Z", retry).request).toBeNull();
    });
  });

  it("never asks for a reject-listed key, nor one waiting in an unsent batch", () => {
    const rejected = indexOf({ rejectList: { baz: { "*": { amd64: { "*": "flaky" } } } } });
    expect(plan(rejected, "2026-11-25T12:00:00Z")).toMatchObject({ state: "missing", rejected: true, request: null, held: "rejected" });
    const unsent = indexOf({
      outbox: [{ name: "x.json", place: "outbox", huge: false, requestedAt: null, body: [{ suite: "testing", arch: ["amd64"], tests: [{ package: "baz", trigger: KEY.trigger, "pin-packages": [] }] }] }],
    });
    expect(plan(unsent, "2026-11-25T12:00:00Z")).toMatchObject({ state: "pending", request: null });
  });
});

describe("keys are told apart whatever their names hold", () => {
  it("two needs whose names differ only in where a space falls are two keys, each requested", () => {
    const index = indexOf({});
    const a: Need = { ...NEED, arch: "amd64 x", package: "y" };
    const b: Need = { ...NEED, arch: "amd64", package: "x y" };
    const planned = planNeeds(index, [a, b, a], S, at("2026-11-25T12:00:00Z"));
    expect(planned.requests).toEqual([a, b]);
    expect(planned.answers.map((p) => p.held ?? p.request)).toEqual(["missing", "missing", "duplicate"]);
  });
});

describe("ever passed (--baseline any), as britney2's result_in_baseline sees the results", () => {
  // From the issue-16 world run with an unmodified britney2 (threatcode/britney2 at 53b88ee): newgreen/2 on amd64,
  // whose only earlier pass was newgreen 1 tested for its own upload newgreen/2. add_trigger_to_results drops a run
  // of the trigger's own source at an older version, so britney2 never counts that pass: ALWAYSFAIL, not REGRESSION.
  const ANY = { ...S, baseline: "any" as const };
  const NEWGREEN = { suite: "testing", arch: "amd64", package: "newgreen", trigger: "newgreen/2" };
  const need: Need = { ...NEWGREEN, triggers: "newgreen/2", pinPackages: [], huge: false };
  const newgreen = (runId: number, status: "pass" | "fail", version: string, trigger: string, updated: string) => run(runId, status, updated, { package: "newgreen", version, trigger });

  it("a pass of the trigger's own source at an older version is no baseline pass", () => {
    const index = indexOf({ runs: [newgreen(1, "pass", "1", "newgreen/2", "2026-11-24T10:00:00Z"), newgreen(2, "fail", "2", "newgreen/2", "2026-11-25T10:00:00Z")] });
    expect(planNeeds(index, [need], ANY, at("2026-11-25T12:00:00Z")).answers[0]).toMatchObject({ state: "fail", baselineResult: "FAIL", label: "ALWAYSFAIL" });
  });

  it("the same old version's pass under another trigger still counts: REGRESSION", () => {
    const index = indexOf({ runs: [newgreen(1, "pass", "1", "green/2", "2026-11-24T10:00:00Z"), newgreen(2, "fail", "2", "newgreen/2", "2026-11-25T10:00:00Z")] });
    expect(planNeeds(index, [need], ANY, at("2026-11-25T12:00:00Z")).answers[0]).toMatchObject({ state: "fail", baselineResult: "PASS", label: "REGRESSION" });
  });

  it("a run for several triggers counts when one of them is not its own newer upload", () => {
    const index = indexOf({ runs: [newgreen(1, "pass", "1", "newgreen/2 green/2", "2026-11-24T10:00:00Z"), newgreen(2, "fail", "2", "newgreen/2", "2026-11-25T10:00:00Z")] });
    expect(planNeeds(index, [need], ANY, at("2026-11-25T12:00:00Z")).answers[0]).toMatchObject({ baselineResult: "PASS", label: "REGRESSION" });
  });
});
