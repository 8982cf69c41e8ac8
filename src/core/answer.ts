import { compareDebianVersions } from "./debian-version.js";
import { isoTime } from "./iso-time.js";
import type { KnowledgeIndex } from "./knowledge.js";
import { newestLost, requestFate, waitingRuns, type InFlightEvidence, type LostAttempt, type RequestFate } from "./in-flight.js";
import { minOf } from "./numbers.js";
import { later } from "./observations.js";
import type { KeyPlace } from "./key-numbers.js";
import type { PlannedAnswer } from "./answer-shapes.js";
import { REFERENCE_TRIGGER, versionUploadedBy } from "./trigger.js";
import { STATUS_RANK, gradeOf } from "./grade.js";

export type { InFlightEvidence, LostAttempt } from "./in-flight.js";
import type { Answer, AnswerState, KeyQuery, LedgerEntry, RefusedRequest, RunBrief, Settings, TestKey } from "./types.js";

export interface KeyFacts {
  answer: Answer;
  /** The run that decided a pass/fail answer. */
  decidingRun: RunBrief | null;
  evidence: InFlightEvidence[];
  /**
   * What became of this side's latest request for the key, if the ledger
   * has one: `waiting` when a run made for it is listed, not yet finished.
   */
  ledgerRequest: RequestFate | "refused" | null;
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

function countsFor(minimum: string, run: RunBrief): boolean {
  return run.version === null || compareDebianVersions(run.version, minimum) >= 0;
}

/**
 * Rules 2 and 3, as britney2 keeps one result per key: the best (PASS
 * before NEUTRAL before FAIL; among equals the latest), so a neutral or
 * failing re-run never undoes a pass. For the reference trigger under the
 * reference baseline the latest finished run decides: it measures now.
 */
function decidingRun(key: TestKey, runs: readonly RunBrief[], settings: Settings): RunBrief | null {
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

/**
 * Whether britney2 counts `version` as current for the tested package (one
 * of the versions it said, or the one version it tests); true when it said
 * none. No list made for a lone version: every answer with a result asks.
 */
function isCurrentVersion(key: KeyQuery, version: string): boolean {
  const versions = key.versions;
  if (versions === undefined) return key.version === undefined || compareDebianVersions(key.version, version) === 0;
  for (let i = 0; i < versions.length; i++) if (compareDebianVersions(versions[i]!, version) === 0) return true;
  return false;
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
  return run.version === null || !isCurrentVersion(key, run.version);
}

/** When the key went in flight: the earliest evidence's time, or null when none has one. */
function earliestSince(evidence: readonly InFlightEvidence[]): number | null {
  return minOf(evidence.map((e) => e.since).filter((t): t is number => t !== null));
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
    const fate = requestFate(request, runs, waiting, snapshot, settings);
    if (fate === "unknown") {
      ledgerRequest = "in-flight";
      evidence.push({ kind: "request", since: request.requestedAt, confirmed: false });
    } else ledgerRequest = fate;
  }

  const deciding = decidingRun(key, runs, settings);
  const inFlight = evidence.length > 0;
  // Lost: no result decides, nothing is in flight, and the newest attempt is lost.
  const lostAttempt = deciding === null && !inFlight ? newestLost(runs, waiting, request, ledgerRequest, settings.graceMs) : null;
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
