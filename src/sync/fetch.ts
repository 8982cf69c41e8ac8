import { join } from "node:path";
import { RunStore } from "../core/run-store.js";
import { quickResultRecord, resultRecordSchema } from "../formats/results-file.js";
import { rejectListSchema } from "../formats/reject-list-file.js";
import { writeFileAtomic } from "../store/atomic-write.js";
import { acquireLock } from "../store/lock.js";
import { statePaths } from "../store/state-paths.js";
import { watermark } from "../session/maintenance.js";
import { request, type HttpOptions } from "./http.js";

export interface FetchOptions {
  stateDir: string;
  url: string;
  now: number;
  suite: string;
  /** How far back the pending snapshot looks for unfinished runs: at least the maximum pending age. */
  pendingWindowMs: number;
  overlapMinutes: number;
  http: HttpOptions;
}

export interface FetchResult {
  resultsFile: string;
  results: number;
  since: number;
  until: number;
  pending: number;
  rejectList: boolean;
}

/** A body of GET /api/v1/test: complete JSON with a results array, or the reason it is not. */
function testBodyProblem(body: string): string | null {
  try {
    const value = JSON.parse(body) as { results?: unknown };
    return Array.isArray(value?.results) ? null : "no results array in the response";
  } catch (error) {
    return `response is not complete JSON (cut off?): ${(error as Error).message}`;
  }
}

function jsonProblem(body: string): string | null {
  try {
    JSON.parse(body);
    return null;
  } catch (error) {
    return `response is not complete JSON (cut off?): ${(error as Error).message}`;
  }
}

/** The runs of a response whose latest observation is still unfinished: the pending snapshot's entries. */
function unfinished(results: unknown[], suite: string) {
  const store = new RunStore();
  const schema = resultRecordSchema(suite);
  for (const record of results) {
    const o = quickResultRecord(record, suite) ?? (schema.safeParse(record).data ?? null);
    if (o !== null) store.merge(o);
  }
  return [...store.values()]
    .filter((run) => run.status === null)
    .map((run) => ({ run_id: run.runId, package: run.package, arch: run.arch, suite: run.suite, trigger: run.trigger, created_at: run.createdAt === null ? null : new Date(run.createdAt).toISOString() }));
}

/**
 * One fetch: new results since the watermark into a new file of results/
 * (with `since` added, written atomically), then a complete pending snapshot
 * from a window at least as long as the maximum pending age, then the reject
 * list. Results go first, so a run that finished is on disk before a
 * snapshot stops listing it. Any failure leaves what was there before:
 * never a partial file, never a snapshot claiming what it did not see.
 */
export async function fetchOnce(options: FetchOptions): Promise<FetchResult> {
  const paths = statePaths(options.stateDir);
  const lock = await acquireLock(join(paths.stateDir, "sync-fetch.lock"), "debci-bridge fetch", options.now);
  try {
    const mark = await watermark({ stateDir: options.stateDir, now: options.now, suite: options.suite, overlapMinutes: options.overlapMinutes });
    const since = mark.since ?? 0;
    const base = options.url.replace(/\/+$/, "");
    const fresh = await request(`${base}/api/v1/test?since=${since}`, {}, options.http, testBodyProblem);
    const body = JSON.parse(fresh.body) as { until?: number; results: unknown[] };
    const until = typeof body.until === "number" ? body.until : Math.floor(options.now / 1000);
    const resultsFile = join(paths.results, `debci-${since}-${until}.json`);
    await writeFileAtomic(resultsFile, JSON.stringify({ since, until, results: body.results }));
    options.http.log(`${body.results.length} result(s) since ${since} written to ${resultsFile}`);

    const windowSince = Math.max(0, Math.floor((options.now - options.pendingWindowMs) / 1000));
    const generatedAt = new Date(options.now).toISOString();
    const window = await request(`${base}/api/v1/test?since=${windowSince}`, {}, options.http, testBodyProblem);
    const pending = unfinished((JSON.parse(window.body) as { results: unknown[] }).results, options.suite);
    await writeFileAtomic(paths.pending, `${JSON.stringify({ generated_at: generatedAt, pending }, null, 1)}\n`);
    options.http.log(`pending snapshot: ${pending.length} unfinished run(s) since ${windowSince}`);

    let rejectList = false;
    try {
      const list = await request(`${base}/api/v1/reject_list`, {}, options.http, jsonProblem);
      if (rejectListSchema.safeParse(JSON.parse(list.body)).success) {
        await writeFileAtomic(paths.rejectList, list.body);
        rejectList = true;
      } else options.http.log("reject list: not in the expected shape; kept the old one");
    } catch (error) {
      options.http.log(`reject list: ${(error as Error).message}; kept the old one`);
    }
    return { resultsFile, results: body.results.length, since, until, pending: pending.length, rejectList };
  } finally {
    await lock.release();
  }
}
