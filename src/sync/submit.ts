import { mkdir, readFile, readdir, rename } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../store/atomic-write.js";
import { crashPoint } from "../store/faults.js";
import { acquireLock } from "../store/lock.js";
import { statePaths } from "../store/state-paths.js";
import { HttpRefused, HttpUnavailable, request, type HttpOptions } from "./http.js";

export interface SubmitOptions {
  stateDir: string;
  url: string;
  /** Priority form field for ordinary batches and for huge ones (`*.huge.json`), which go after. */
  priority: string;
  hugePriority: string;
  /** The run's time: recorded in the lock. */
  now: number;
  http: HttpOptions;
}

export interface SubmitResult {
  sent: string[];
  rejected: string[];
  /** Batches still waiting: the service was unavailable. */
  kept: string[];
}

/**
 * POSTs each unsent batch to /api/v1/test/batch, oldest first. Sent:
 * moved to outbox/sent/. Refused (4xx): moved to outbox/rejected/ beside a
 * `.reason.txt` holding the service's message. Unavailable (5xx, network):
 * kept, and the rest wait for the next run. A process killed between a
 * successful POST and the move sends that batch again next time: delivery
 * is at least once, and a doubled request costs one extra test run.
 */
export async function submitOutbox(options: SubmitOptions): Promise<SubmitResult> {
  const paths = statePaths(options.stateDir);
  const lock = await acquireLock(join(paths.stateDir, "sync-submit.lock"), "debci-bridge submit", options.now);
  const result: SubmitResult = { sent: [], rejected: [], kept: [] };
  try {
    const names = (await readdir(paths.outbox).catch(() => [] as string[])).filter((n) => n.endsWith(".json") && !n.startsWith(".")).sort();
    const url = `${options.url.replace(/\/+$/, "")}/api/v1/test/batch`;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const tests = await readFile(join(paths.outbox, name), "utf8");
      const form = new URLSearchParams({ tests, priority: name.endsWith(".huge.json") ? options.hugePriority : options.priority });
      try {
        await request(url, { method: "POST", body: form }, options.http);
        crashPoint("submit-after-post");
        await mkdir(join(paths.outbox, "sent"), { recursive: true });
        await rename(join(paths.outbox, name), join(paths.outbox, "sent", name));
        result.sent.push(name);
        options.http.log(`sent ${name}`);
      } catch (error) {
        if (error instanceof HttpRefused) {
          await writeFileAtomic(join(paths.outbox, "rejected", `${name}.reason.txt`), `${error.message}\n`);
          await rename(join(paths.outbox, name), join(paths.outbox, "rejected", name));
          result.rejected.push(name);
          options.http.log(`rejected ${name}: ${error.message}`);
        } else if (error instanceof HttpUnavailable) {
          result.kept.push(...names.slice(i));
          options.http.log(`${error.message}; ${names.length - i} batch(es) kept for the next run`);
          break;
        } else throw error;
      }
    }
    return result;
  } finally {
    await lock.release();
  }
}
