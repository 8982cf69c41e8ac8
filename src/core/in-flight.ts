import type { KeyRecord, KnowledgeIndex } from "./knowledge.js";
import type { LedgerEntry, PendingEntry, PendingSnapshot, RunBrief, Settings, TestKey } from "./types.js";

/**
 * What is in flight for a key, and what was lost: the runs still waiting
 * (listed, last seen queued, or gone from the window), which of them were
 * overtaken, and what became of this side's latest request. answer.ts
 * builds the answer from these.
 */

/** Why a key counts as in flight, and whether the CI service itself confirmed it. */
export interface InFlightEvidence {
  kind: "snapshot" | "queued-run" | "request" | "unsent";
  since: number | null;
  /** True when the latest pending snapshot lists it; only unconfirmed evidence can grow too old. */
  confirmed: boolean;
  /** The run that is in flight, where one is known (a snapshot entry, a queued run). */
  runId?: number;
  /**
   * When the CI service is last known to have had it, where that is later
   * than `since`: the pending-too-long rule counts from here.
   */
  lastSeen?: number;
}

/** Most keys have no snapshot entry: one shared empty list rather than one per question. */
// Not frozen: a loop over a frozen array makes an iterator object each time, the read-only type keeps writers away.
const NO_ENTRIES: readonly PendingEntry[] = [];

function startedAt(run: RunBrief): number | null {
  return run.createdAt ?? run.updatedAt;
}

/**
 * Whether something created at `created` lies before the snapshot's window
 * (pending.json `since`), of which the snapshot says nothing. Unknown
 * times and snapshots without `since` are covered, as they always were.
 */
function beforeWindow(snapshot: PendingSnapshot, created: number | null): boolean {
  return snapshot.since !== null && created !== null && created < snapshot.since;
}

/**
 * A run last seen unfinished and created before the snapshot's window: not
 * lost (the snapshot did not look that far back), still in flight, and
 * judged by the pending-too-long rule. Every snapshot since it was made
 * looked back at least as far as this one does, so the service listed it
 * until it left that window: that is when it was last seen.
 */
function outOfWindow(snapshot: PendingSnapshot, created: number, runId: number): InFlightEvidence {
  return { kind: "queued-run", since: created, confirmed: false, lastSeen: created + (snapshot.generatedAt - snapshot.since!), runId };
}

/** A run of the key not finished as far as the state knows, and what became of it. */
export interface WaitingRun {
  runId: number;
  created: number | null;
  /** When the CI service last listed it unfinished. */
  lastSeen: number;
  /** Its evidence of being in flight; null once judged lost (vanished, or overtaken). */
  evidence: InFlightEvidence | null;
  overtaken: boolean;
}

/**
 * Overtaken means lost (docs/britney2.md, "Overtaken means lost"): the CI service
 * still lists the run, but n runs of ours created after it on its suite and
 * arch had finished longestRunMs before it was last seen, so it is neither
 * waiting (it would have gone first) nor running (it would have ended).
 * The allowance doubles for each older run of the key still waiting, so a
 * queue the rule misreads costs a few more runs, not one an hour. A huge
 * request's run waits behind every normal run by design, so only later runs
 * of huge requests overtake it. A run whose request the ledger no longer
 * holds is not judged.
 */
function isOvertaken(index: KnowledgeIndex, key: TestKey, run: WaitingRun, olderWaiting: number, request: LedgerEntry | undefined, settings: Settings): boolean {
  if (settings.overtakenBy === null || run.created === null || request === undefined) return false;
  const nth = index.overtaking(settings.overtakenBy, request.huge).nthFinishAfter(key.suite, key.arch, run.created);
  return nth + settings.longestRunMs * 2 ** Math.min(olderWaiting, 20) <= run.lastSeen;
}

/**
 * The runs of the key still unfinished as far as the state knows: listed by
 * the snapshot, or last seen unfinished in the results. Each is in flight,
 * vanished (within the snapshot's window yet not listed) or overtaken.
 */
export function waitingRuns(index: KnowledgeIndex, key: TestKey, runs: readonly RunBrief[], record: KeyRecord | undefined, settings: Settings): WaitingRun[] {
  const snapshot = index.knowledge.pending;
  const waiting: WaitingRun[] = [];
  for (const entry of record?.pending ?? NO_ENTRIES) {
    // A run that finished after the snapshot was taken is no longer in flight.
    if ((index.knowledge.runs.statusOf(entry.runId) ?? null) !== null) continue;
    const evidence: InFlightEvidence = { kind: "snapshot", since: entry.createdAt ?? snapshot!.generatedAt, confirmed: true, runId: entry.runId };
    waiting.push({ runId: entry.runId, created: entry.createdAt, lastSeen: snapshot!.generatedAt, evidence, overtaken: false });
  }
  for (const run of runs) {
    if (run.status !== null) continue;
    const created = startedAt(run);
    const snapshotIsNewer = snapshot !== null && snapshot.generatedAt > (run.updatedAt ?? Number.NEGATIVE_INFINITY);
    if (!snapshotIsNewer) {
      const evidence: InFlightEvidence = { kind: "queued-run", since: created, confirmed: false, runId: run.runId };
      waiting.push({ runId: run.runId, created, lastSeen: run.updatedAt ?? created ?? Number.NEGATIVE_INFINITY, evidence, overtaken: false });
    } else if (index.pendingRunIds.has(run.runId)) continue; // listed: its snapshot entry stands for it
    else if (beforeWindow(snapshot!, created)) {
      const evidence = outOfWindow(snapshot!, created!, run.runId);
      waiting.push({ runId: run.runId, created, lastSeen: evidence.lastSeen!, evidence, overtaken: false });
    } else waiting.push({ runId: run.runId, created, lastSeen: run.updatedAt ?? Number.NEGATIVE_INFINITY, evidence: null, overtaken: false }); // vanished without a result
  }
  const request = record?.request;
  for (const run of waiting) {
    if (run.evidence === null) continue;
    const older = waiting.reduce((n, other) => n + (other !== run && other.created !== null && run.created !== null && other.created < run.created ? 1 : 0), 0);
    if (isOvertaken(index, key, run, older, request, settings)) {
      run.evidence = null;
      run.overtaken = true;
    }
  }
  return waiting;
}

/** The key's newest attempt, when it is lost: its time, and the run, if it was one. */
export interface LostAttempt {
  at: number;
  runId?: number;
  overtaken: boolean;
}

/**
 * What became of this side's latest request: answered once a run created
 * after it (allowing for clock skew) has finished; waiting while such a
 * run waits; in flight while the snapshot cannot yet speak of it; lost when its
 * run vanished or was overtaken, or when the snapshot should list it and
 * does not.
 */
export function requestFate(request: LedgerEntry, runs: readonly RunBrief[], waiting: readonly WaitingRun[], snapshot: PendingSnapshot | null, settings: Settings): RequestFate | "unknown" {
  const from = request.requestedAt - settings.graceMs;
  if (runs.some((run) => run.status !== null && (startedAt(run) ?? Number.NEGATIVE_INFINITY) >= from)) return "answered";
  const ownRuns = waiting.filter((run) => (run.created ?? Number.NEGATIVE_INFINITY) >= from);
  if (ownRuns.length > 0) return ownRuns.some((run) => run.evidence !== null) ? "waiting" : "lost";
  // The snapshot can speak of the request's job only if it was taken after the job was made and its window reaches back to it.
  const serviceShouldKnow = snapshot !== null && request.requestedAt <= snapshot.generatedAt - settings.graceMs && !beforeWindow(snapshot, from);
  if (!serviceShouldKnow) return "unknown";
  // A run the snapshot lists for the key (not overtaken) may be its job, made a little before it by the service's clock.
  return waiting.some((run) => run.evidence?.kind === "snapshot") ? "in-flight" : "lost";
}

/**
 * The key's newest attempt (its latest run, or a request no run followed)
 * when that attempt is lost. A run older than a later one is never the
 * reason a key is lost (docs/britney2.md: `lost`).
 */
export function newestLost(runs: readonly RunBrief[], waiting: readonly WaitingRun[], request: LedgerEntry | undefined, fate: RequestFate | "refused" | null, graceMs: number): LostAttempt | null {
  // A lost request that no run followed (allowing for clock skew) is the newest attempt.
  if (fate === "lost" && request !== undefined && !waiting.some((run) => (run.created ?? Number.NEGATIVE_INFINITY) >= request.requestedAt - graceMs)) return { at: request.requestedAt, overtaken: false };
  // The newest by time, then run id: two numbers, not an object per run nor a closure per call (every answer asks).
  let at = Number.NEGATIVE_INFINITY;
  let runId = -1;
  let found = false;
  for (const run of runs) {
    const t = startedAt(run) ?? Number.NEGATIVE_INFINITY;
    if (found && !isNewer(t, run.runId, at, runId)) continue;
    found = true;
    at = t;
    runId = run.runId;
  }
  for (const run of waiting) {
    const t = run.created ?? Number.NEGATIVE_INFINITY;
    if (found && !isNewer(t, run.runId, at, runId)) continue;
    found = true;
    at = t;
    runId = run.runId;
  }
  if (!found) return null;
  const run = waiting.find((w) => w.runId === runId);
  if (run === undefined || run.evidence !== null) return null;
  return { at, runId, overtaken: run.overtaken };
}

/** Whether an attempt at time `t` with run id `runId` is newer than the one at `at` with `than`: later, or as late with a higher run id. */
function isNewer(t: number, runId: number, at: number, than: number): boolean {
  return t > at || (t === at && runId > than);
}

/** What became of a request: see requestFate. */
export type RequestFate = "answered" | "waiting" | "in-flight" | "lost";
