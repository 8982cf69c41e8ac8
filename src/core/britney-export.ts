import { factsFor } from "./answer.js";
import { isoTime } from "./iso-time.js";
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

/**
 * britney2's autopkgtest-pending.json: trigger → package → sorted list of
 * arches, the shape britney2 loads as-is and extends in place
 * (read_pending_tests, then request_test_if_not_queued appends an arch to
 * the list in britney2/policies/autopkgtest.py).
 */
export type BritneyPending = Record<string, Record<string, string[]>>;

/**
 * A job as debci's `GET /api/v1/test` renders it (docs/debci-3.6-measured.md),
 * for britney2's ADT_SWIFT_URL file. britney2 reads `suite`, `trigger`,
 * `package`, `arch`, `version`, `status`, `run_id` and `updated_at` of each
 * (its initialise in britney2/policies/autopkgtest.py), the last cut by five
 * characters (`.000Z`) before parsing, so it must be written with milliseconds.
 */
export interface DebciJobRecord {
  run_id: number;
  created_at: string;
  updated_at: string;
  suite: string;
  arch: string;
  package: string;
  version: null;
  trigger: string;
  status: null;
  pin_packages: [];
  date: null;
  duration_seconds: null;
  last_pass_date: null;
  last_pass_version: null;
  message: null;
  previous_status: null;
  package_id: null;
  requestor_id: null;
  is_private: false;
  extra_apt_sources: [];
  worker_id: null;
  log_size: null;
  artifacts_size: null;
  duration_human: string;
}

/** What britney2 reads from its ADT_SWIFT_URL file: debci's answer shape, here only the keys in flight. */
export interface BritneyDebciFile {
  until: number;
  results: DebciJobRecord[];
}

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

/** A key in flight as a queued job of debci's, so that britney2 counts it pending and asks nothing for it. */
function queuedJob(key: TestKey, runId: number, since: string): DebciJobRecord {
  return {
    run_id: runId,
    created_at: since,
    updated_at: since,
    suite: key.suite,
    arch: key.arch,
    package: key.package,
    version: null,
    trigger: key.trigger,
    status: null,
    pin_packages: [],
    date: null,
    duration_seconds: null,
    last_pass_date: null,
    last_pass_version: null,
    message: null,
    previous_status: null,
    package_id: null,
    requestor_id: null,
    is_private: false,
    extra_apt_sources: [],
    worker_id: null,
    log_size: null,
    artifacts_size: null,
    duration_human: "(n/a)",
  };
}

/**
 * The module's state in britney2's own files, so an unmodified britney2 can
 * start from it and agree with `plan`: each key's deciding result (the
 * results cache), each key in flight (the pending file, and the same keys
 * as queued jobs in a debci.json: Debian's britney2, reading results from
 * a file, throws its pending file away and rebuilds it from the queued
 * jobs of that file). Only the given suite: britney2 keeps one set of files
 * per target suite. `versionsOf` gives, for a package, the versions britney2
 * finds in its suites (from needs); results for other versions are written
 * OLD_*, as britney2's filter_old_results marks them. Without it only the
 * reference age and a null version make a result old.
 */
export function exportForBritney(index: KnowledgeIndex, settings: Settings, now: number, versionsOf: (pkg: string) => string[] | undefined = () => undefined): { results: BritneyResultsCache; pending: BritneyPending; debci: BritneyDebciFile } {
  const results: BritneyResultsCache = dict();
  const pending: BritneyPending = dict();
  const queued: DebciJobRecord[] = [];
  for (const key of knownKeys(index)) {
    if (key.suite !== settings.suite) continue;
    const versions = versionsOf(key.package);
    // Named fields rather than a spread and a field more: several times cheaper, once per key of the state.
    const query = versions === undefined ? key : { suite: key.suite, arch: key.arch, package: key.package, trigger: key.trigger, versions };
    const { answer, decidingRun, evidence } = factsFor(index, query, settings, index.place(key), now);
    if (decidingRun !== null) {
      const seen = Math.floor((decidingRun.updatedAt ?? 0) / 1000);
      // britney2 files results of jobs debci refused to run (no version) under "blocked-on-ci-infra".
      put(results, key.trigger, key.package, key.arch, [answer.result!, decidingRun.version ?? "blocked-on-ci-infra", String(decidingRun.runId), seen]);
    }
    if (answer.inFlight) {
      ((pending[key.trigger] ??= dict())[key.package] ??= []).push(key.arch);
      // A key in flight with no run known yet (a request not sent, or not yet seen) has none to name: run_id 0.
      const runId = evidence.find((e) => e.runId !== undefined)?.runId ?? 0;
      queued.push(queuedJob(key, runId, answer.pendingSince ?? isoTime(now)));
    }
  }
  for (const byPkg of Object.values(pending)) for (const arches of Object.values(byPkg)) arches.sort();
  queued.sort((a, b) => (a.updated_at < b.updated_at ? -1 : a.updated_at > b.updated_at ? 1 : a.run_id - b.run_id));
  return { results, pending, debci: { until: Math.floor(now / 1000), results: queued } };
}
