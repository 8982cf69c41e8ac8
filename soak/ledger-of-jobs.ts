/**
 * The soak's own record of who asked for each job: every batch a plan left
 * in the outbox, entry by entry, with the request reason plan printed for
 * that key in the run that asked (its answer's `request`, or for a
 * `migration-reference/0` entry the `referenceRequest` of the answer that
 * asked for it). Each job the CI service created is then matched to the
 * oldest request of its key not yet matched; a job with none left was made
 * by `submit` itself (one batch entry producing two jobs).
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Job } from "../test/support/fake-debci.js";
import { jobKey } from "../test/support/debci-workers.js";

export const REFERENCE = "migration-reference/0";

export interface Request {
  key: string;
  /** The simulated time of the plan run that asked. */
  at: number;
  /** The reason plan printed (`missing`, `lost`, `pending-too-long`, `overtaken`, ...), or "unknown" (plan killed before printing it). */
  reason: string;
  batch: string;
  /** The run id of the job it became, once matched. */
  job: number | null;
}

export interface AttributedJob {
  job: Job;
  key: string;
  /** The request reason it answers, or "submit" when no request of the plan's was left for it. */
  cause: string;
  /** When it was asked for (the plan run's time), or its creation when `submit` made it. */
  askedAt: number;
}

/** plan's stdout, one answer a line; a killed run's last line may be cut. */
export function parseAnswers(stdout: string): Array<Record<string, unknown>> {
  const answers: Array<Record<string, unknown>> = [];
  for (const line of stdout.split("\n")) {
    if (line.trim() === "") continue;
    try {
      answers.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // cut off by a kill
    }
  }
  return answers;
}

const keyOf = (suite: unknown, arch: unknown, pkg: unknown, trigger: unknown) => `${String(suite)}/${String(arch)} ${String(pkg)} ${String(trigger).split(" ")[0]}`;

export class LedgerOfJobs {
  readonly requests: Request[] = [];
  private readonly seenBatches = new Set<string>();
  private readonly byKey = new Map<string, Request[]>();

  /** After a plan run: the batches it left in the outbox, each entry a request with the reason plan gave. */
  recordBatches(stateDir: string, at: number, answers: Array<Record<string, unknown>>): number {
    const reasons = new Map<string, string>();
    for (const a of answers) {
      if (typeof a.request === "string") reasons.set(keyOf(a.suite, a.arch, a.package, a.trigger), a.request);
      if (typeof a.referenceRequest === "string") reasons.set(keyOf(a.suite, a.arch, a.package, REFERENCE), a.referenceRequest);
    }
    const outbox = join(stateDir, "outbox");
    if (!existsSync(outbox)) return 0;
    let made = 0;
    for (const name of readdirSync(outbox).sort()) {
      if (name.startsWith(".") || !name.endsWith(".json") || this.seenBatches.has(name)) continue;
      this.seenBatches.add(name);
      const batch = JSON.parse(readFileSync(join(outbox, name), "utf8")) as Array<{ suite: string; arch: string[]; tests: Array<{ package: string; trigger: string }> }>;
      for (const element of batch) {
        for (const arch of element.arch) {
          for (const test of element.tests) {
            const key = keyOf(element.suite, arch, test.package, test.trigger);
            const request: Request = { key, at, reason: reasons.get(key) ?? "unknown", batch: name, job: null };
            this.requests.push(request);
            const list = this.byKey.get(key) ?? [];
            list.push(request);
            this.byKey.set(key, list);
            made++;
          }
        }
      }
    }
    return made;
  }

  /** The requests for a key, oldest first. */
  requestsOf(key: string): readonly Request[] {
    return this.byKey.get(key) ?? [];
  }

  /** Every job of the service matched to the request it answers, in creation order. */
  attribute(jobs: readonly Job[]): AttributedJob[] {
    const next = new Map<string, number>();
    return [...jobs]
      .sort((a, b) => a.run_id - b.run_id)
      .map((job) => {
        const key = jobKey(job);
        const list = this.byKey.get(key) ?? [];
        const i = next.get(key) ?? 0;
        const request = list[i];
        // A request made after the job was created is not the one it answers.
        if (request !== undefined && request.at <= job.created_at) {
          request.job = job.run_id;
          next.set(key, i + 1);
          return { job, key, cause: request.reason, askedAt: request.at };
        }
        return { job, key, cause: "submit", askedAt: job.created_at };
      });
  }
}
