import { join } from "node:path";
import { RunStore } from "../core/run-store.js";
import type { Observation } from "../core/types.js";
import { quickResultRecord, resultRecordSchema } from "../formats/results-file.js";
import { rejectListSchema } from "../formats/reject-list-file.js";
import { minOf } from "../core/numbers.js";
import { ledgerFileReader } from "../formats/ledger-file.js";
import { writeFileAtomic } from "../store/atomic-write.js";
import { readJsonFile } from "../store/read-json.js";
import { acquireLock } from "../store/lock.js";
import { makeDirs } from "../store/shared-mode.js";
import { removeStaleTemps } from "../store/stale-temps.js";
import { requireStateDir, statePaths } from "../store/state-paths.js";
import { watermark } from "../session/maintenance.js";
import { coveredUntil, NewestTime, pendingWindowSince, startSince } from "./fetch-window.js";
import { BadBody, request, type HttpOptions, type Received } from "./http.js";
import { ResultsBodySplitter } from "./results-body.js";
import { ResultsSlices } from "./results-slices.js";
import { progress as reportProgress, progressWanted } from "../store/progress.js";
import { isoTime } from "../core/iso-time.js";

export interface FetchOptions {
  stateDir: string;
  /** The service's base URL, without credentials. */
  url: URL;
  now: number;
  suite: string;
  /** How far back the pending snapshot looks for unfinished runs: at least the maximum pending age. */
  pendingWindowMs: number;
  /** How far back it may reach to cover the oldest open request in the ledger. */
  maxPendingWindowMs: number;
  overlapMinutes: number;
  /** `--since`: where to start, overriding the watermark (epoch ms); null to resume. */
  since: number | null;
  /** With no watermark and no --since: how far back a fresh state starts. */
  backfillMs: number;
  /** The most one response may carry. */
  maxBytes: number;
  /** The most one results file holds before the next slice starts. */
  maxSliceBytes: number;
  http: HttpOptions;
}

export interface FetchResult {
  files: string[];
  results: number;
  since: number;
  /** Why fetch started at `since`: the watermark, `--since`, or a fresh state's backfill. */
  sinceFrom: string;
  until: number;
  /** Whether the service's own `until` was believed (see fetch-window.ts). */
  untilTrusted: boolean;
  pending: number;
  /** Where the pending snapshot's window started (UNIX seconds), as its `since` says. */
  pendingSince: number;
  rejectList: boolean;
}

const PROGRESS_EVERY = 100_000;

/** The longest a single result record may be: real ones are well under a kilobyte. */
const MAX_RECORD_BYTES = 1 << 20;
/** The reject list is a few kilobytes; no need to allow it more. */
const MAX_REJECT_LIST_BYTES = 16 << 20;

const stampOf = (now: number) => new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");

function observationOf(text: string, suite: string, schema: ReturnType<typeof resultRecordSchema>): Observation | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BadBody(`a result record is not valid JSON: ${(error as Error).message}`);
  }
  // A record the loader would skip is still written (and counted there as skipped), just not used here.
  return quickResultRecord(value, suite) ?? schema.safeParse(value).data ?? null;
}

/** Streams one GET /api/v1/test body, handing each record's text and its observation (null if malformed) to `each`. */
async function streamResults(answer: Received, options: Pick<FetchOptions, "suite" | "maxBytes">, what: string, each: (text: string, o: Observation | null) => void, flush: () => Promise<void>): Promise<unknown> {
  const schema = resultRecordSchema(options.suite);
  const splitter = new ResultsBodySplitter((text) => each(text, observationOf(text, options.suite, schema)), MAX_RECORD_BYTES);
  for await (const chunk of answer.chunks(options.maxBytes, what)) {
    splitter.push(chunk);
    await flush();
  }
  splitter.finish();
  return splitter.until;
}

/** One GET /api/v1/test answer as written to temporary slices, not yet renamed into place. */
export interface ResultsAnswer {
  slices: ResultsSlices;
  /** The body's `until`, as sent. */
  reported: unknown;
  /** The newest believable time among the records (ms). */
  newest: number | null;
  received: number;
  /** Runs updated since `windowSince`, when the answer also serves as the pending window. */
  pendingRuns: RunStore;
}

/**
 * Streams an answer into slices of results/ (see ResultsSlices), noting the
 * newest time received and, when `windowSince` is set, the runs the
 * pending window would have returned. On failure the caller aborts the
 * slices; on success it finishes them with the `until` it believes.
 */
export async function receiveResults(answer: Received, options: Pick<FetchOptions, "now" | "suite" | "maxBytes" | "maxSliceBytes">, target: { dir: string; since: number; stamp: string; windowSince: number | null }, progress?: (line: string) => void): Promise<ResultsAnswer> {
  const slices = new ResultsSlices(target.dir, target.since, target.stamp, options.maxSliceBytes);
  const out: ResultsAnswer = { slices, reported: undefined, newest: null, received: 0, pendingRuns: new RunStore() };
  const newest = new NewestTime(options.now);
  try {
    out.reported = await streamResults(answer, options, `GET /api/v1/test?since=${target.since}`, (text, o) => {
      slices.add(text);
      out.received++;
      // A long answer says it is moving: a line every 100,000 results, not silence until the summary.
      if (out.received % PROGRESS_EVERY === 0) progress?.(`${out.received} result(s) received so far`);
      if (o !== null) {
        newest.see(o.updatedAt);
        newest.see(o.createdAt);
      }
      // On a terminal, how far through the weeks a backfill has come: the newest day seen so far.
      if (progressWanted()) reportProgress(newest.value === null ? "results received" : `results received, up to ${isoTime(newest.value).slice(0, 10)}:`, out.received);
      if (o === null) return;
      if (target.windowSince !== null && (o.updatedAt ?? 0) >= target.windowSince * 1000) out.pendingRuns.merge(o);
    }, () => slices.flush());
  } catch (error) {
    await slices.abort();
    throw error;
  }
  out.newest = newest.value;
  return out;
}

/**
 * The oldest request the ledger holds (each commit keeps only requests
 * still open: in flight, lately lost or refused), or null. A ledger that
 * cannot be read widens nothing; the module reports it on its next run.
 */
async function oldestOpenRequest(ledgerPath: string, log: (line: string) => void): Promise<number | null> {
  const read = await readJsonFile(ledgerPath);
  if (!read.ok) {
    if (!read.missing) log(`${ledgerPath}: ${read.problem}; the pending window is not widened for its requests`);
    return null;
  }
  const parsed = ledgerFileReader.safeParse(read.value);
  if (!parsed.success) {
    log(`${ledgerPath}: not a ledger; the pending window is not widened for its requests`);
    return null;
  }
  return minOf(parsed.data.entries.map((e) => e.requestedAt));
}

/** The runs whose latest observation is still unfinished: the pending snapshot's entries. */
function unfinished(store: RunStore) {
  return [...store.values()]
    .filter((run) => run.status === null)
    .map((run) => ({ run_id: run.runId, package: run.package, arch: run.arch, suite: run.suite, trigger: run.trigger, created_at: run.createdAt === null ? null : new Date(run.createdAt).toISOString() }));
}

/**
 * One fetch: new results since the watermark into new files of results/,
 * then a complete pending snapshot from a window at least as long as the
 * maximum pending age, then the reject list. Results go first, so a run that
 * finished is on disk before a snapshot stops listing it. Bodies are
 * streamed and bounded; any failure leaves what was there before: never a
 * partial file, never a snapshot claiming what it did not see.
 */
export async function fetchOnce(options: FetchOptions): Promise<FetchResult> {
  const paths = statePaths(options.stateDir);
  await requireStateDir(paths.stateDir);
  const lock = await acquireLock(join(paths.stateDir, "sync-fetch.lock"), "debci-bridge fetch", options.now);
  const log = options.http.log;
  try {
    await makeDirs(paths.results);
    await removeStaleTemps([paths.results]); // a fetch killed mid-way leaves its slices' temporary files
    const mark = await watermark({ stateDir: options.stateDir, now: options.now, suite: options.suite, overlapMinutes: options.overlapMinutes });
    if (mark.ignoredUntils > 0) log(`${mark.ignoredUntils} results file(s) claim an until after now; not believed`);
    const start = startSince(options.since, mark.since, options.now, options.backfillMs);
    const oldestOpen = await oldestOpenRequest(paths.ledger, log);
    const windowSince = pendingWindowSince(options.now, options.pendingWindowMs, options.maxPendingWindowMs, oldestOpen);
    // When the results reach back past the pending window, they hold everything the window would: one request, not two.
    const covered = start.since <= windowSince;
    const base = options.url.href.replace(/\/+$/, "");

    const target = { dir: paths.results, since: start.since, stamp: stampOf(options.now), windowSince: covered ? windowSince : null };
    // A failed attempt aborts its own slices (receiveResults), so a retry starts clean.
    const got = await request(new URL(`${base}/api/v1/test?since=${start.since}`), {}, options.http, { consume: (received) => receiveResults(received, options, target, log) });
    const window = coveredUntil(got.reported, start.since, options.now, got.newest);
    if (!window.trusted) log(`the service's until (${JSON.stringify(got.reported) ?? "absent"}) is not believed (0 when it returned nothing, or before since, or after now): the file covers up to ${window.until}, the newest time received`);
    const files = await got.slices.finish(window.until);
    log(`${got.received} result(s) since ${start.since} (${start.from}) written to ${files.length === 1 ? files[0] : `${files.length} files`}`);
    let pendingRuns = got.pendingRuns;

    const generatedAt = new Date(options.now).toISOString();
    if (!covered) {
      await request(new URL(`${base}/api/v1/test?since=${windowSince}`), {}, options.http, {
        consume: async (answer) => {
          pendingRuns = new RunStore();
          return streamResults(answer, options, `GET /api/v1/test?since=${windowSince}`, (_text, o) => {
            if (o !== null) pendingRuns.merge(o);
          }, async () => undefined);
        },
      });
    }
    const pending = unfinished(pendingRuns);
    const snapshotSince = new Date(windowSince * 1000).toISOString();
    await writeFileAtomic(paths.pending, `${JSON.stringify({ generated_at: generatedAt, since: snapshotSince, pending }, null, 1)}\n`);
    log(`pending snapshot: ${pending.length} unfinished run(s) created since ${snapshotSince}`);

    let rejectList = false;
    try {
      const body = await request(new URL(`${base}/api/v1/reject_list`), {}, options.http, {
        consume: async (answer) => {
          const parts: Uint8Array[] = [];
          for await (const chunk of answer.chunks(MAX_REJECT_LIST_BYTES, "GET /api/v1/reject_list")) parts.push(chunk);
          const text = Buffer.concat(parts).toString("utf8");
          try {
            return { text, value: JSON.parse(text) as unknown };
          } catch (error) {
            throw new BadBody(`the reject list is not complete JSON (cut off?): ${(error as Error).message}`);
          }
        },
      });
      if (rejectListSchema.safeParse(body.value).success) {
        await writeFileAtomic(paths.rejectList, body.text);
        rejectList = true;
      } else log("reject list: not in the expected shape; kept the old one");
    } catch (error) {
      log(`reject list: ${(error as Error).message}; kept the old one`);
    }
    return { files, results: got.received, since: start.since, sinceFrom: start.from, until: window.until, untilTrusted: window.trusted, pending: pending.length, pendingSince: windowSince, rejectList };
  } finally {
    await lock.release();
  }
}
