import { compareDebianVersions } from "./debian-version.js";
import { isoTime } from "./iso-time.js";
import type { KeyRecord, KnowledgeIndex } from "./knowledge.js";
import { minOf } from "./numbers.js";
import { later } from "./observations.js";
import type { KeyPlace } from "./key-numbers.js";
import type { PlannedAnswer } from "./answer-shapes.js";
import { REFERENCE_TRIGGER, versionUploadedBy } from "./trigger.js";
import { STATUS_RANK, gradeOf } from "./grade.js";
import type { Answer, AnswerState, KeyQuery, LedgerEntry, PendingEntry, PendingSnapshot, RefusedRequest, RunBrief, Settings, TestKey } from "./types.js";

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

export interface KeyFacts {
  answer: Answer;
  /** The run that decided a pass/fail answer. */
  decidingRun: RunBrief | null;
  evidence: InFlightEvidence[];
  /**
   * What became of this side's latest request for the key, if the ledger
   * has one: `waiting` when a run made for it is listed, not yet finished.
   */
  ledgerRequest: "answered" | "waiting" | "in-flight" | "lost" | "refused" | null;
  /** The CI service's refusal of the latest request for the key, while no later request replaced it. */
  refusal: RefusedRequest | null;
  /** Set when the answer is lost: the newest attempt, which was. */
  lostAttempt: LostAttempt | null;
}

/**
 * Rule 1: a result for an older version of the triggering package itself
 * does not count (britney2's add_trigger_to_results ignores it).
 */
function ownUploadVersion(key: KeyQuery): string | null {
  return versionUploadedBy(key.trigger, key.package);
}

/** Most keys have no snapshot entry: one shared empty list rather than one per question. */
const NO_ENTRIES: readonly PendingEntry[] = Object.freeze([]);

function countsFor(minimum: string, run: RunBrief): boolean {
  return run.version === null || compareDebianVersions(run.version, minimum) >= 0;
}

/**
 * Rules 2 and 3, as britney2 keeps one result per key: the best (PASS
 * before NEUTRAL before FAIL; among equals the latest), so a neutral or
 * failing re-run never undoes a pass. For the reference trigger under the
 * reference baseline the latest finished run decides: it measures now.
 */
function decidingRun(key: TestKey, runs: RunBrief[], settings: Settings): RunBrief | null {
  const latestDecides = key.trigger === REFERENCE_TRIGGER && settings.baseline === "reference";
  let best: RunBrief | null = null;
  for (const run of runs) {
    if (run.status !== "pass" && run.status !== "neutral" && run.status !== "fail") continue; // tmpfail is no result; null not finished
    if (best === null) {
      best = run;
      continue;
    }
    const rank = STATUS_RANK[run.status] - STATUS_RANK[best.status as keyof typeof STATUS_RANK];
    if (latestDecides ? later(run, best) : rank < 0 || (rank === 0 && later(run, best))) best = run;
  }
  return best;
}

/** The versions of the tested package britney2 counts as current, when it said them. */
function currentVersions(key: KeyQuery): readonly string[] | null {
  if (key.versions !== undefined) return key.versions;
  return key.version === undefined ? null : [key.version];
}

/**
 * britney2's filter_old_results, applied under the reference baseline only
 * (as britney2 does): a reference result older than ADT_REFERENCE_MAX_AGE is
 * old; so is a result for a version in neither testing nor unstable. A null
 * version (a job debci refused to run) is never current.
 */
function isOldResult(key: KeyQuery, run: RunBrief, settings: Settings, now: number | null): boolean {
  if (settings.baseline !== "reference") return false;
  if (key.trigger === REFERENCE_TRIGGER && settings.referenceMaxAgeMs !== null && now !== null && run.updatedAt !== null && run.updatedAt < now - settings.referenceMaxAgeMs) return true;
  if (run.version === null) return true;
  const current = currentVersions(key);
  return current !== null && !current.some((v) => compareDebianVersions(v, run.version!) === 0);
}

/** When the key went in flight: the earliest evidence's time, or null when none has one. */
function earliestSince(evidence: readonly InFlightEvidence[]): number | null {
  return minOf(evidence.map((e) => e.since).filter((t): t is number => t !== null));
}

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

/** A refusal stands until a later request for the key (a later batch in the ledger) replaces it. */
function standingRefusal(refusal: RefusedRequest | undefined, request: LedgerEntry | undefined): RefusedRequest | null {
  if (refusal === undefined) return null;
  if (request === undefined || request.batch === refusal.batch) return refusal;
  return request.requestedAt <= (refusal.requestedAt ?? refusal.refusedAt) ? refusal : null;
}

/**
 * An answer with every field it may ever get, absent ones undefined, in the
 * order answer lines write them. One shape for every answer: the planner
 * grows answers in place (baseline, label, request), and answers of a dozen
 * shapes made every function reading them several times slower. Undefined
 * fields are left out by JSON.stringify, as they were when absent.
 */
function blankAnswer(key: TestKey, state: AnswerState, inFlight: boolean, lost: boolean, rejected: boolean): Answer {
  const answer = {
    suite: key.suite,
    arch: key.arch,
    package: key.package,
    trigger: key.trigger,
    state,
    outcome: undefined,
    result: undefined,
    version: undefined,
    runId: undefined,
    updatedAt: undefined,
    inFlight,
    pendingSince: undefined,
    lost,
    overtaken: undefined,
    rejected,
    refused: undefined,
    refusedAt: undefined,
    baseline: undefined,
    baselineResult: undefined,
    label: undefined,
    noLabel: undefined,
    request: undefined,
    held: undefined,
    referenceRequest: undefined,
    links: undefined,
  } satisfies Record<keyof PlannedAnswer, unknown>; // every field a planned answer can have, so none is added later
  return answer as Answer;
}

/** A run of the key not finished as far as the state knows, and what became of it. */
interface WaitingRun {
  runId: number;
  created: number | null;
  /** When the CI service last listed it unfinished. */
  lastSeen: number;
  /** Its evidence of being in flight; null once judged lost (vanished, or overtaken). */
  evidence: InFlightEvidence | null;
  overtaken: boolean;
}

/**
 * Overtaken means lost (README, "Overtaken means lost"): the CI service
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
function waitingRuns(index: KnowledgeIndex, key: TestKey, runs: readonly RunBrief[], record: KeyRecord | undefined, settings: Settings): WaitingRun[] {
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
function requestFate(request: LedgerEntry, runs: readonly RunBrief[], waiting: readonly WaitingRun[], record: KeyRecord, snapshot: PendingSnapshot | null, settings: Settings): "answered" | "waiting" | "in-flight" | "lost" | "unknown" {
  const from = request.requestedAt - settings.graceMs;
  if (runs.some((run) => run.status !== null && (startedAt(run) ?? Number.NEGATIVE_INFINITY) >= from)) return "answered";
  const ownRuns = waiting.filter((run) => (run.created ?? Number.NEGATIVE_INFINITY) >= from);
  if (ownRuns.length > 0) return ownRuns.some((run) => run.evidence !== null) ? "waiting" : "lost";
  // The snapshot can speak of the request's job only if it was taken after the job was made and its window reaches back to it.
  const serviceShouldKnow = snapshot !== null && request.requestedAt <= snapshot.generatedAt - settings.graceMs && !beforeWindow(snapshot, from);
  if (!serviceShouldKnow) return "unknown";
  return record.pending.length > 0 ? "in-flight" : "lost";
}

/**
 * The key's newest attempt (its latest run, or a request no run followed)
 * when that attempt is lost. A run older than a later one is never the
 * reason a key is lost (README: `lost`).
 */
function newestLost(runs: readonly RunBrief[], waiting: readonly WaitingRun[], request: LedgerEntry | undefined, fate: KeyFacts["ledgerRequest"]): LostAttempt | null {
  if (fate === "lost" && request !== undefined && !waiting.some((run) => run.overtaken || run.evidence !== null)) return { at: request.requestedAt, overtaken: false };
  let newest: { at: number; runId: number } | null = null;
  const consider = (runId: number, at: number | null) => {
    const t = at ?? Number.NEGATIVE_INFINITY;
    if (newest === null || t > newest.at || (t === newest.at && runId > newest.runId)) newest = { at: t, runId };
  };
  for (const run of runs) consider(run.runId, startedAt(run));
  for (const run of waiting) consider(run.runId, run.created);
  if (newest === null) return fate === "lost" && request !== undefined ? { at: request.requestedAt, overtaken: false } : null;
  const { at, runId } = newest as { at: number; runId: number };
  const run = waiting.find((w) => w.runId === runId);
  if (run === undefined || run.evidence !== null) return null;
  return { at, runId, overtaken: run.overtaken };
}

/**
 * Answers one test key from loaded knowledge (rules 1-4 of docs/design.md).
 * `now` judges the age of reference results; without it none is too old.
 */
export function factsFor(index: KnowledgeIndex, key: KeyQuery, settings: Settings, place: KeyPlace = index.place(key), now: number | null = null): KeyFacts {
  const minimum = ownUploadVersion(key);
  const found = index.runsFor(key, place);
  const runs = minimum === null ? found : found.filter((run) => countsFor(minimum, run));
  const snapshot = index.knowledge.pending;
  const record = index.record(place);
  const waiting = waitingRuns(index, key, runs, record, settings);
  const evidence: InFlightEvidence[] = [];
  for (const run of waiting) if (run.evidence !== null) evidence.push(run.evidence);

  let ledgerRequest: KeyFacts["ledgerRequest"] = null;
  const unsent = record?.unsentSince;
  if (unsent !== undefined) {
    // Still waiting in the outbox: the CI service cannot know it yet.
    evidence.push({ kind: "unsent", since: unsent, confirmed: false });
  }
  const request = record?.request;
  const refusal = standingRefusal(record?.refusal, request);
  if (refusal !== null && unsent === undefined) {
    // Refused by the service: neither in flight nor lost, and not asked again while the refusal is fresh (see plan.ts).
    ledgerRequest = "refused";
  } else if (request !== undefined && unsent === undefined) {
    const fate = requestFate(request, runs, waiting, record!, snapshot, settings);
    if (fate === "unknown") {
      ledgerRequest = "in-flight";
      evidence.push({ kind: "request", since: request.requestedAt, confirmed: false });
    } else ledgerRequest = fate;
  }

  const deciding = decidingRun(key, runs, settings);
  const inFlight = evidence.length > 0;
  // Lost: no result decides, nothing is in flight, and the newest attempt is lost.
  const lostAttempt = deciding === null && !inFlight ? newestLost(runs, waiting, request, ledgerRequest) : null;
  const answer = blankAnswer(key, deciding !== null ? (deciding.status === "fail" ? "fail" : "pass") : inFlight ? "pending" : "missing", inFlight, lostAttempt !== null, index.isRejected(key));
  if (lostAttempt?.overtaken === true) answer.overtaken = lostAttempt.runId;
  if (deciding !== null) {
    answer.outcome = deciding.status as "pass" | "neutral" | "fail";
    answer.result = gradeOf(answer.outcome, isOldResult(key, deciding, settings, now));
    answer.version = deciding.version;
    answer.runId = deciding.runId;
    answer.updatedAt = deciding.updatedAt === null ? null : isoTime(deciding.updatedAt);
  }
  const since = inFlight ? earliestSince(evidence) : null;
  if (since !== null) answer.pendingSince = isoTime(since);
  if (refusal !== null) {
    answer.refused = refusal.message;
    answer.refusedAt = isoTime(refusal.refusedAt);
  }
  return { answer, decidingRun: deciding, evidence, ledgerRequest, refusal, lostAttempt };
}

export function answerKey(index: KnowledgeIndex, key: KeyQuery, settings: Settings, now: number | null = null): Answer {
  return factsFor(index, key, settings, index.place(key), now).answer;
}
