import { factsFor } from "./answer.js";
import { batchRequests } from "./batches.js";
import type { KnowledgeIndex } from "./knowledge.js";
import { keyId } from "./test-key.js";
import { splitTriggers } from "./trigger.js";
import type { Settings, TestKey } from "./types.js";

/**
 * britney2's autopkgtest-results.cache as today's britney2 reads it
 * (check_and_upgrade_cache): trigger → package → arch → [Result name, version,
 * run_id, seen], the name one of PASS, NEUTRAL, FAIL, OLD_PASS, OLD_NEUTRAL,
 * OLD_FAIL, `seen` the result's time in UNIX seconds.
 */
export type BritneyResultsCache = Record<string, Record<string, Record<string, [string, string, string, number]>>>;

/** britney2's autopkgtest-pending.json: trigger → package → arch → when it was asked for (UNIX time). */
export type BritneyPending = Record<string, Record<string, Record<string, number>>>;

/** An object with no prototype: a name like __proto__ or toString is a key like any other, never the prototype's. */
function dict<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

function put<T>(tree: Record<string, Record<string, Record<string, T>>>, trigger: string, pkg: string, arch: string, value: T): void {
  ((tree[trigger] ??= dict())[pkg] ??= dict())[arch] = value;
}

/** Every test key the state knows anything about, once each. */
function knownKeys(index: KnowledgeIndex): TestKey[] {
  const keys = new Map<string, TestKey>();
  const add = (suite: string, arch: string, pkg: string, triggers: string | null) => {
    for (const trigger of splitTriggers(triggers)) keys.set(keyId({ suite, arch, package: pkg, trigger }), { suite, arch, package: pkg, trigger });
  };
  const { knowledge } = index;
  for (const run of knowledge.runs.values()) add(run.suite, run.arch, run.package, run.trigger);
  for (const entry of knowledge.pending?.entries ?? []) add(entry.suite, entry.arch, entry.package, entry.trigger);
  for (const entry of knowledge.ledger.entries) add(entry.suite, entry.arch, entry.package, entry.trigger);
  for (const batch of knowledge.outbox) {
    if (batch.place !== "outbox" || batch.body === null) continue;
    for (const request of batchRequests(batch.body, batch.huge)) add(request.suite, request.arch, request.package, request.trigger);
  }
  return [...keys.values()];
}

/**
 * The module's state in britney2's own files, so an unmodified britney2 can
 * start from it: each key's deciding result, and each key in flight. Only
 * the given suite: britney2 keeps one pair of files per target suite.
 */
export function exportForBritney(index: KnowledgeIndex, settings: Settings, now: number): { results: BritneyResultsCache; pending: BritneyPending } {
  const results: BritneyResultsCache = dict();
  const pending: BritneyPending = dict();
  for (const key of knownKeys(index)) {
    if (key.suite !== settings.suite) continue;
    const { answer, decidingRun } = factsFor(index, key, settings, index.place(key), now);
    if (decidingRun !== null) {
      const seen = Math.floor((decidingRun.updatedAt ?? 0) / 1000);
      // britney2 files results of jobs debci refused to run (no version) under "blocked-on-ci-infra".
      put(results, key.trigger, key.package, key.arch, [answer.result!, decidingRun.version ?? "blocked-on-ci-infra", String(decidingRun.runId), seen]);
    }
    if (answer.inFlight) put(pending, key.trigger, key.package, key.arch, Math.floor(Date.parse(answer.pendingSince ?? "1970-01-01T00:00:00Z") / 1000));
  }
  return { results, pending };
}
