/** The domain's words (see docs/design.md), as types. Times are epoch milliseconds. */

export type RunStatus = "pass" | "fail" | "neutral" | "tmpfail" | null;

/** One record of a run as the CI service reported it at one moment. */
export interface Observation {
  runId: number;
  suite: string;
  arch: string;
  package: string;
  /** Tested version; null for reject-listed packages. */
  version: string | null;
  status: RunStatus;
  /** The full trigger string as requested (space-separated triggers), or null when britney did not ask. */
  trigger: string | null;
  createdAt: number | null;
  updatedAt: number | null;
}

/** What answering a key needs of a run: no names, which the key already has. */
export type RunBrief = Pick<Observation, "runId" | "version" | "status" | "createdAt" | "updatedAt">;

/** `(suite, arch, package, trigger)`: what britney asks about. `trigger` is one `source/version`. */
export interface TestKey {
  suite: string;
  arch: string;
  package: string;
  trigger: string;
}

/**
 * A key as britney2 asks about it, with what it knows of the tested
 * package: the version it will test now (`version`) and the versions now in
 * testing and unstable (`versions`, britney2's "in any suite"). A result
 * for a version in neither is old (see grade.ts). `testInTarget`: the
 * package has a test in testing (britney2's has_test_in_target; default
 * true), without which no reference run is asked for.
 */
export interface KeyQuery extends TestKey {
  version?: string;
  versions?: string[];
  testInTarget?: boolean;
}

/** One entry of the CI service's pending snapshot. */
export interface PendingEntry {
  runId: number;
  suite: string;
  arch: string;
  package: string;
  trigger: string | null;
  createdAt: number | null;
}

export interface PendingSnapshot {
  generatedAt: number;
  /**
   * The snapshot lists every unfinished run created at or after this time;
   * of runs created before it, it says nothing. Null (a snapshot from before
   * this field): it covers every run.
   */
  since: number | null;
  entries: PendingEntry[];
}

/** What this side asked for, and when: one entry per test key (the latest request). */
export interface LedgerEntry extends TestKey {
  /** The full trigger string sent with the request. */
  triggers: string;
  pinPackages: PinPackages;
  huge: boolean;
  requestedAt: number;
  /** Name of the outbox batch file that carried the request. */
  batch: string;
}

export interface Ledger {
  entries: LedgerEntry[];
  /** Every batch name the ledger already accounts for; others found on disk need repair. */
  batches: string[];
}

/** debci's `pin-packages`: pairs of (packages, suite). */
export type PinPackages = ReadonlyArray<readonly [string, string]>;

/** A test key britney2 needs answered this run, with what a request for it would carry. */
export interface Need extends KeyQuery {
  triggers: string;
  /** Ask for it again even though it has a result (britney2's retry button), unless it is in flight. */
  again?: boolean;
  pinPackages: PinPackages;
  huge: boolean;
}

/** One test request inside an outbox batch, as debci's batch API takes it. */
export interface BatchTest {
  package: string;
  trigger: string;
  "pin-packages": PinPackages;
}

export interface BatchGroup {
  suite: string;
  arch: string[];
  tests: BatchTest[];
}

/** An outbox batch file's content: POSTable as-is as the `tests` parameter of /api/v1/test/batch. */
export type BatchBody = BatchGroup[];

/** A batch found in the outbox or its sent/rejected folders. */
export interface OutboxBatch {
  name: string;
  /** `outbox` (unsent), `sent` or `rejected`. */
  place: "outbox" | "sent" | "rejected";
  huge: boolean;
  /** Time of the run that wrote it, from its name. */
  requestedAt: number | null;
  body: BatchBody | null;
}

/** A request the CI service refused: submit keeps it in outbox/rejected/ with the service's message. */
export interface RefusedRequest extends TestKey {
  message: string;
  refusedAt: number;
  /** The batch that carried it, and that batch's time (from its name). */
  batch: string;
  requestedAt: number | null;
}

export type AnswerState = "pass" | "fail" | "pending" | "missing";

export interface Answer extends TestKey {
  state: AnswerState;
  /** The deciding run's status: pass, neutral or fail. */
  outcome?: "pass" | "neutral" | "fail";
  /** britney2's Result for the key: PASS, NEUTRAL, FAIL or their OLD_ forms; absent without a result. */
  result?: import("./grade.js").Grade;
  version?: string | null;
  runId?: number;
  updatedAt?: string | null;
  /** A run or request is under way for the key (for pass/fail: a re-run). */
  inFlight: boolean;
  /** Requested, but the CI service no longer knows it and no result came. */
  lost: boolean;
  /** Lost because runs created after it went first: the run id overtaken (see overtaking.ts). */
  overtaken?: number;
  pendingSince?: string;
  rejected: boolean;
  /** The CI service refused the latest request for the key: its message, and when. No request follows until the refusal is older than the retry age. */
  refused?: string;
  refusedAt?: string;
}

/** Tunable rules; every time span in milliseconds. */
export interface Settings {
  suite: string;
  graceMs: number;
  pendingMaxAgeMs: number;
  /**
   * A run of ours still waiting once this many runs of ours created after it
   * on its suite and arch have finished (and longestRunMs more has passed)
   * is judged lost: overtaken (see overtaking.ts). null: never.
   */
  overtakenBy: number | null;
  /** The longest a test run may take: an overtaken run may still be running until this has passed. */
  longestRunMs: number;
  /** null: failures are never retried for age (britney2's ADT_RETRY_OLDER_THAN unset). */
  retryOlderThanMs: number | null;
  /** How the baseline is taken: the reference trigger's answer, or "ever passed" under any trigger. */
  baseline: "reference" | "any";
  /** britney2's ADT_REFERENCE_MAX_AGE: a reference result older than this is old (null: never). */
  referenceMaxAgeMs: number | null;
  /** How long a request the CI service refused stays refused before it is asked once more. */
  refusedRetryMs: number;
  /** The largest input file read (after gunzip); larger ones are reported, not read. */
  maxFileBytes: number;
  /** How long a committing run waits for the state's lock before exit 2. */
  waitMs: number;
  /** Data older than this (the snapshot, or the newest results) makes every command warn (see staleness.ts). */
  staleAfterMs: number;
  /**
   * Whether a committing run whose knowledge is incomplete (a file it could
   * not read) still makes the requests that only lack of knowledge calls for.
   */
  allowIncomplete: boolean;
  /** The CI service's web address (e.g. https://ci.debian.net/): answers then carry links to logs, history and retries. */
  ciUrl: string | null;
  /** The suites and arches the CI service runs, when known: a need for another is refused at plan time. */
  serviceSuites: string[] | null;
  serviceArches: string[] | null;
  /** Where the rules that are not debci-bridge's defaults came from (a britney.conf line, debci-bridge.json, a flag), for messages that name them. */
  sources: Readonly<Partial<Record<"baseline" | "retryOlderThanDays" | "referenceMaxAgeDays" | "serviceArches" | "ciUrl", string>>>;
}
