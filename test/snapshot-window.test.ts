import { describe, expect, it } from "vitest";
import { answerKey } from "../src/core/answer.js";
import { planNeeds } from "../src/core/plan.js";
import { DEFAULT_SETTINGS } from "../src/core/settings.js";
import type { Need } from "../src/core/types.js";
import { pendingSnapshotReader, pendingSnapshotSchema } from "../src/formats/pending-snapshot.js";
import { pendingWindowSince } from "../src/sync/fetch-window.js";
import { KEY, at, indexOf, queued, request, run } from "./support/knowledge.js";

const NEED: Need = { ...KEY, triggers: KEY.trigger, pinPackages: [], huge: false };
const S = DEFAULT_SETTINGS; // pending max age 3 days, grace 30 minutes
const NOW = "2026-11-30T12:00:00Z";
const planned = (index: ReturnType<typeof indexOf>, now = NOW) => planNeeds(index, [NEED], S, at(now)).answers[0]!;

describe("pending.json's since: a snapshot says nothing of runs created before its window", () => {
  it("a job queued 5 days, with the snapshot's since 4 days back, is in flight and not requested", () => {
    const queuedRun = run(41, null, "2026-11-25T12:00:00Z"); // created and last updated 5 days before NOW, never finished
    const index = indexOf({ runs: [queuedRun], snapshotAt: NOW, snapshotSince: "2026-11-26T12:00:00Z", requests: [request("2026-11-25T11:50:00Z")] });
    expect(answerKey(index, KEY, S)).toMatchObject({ state: "pending", inFlight: true, lost: false, pendingSince: "2026-11-25T12:00:00.000Z" });
    expect(planned(index)).toMatchObject({ request: null });
  });

  it("the same run inside the window but missing from the snapshot vanished: lost, asked again (as before)", () => {
    const index = indexOf({ runs: [run(41, null, "2026-11-27T12:00:00Z")], snapshotAt: NOW, snapshotSince: "2026-11-26T12:00:00Z" });
    expect(answerKey(index, KEY, S)).toMatchObject({ state: "missing", lost: true });
    expect(planned(index)).toMatchObject({ request: "lost" });
  });

  it("a snapshot without since keeps today's meaning: it covers every run", () => {
    const index = indexOf({ runs: [run(41, null, "2026-11-25T12:00:00Z")], snapshotAt: NOW });
    expect(answerKey(index, KEY, S)).toMatchObject({ state: "missing", lost: true });
  });

  it("an out-of-window run is judged by pending-too-long from when it left the window", () => {
    // Created 2026-11-20; a 4-day window let go of it on 2026-11-24; three days later it is asked for again.
    const snapshotSince = (now: string) => new Date(at(now) - 4 * 86_400_000).toISOString();
    const index = (now: string) => indexOf({ runs: [run(41, null, "2026-11-20T12:00:00Z")], snapshotAt: now, snapshotSince: snapshotSince(now) });
    expect(planned(index("2026-11-27T11:00:00Z"), "2026-11-27T11:00:00Z")).toMatchObject({ state: "pending", request: null });
    expect(planned(index("2026-11-27T13:00:00Z"), "2026-11-27T13:00:00Z")).toMatchObject({ state: "pending", request: "pending-too-long" });
  });

  it("a ledger request older than since is not lost: in flight until results or pending-too-long say so", () => {
    const old = indexOf({ snapshotAt: NOW, snapshotSince: "2026-11-29T12:00:00Z", requests: [request("2026-11-29T00:00:00Z")] });
    expect(answerKey(old, KEY, S)).toMatchObject({ state: "pending", inFlight: true, lost: false });
    expect(planned(old)).toMatchObject({ request: null });
    // Inside the window (by more than the grace for clock skew) and not listed: lost, as before.
    const covered = indexOf({ snapshotAt: NOW, snapshotSince: "2026-11-29T12:00:00Z", requests: [request("2026-11-29T12:31:00Z")] });
    expect(answerKey(covered, KEY, S)).toMatchObject({ state: "missing", lost: true });
    // Older than the pending max age: pending too long.
    const stale = indexOf({ snapshotAt: NOW, snapshotSince: "2026-11-29T12:00:00Z", requests: [request("2026-11-27T11:00:00Z")] });
    expect(planned(stale)).toMatchObject({ request: "pending-too-long" });
  });

  it("a run the snapshot lists is in flight wherever its window starts", () => {
    const index = indexOf({ runs: [run(41, null, "2026-11-20T12:00:00Z")], snapshotAt: NOW, snapshotSince: "2026-11-16T12:00:00Z", pending: [queued(41, "2026-11-20T12:00:00Z")] });
    expect(planned(index)).toMatchObject({ state: "pending", inFlight: true, request: null });
  });
});

describe("the file", () => {
  const file = (since: unknown) => ({ generated_at: "2026-11-30T12:00:00Z", ...(since === undefined ? {} : { since }), pending: [] });

  it("reads since as a time, by the fast path and by the schema alike", () => {
    expect(pendingSnapshotReader.safeParse(file("2026-11-26T12:00:00Z"))).toMatchObject({ success: true, data: { since: at("2026-11-26T12:00:00Z") } });
    expect(pendingSnapshotSchema.safeParse(file("2026-11-26T12:00:00Z"))).toMatchObject({ success: true, data: { since: at("2026-11-26T12:00:00Z") } });
    expect(pendingSnapshotReader.safeParse(file(undefined))).toMatchObject({ success: true, data: { since: null } });
  });

  it("refuses a since that is not an ISO time (as generated_at)", () => {
    for (const bad of [null, 1795600800, "yesterday", ""]) {
      const parsed = pendingSnapshotReader.safeParse(file(bad));
      expect(parsed.success, JSON.stringify(bad)).toBe(false);
      if (!parsed.success) expect(parsed.error.issues[0]!.path).toEqual(["since"]);
    }
  });
});

describe("fetch's window", () => {
  const now = at(NOW);
  const DAY = 86_400_000;
  it("reaches back to the oldest open request, less clock skew, and no further than its maximum", () => {
    expect(pendingWindowSince(now, 4 * DAY, 14 * DAY, null)).toBe((now - 4 * DAY) / 1000);
    expect(pendingWindowSince(now, 4 * DAY, 14 * DAY, now - DAY)).toBe((now - 4 * DAY) / 1000); // inside already
    expect(pendingWindowSince(now, 4 * DAY, 14 * DAY, now - 6 * DAY)).toBe((now - 6 * DAY - 15 * 60_000) / 1000);
    expect(pendingWindowSince(now, 4 * DAY, 14 * DAY, now - 40 * DAY)).toBe((now - 14 * DAY) / 1000);
    expect(pendingWindowSince(now, 20 * DAY, 14 * DAY, null)).toBe((now - 20 * DAY) / 1000); // a maximum below the window does not shrink it
  });
});
