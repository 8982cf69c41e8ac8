import { MAX_CLOCK_SKEW_MS } from "../core/retention.js";
import type { BatchEntry } from "./batch-split.js";
import { BadBody, request, type HttpOptions } from "./http.js";
import { ResultsBodySplitter } from "./results-body.js";

/** The longest a single job record may be: real ones are well under a kilobyte. */
const MAX_RECORD_BYTES = 1 << 20;

/**
 * What makes a job the answer to an entry: the same suite, arch, package,
 * trigger and pins. debci stores the trigger as sent and `pin_packages`
 * serialised as an Array (`lib/debci/job.rb`, `serialize :pin_packages,
 * Array`), so a request without pins renders as `[]`.
 */
function entryKey(suite: unknown, arch: unknown, pkg: unknown, trigger: unknown, pins: unknown): string {
  return JSON.stringify([suite, arch, pkg, trigger ?? null, Array.isArray(pins) ? pins : []]);
}

const keyOfEntry = (e: BatchEntry) => entryKey(e.suite, e.arch, e.test.package, e.test.trigger, e.test["pin-packages"]);

/**
 * A POST to debci creates its job rows before it answers (`lib/debci/
 * test_handler.rb`, request_tests: Job.create! for each test, then enqueue),
 * and nothing about a request can be asked of it later except through the
 * jobs it made. So when an answer is lost (a reset or timeout after the
 * body went out, a 5xx, a crash before the batch was moved), the only
 * honest way to know what it created is to ask for the caller's jobs since
 * that attempt (`GET /api/v1/test?since=`, `lib/debci/api.rb`: the key's own
 * jobs with `updated_at >= since`; a job's `updated_at` is never before its
 * `created_at`). Returns the entries the service already has, each job
 * answering at most one entry; the rest are still to be sent.
 *
 * Times are the service's, compared with this side's attempt time, so a
 * job created up to MAX_CLOCK_SKEW_MS before the attempt counts: a job for
 * the same key and trigger made minutes earlier answers the key as well.
 */
export async function alreadyCreated(base: string, entries: readonly BatchEntry[], firstAttemptAt: number, http: HttpOptions, maxBytes: number): Promise<{ created: BatchEntry[]; missing: BatchEntry[]; jobsSeen: number }> {
  const from = firstAttemptAt - MAX_CLOCK_SKEW_MS;
  const since = Math.max(0, Math.floor(from / 1000));
  const made = new Map<string, number>();
  const jobsSeen = await request(new URL(`${base}/api/v1/test?since=${since}`), {}, http, {
    consume: async (answer) => {
      made.clear();
      let seen = 0;
      const splitter = new ResultsBodySplitter((text) => {
        let job: Record<string, unknown>;
        try {
          job = JSON.parse(text) as Record<string, unknown>;
        } catch (error) {
          throw new BadBody(`a job record is not valid JSON: ${(error as Error).message}`);
        }
        seen++;
        if (job === null || typeof job !== "object") return;
        const created = typeof job.created_at === "string" ? Date.parse(job.created_at) : Number.NaN;
        if (!(created >= from)) return;
        const key = entryKey(job.suite, job.arch, job.package, job.trigger, job.pin_packages);
        made.set(key, (made.get(key) ?? 0) + 1);
      }, MAX_RECORD_BYTES);
      for await (const chunk of answer.chunks(maxBytes, `GET /api/v1/test?since=${since}`)) splitter.push(chunk);
      splitter.finish();
      return seen;
    },
  });
  const created: BatchEntry[] = [];
  const missing: BatchEntry[] = [];
  for (const entry of entries) {
    const key = keyOfEntry(entry);
    const left = made.get(key) ?? 0;
    if (left > 0) {
      made.set(key, left - 1);
      created.push(entry);
    } else missing.push(entry);
  }
  return { created, missing, jobsSeen };
}
