import { compareDebianVersions } from "./debian-version.js";
import type { KnowledgeIndex } from "./knowledge.js";
import { minOf } from "./numbers.js";
import { later } from "./observations.js";
import { keyId } from "./test-key.js";
import { REFERENCE_TRIGGER, parseTrigger } from "./trigger.js";
import type { Answer, KeyQuery, LedgerEntry, Observation, RefusedRequest, Settings, TestKey } from "./types.js";

/** Why a key counts as in flight, and whether the CI service itself confirmed it. */
export interface InFlightEvidence {
  kind: "snapshot" | "queued-run" | "request" | "unsent";
  since: number | null;
  /** True when the latest pending snapshot lists it; only unconfirmed evidence can grow too old. */
  confirmed: boolean;
}

export interface KeyFacts {
  answer: Answer;
  /** The run that decided a pass/fail answer. */
  decidingRun: Observation | null;
  evidence: InFlightEvidence[];
  /** What became of this side's latest request for the key, if the ledger has one. */
  ledgerRequest: "answered" | "in-flight" | "lost" | "refused" | null;
  /** The CI service's refusal of the latest request for the key, while no later request replaced it. */
  refusal: RefusedRequest | null;
}

/**
 * Rule 1: a result for an older version of the triggering package itself does
 * not count; nor, when britney2 says which version it will test, a result
 * for an older version than that (britney2 ignores such stale results too).
 */
function minimumVersions(key: KeyQuery): string[] {
  const minimum: string[] = [];
  if (key.version !== undefined) minimum.push(key.version);
  const upload = parseTrigger(key.trigger);
  if (upload !== null && upload.source === key.package) minimum.push(upload.version);
  return minimum;
}

function countsFor(minimum: readonly string[], run: Observation): boolean {
  if (run.version === null) return true;
  for (const version of minimum) if (compareDebianVersions(run.version, version) < 0) return false;
  return true;
}


/** Rules 2 and 3: the run whose finished result decides the key, if any. */
function decidingRun(key: TestKey, runs: Observation[]): Observation | null {
  let latestPass: Observation | null = null;
  let latestFail: Observation | null = null;
  let latestFinished: Observation | null = null;
  for (const run of runs) {
    if (run.status === "pass" || run.status === "neutral") {
      if (later(run, latestPass)) latestPass = run;
    } else if (run.status === "fail") {
      if (later(run, latestFail)) latestFail = run;
    } else {
      continue; // tmpfail is not a result; null is not finished
    }
    if (later(run, latestFinished)) latestFinished = run;
  }
  // The baseline run is a measurement of now; a pass elsewhere is sticky.
  if (key.trigger === REFERENCE_TRIGGER) return latestFinished;
  return latestPass ?? latestFail;
}

function startedAt(run: Observation): number | null {
  return run.createdAt ?? run.updatedAt;
}

/** A refusal stands until a later request for the key (a later batch in the ledger) replaces it. */
function standingRefusal(refusal: RefusedRequest | undefined, request: LedgerEntry | undefined): RefusedRequest | null {
  if (refusal === undefined) return null;
  if (request === undefined || request.batch === refusal.batch) return refusal;
  return request.requestedAt <= (refusal.requestedAt ?? refusal.refusedAt) ? refusal : null;
}

/** Answers one test key from loaded knowledge (rules 1-4 of docs/design.md). */
export function factsFor(index: KnowledgeIndex, key: KeyQuery, settings: Settings, id: string = keyId(key)): KeyFacts {
  const minimum = minimumVersions(key);
  const found = index.runsFor(key);
  const runs = minimum.length === 0 ? found : found.filter((run) => countsFor(minimum, run));
  const snapshot = index.knowledge.pending;
  const evidence: InFlightEvidence[] = [];
  let lost = false;

  for (const entry of index.pendingFor(id)) {
    // A run that finished after the snapshot was taken is no longer in flight.
    const finished = (index.knowledge.runs.get(entry.runId)?.status ?? null) !== null;
    if (!finished) evidence.push({ kind: "snapshot", since: entry.createdAt ?? snapshot!.generatedAt, confirmed: true });
  }
  for (const run of runs) {
    if (run.status !== null) continue;
    const snapshotIsNewer = snapshot !== null && snapshot.generatedAt > (run.updatedAt ?? Number.NEGATIVE_INFINITY);
    if (!snapshotIsNewer) evidence.push({ kind: "queued-run", since: startedAt(run), confirmed: false });
    else if (!index.pendingRunIds.has(run.runId)) lost = true; // vanished without a result
  }
  let ledgerRequest: KeyFacts["ledgerRequest"] = null;
  const unsent = index.unsentSince(id);
  if (unsent !== undefined) {
    // Still waiting in the outbox: the CI service cannot know it yet.
    evidence.push({ kind: "unsent", since: unsent, confirmed: false });
  }
  const request = index.requestFor(id);
  const refusal = standingRefusal(index.refusalFor(id), request);
  if (refusal !== null && unsent === undefined) {
    // Refused by the service: neither in flight nor lost, and not asked again while the refusal is fresh (see plan.ts).
    ledgerRequest = "refused";
  } else if (request !== undefined && unsent === undefined) {
    // A run created after the request (allowing for clock skew) is its answer.
    const answered = runs.some((run) => (startedAt(run) ?? Number.NEGATIVE_INFINITY) >= request.requestedAt - settings.graceMs);
    const serviceShouldKnow = snapshot !== null && request.requestedAt <= snapshot.generatedAt - settings.graceMs;
    if (answered) ledgerRequest = "answered";
    else if (!serviceShouldKnow) {
      ledgerRequest = "in-flight";
      evidence.push({ kind: "request", since: request.requestedAt, confirmed: false });
    } else {
      ledgerRequest = index.pendingFor(id).length > 0 ? "in-flight" : "lost";
      lost = true;
    }
  }

  const deciding = decidingRun(key, runs);
  const inFlight = evidence.length > 0;
  const sinces = evidence.map((e) => e.since).filter((t): t is number => t !== null);
  const answer: Answer = {
    suite: key.suite,
    arch: key.arch,
    package: key.package,
    trigger: key.trigger,
    state: deciding !== null ? (deciding.status === "fail" ? "fail" : "pass") : inFlight ? "pending" : "missing",
    inFlight,
    lost: lost && !inFlight,
    rejected: index.isRejected(key),
  };
  if (deciding !== null) {
    answer.outcome = deciding.status as "pass" | "neutral" | "fail";
    answer.version = deciding.version;
    answer.runId = deciding.runId;
    answer.updatedAt = deciding.updatedAt === null ? null : new Date(deciding.updatedAt).toISOString();
  }
  const since = minOf(sinces);
  if (since !== null) answer.pendingSince = new Date(since).toISOString();
  if (refusal !== null) {
    answer.refused = refusal.message;
    answer.refusedAt = new Date(refusal.refusedAt).toISOString();
  }
  return { answer, decidingRun: deciding, evidence, ledgerRequest, refusal };
}

export function answerKey(index: KnowledgeIndex, key: KeyQuery, settings: Settings): Answer {
  return factsFor(index, key, settings).answer;
}
