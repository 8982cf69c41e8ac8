import { mkdir, readFile, rename, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { batchBodySchema } from "../formats/batch-file.js";
import { firstProblem } from "../formats/problems.js";
import { refusalFileName, type RefusalFile } from "../formats/refusal-file.js";
import { writeFileAtomic } from "../store/atomic-write.js";
import { crashPoint } from "../store/faults.js";
import { listJson } from "../store/list-files.js";
import { acquireLock } from "../store/lock.js";
import { requireStateDir, statePaths } from "../store/state-paths.js";
import { bodyOf, entriesOf, localProblem, sendSplitting, type BatchEntry, type Refusal } from "./batch-split.js";
import { HttpRefused, HttpUnavailable, request, type HttpOptions } from "./http.js";

export interface SubmitOptions {
  stateDir: string;
  /** The service's base URL, without credentials. */
  url: URL;
  /** Priority form field for ordinary batches and for huge ones (`*.huge.json`), which go after. */
  priority: number;
  hugePriority: number;
  /** The run's time: recorded in the lock and in refusals. */
  now: number;
  /** The suites and arches the service runs (debci-bridge.json), checked before sending; null: not checked. */
  suites: string[] | null;
  arches: string[] | null;
  http: HttpOptions;
}

export interface SubmitResult {
  /** Batches delivered whole. */
  sent: string[];
  /** Batches of which some entries were refused (kept in outbox/rejected/ with the service's messages); the rest was delivered. */
  rejected: string[];
  /** How many single entries were refused, in all. */
  refusedEntries: number;
  /** Batches still waiting: the service was unavailable. */
  kept: string[];
}

/** Statuses by which the service says "not this content": the batch is split to find the entries it means. */
const CONTENT_REFUSALS = new Set([400, 413, 422]);

/** The paths of one batch in its three places. */
function places(outbox: string, name: string) {
  return { unsent: join(outbox, name), sent: join(outbox, "sent", name), rejected: join(outbox, "rejected", name), reasons: join(outbox, "rejected", refusalFileName(name)) };
}

/**
 * POSTs each unsent batch to /api/v1/test/batch, oldest first. Delivered
 * whole: moved to outbox/sent/. Refused in part: the refused entries go to
 * outbox/rejected/NAME with NAME.reason.json holding the service's message
 * for each, the delivered rest to outbox/sent/NAME. Unavailable (5xx,
 * network): kept whole, and the rest wait for the next run. The API key
 * refused (401/403): everything stays unsent (HttpAuthFailed). A process
 * killed between a POST and the move sends that batch again next time:
 * delivery is at least once, and a doubled request costs one extra run.
 */
export async function submitOutbox(options: SubmitOptions): Promise<SubmitResult> {
  const paths = statePaths(options.stateDir);
  await requireStateDir(paths.stateDir);
  const lock = await acquireLock(join(paths.stateDir, "sync-submit.lock"), "debci-bridge submit", options.now);
  const result: SubmitResult = { sent: [], rejected: [], refusedEntries: 0, kept: [] };
  const log = options.http.log;
  try {
    const names = (await listJson(paths.outbox)).map((path) => path.slice(paths.outbox.length + 1));
    const url = new URL(`${options.url.href.replace(/\/+$/, "")}/api/v1/test/batch`);
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const at = places(paths.outbox, name);
      const priority = name.endsWith(".huge.json") ? options.hugePriority : options.priority;
      const entries = await readBatch(at.unsent);
      if (typeof entries === "string") {
        // Not a batch at all: nothing to send, nothing to split; kept for a person to read.
        await recordRefusals(at, [], [], options.now, `not a valid batch file: ${entries}`);
        result.rejected.push(name);
        log(`rejected ${name}: not a valid batch file: ${entries}`);
        continue;
      }
      const local: Refusal[] = [];
      const toSend: BatchEntry[] = [];
      for (const entry of entries) {
        const problem = localProblem(entry, options.suites, options.arches);
        if (problem === null) toSend.push(entry);
        else local.push({ entry, message: problem });
      }
      let outcome;
      try {
        outcome = await sendSplitting(toSend, async (part) => {
          const form = new URLSearchParams({ tests: JSON.stringify(bodyOf(part)), priority: String(priority) });
          try {
            await request(url, { method: "POST", body: form }, options.http, { consume: async (answer) => void (await answer.text()) });
            return null;
          } catch (error) {
            if (error instanceof HttpRefused && CONTENT_REFUSALS.has(error.status)) return error.message;
            throw error;
          }
        });
      } catch (error) {
        if (error instanceof HttpUnavailable) {
          result.kept.push(...names.slice(i));
          log(`${error.message}; ${names.length - i} batch(es) kept for the next run`);
          break;
        }
        throw error;
      }
      crashPoint("submit-after-post");
      const refused = [...local, ...outcome.refused];
      if (refused.length === 0) {
        await mkdir(dirname(at.sent), { recursive: true });
        await rename(at.unsent, at.sent);
        result.sent.push(name);
        log(`sent ${name}${outcome.posts > 1 ? ` in ${outcome.posts} POSTs` : ""}`);
        continue;
      }
      await recordRefusals(at, outcome.accepted, refused, options.now, null);
      result.rejected.push(name);
      result.refusedEntries += refused.length;
      log(`${name}: ${outcome.accepted.length} entr${outcome.accepted.length === 1 ? "y" : "ies"} sent, ${refused.length} refused (outbox/rejected/${name}); first: ${refused[0]!.message}`);
    }
    return result;
  } finally {
    await lock.release();
  }
}

/** A batch's entries, or what is wrong with the file. */
async function readBatch(path: string): Promise<BatchEntry[] | string> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    return `not JSON: ${(error as Error).message}`;
  }
  const parsed = batchBodySchema.safeParse(value);
  return parsed.success ? entriesOf(parsed.data) : firstProblem(parsed.error);
}

/**
 * Writes what was refused (and why) to outbox/rejected/, what was delivered
 * to outbox/sent/, then removes the unsent batch: a crash before the last
 * step sends it again, which is at least once, never lost.
 */
async function recordRefusals(at: ReturnType<typeof places>, accepted: readonly BatchEntry[], refused: readonly Refusal[], now: number, wholeFile: string | null): Promise<void> {
  const file: RefusalFile = {
    refusedAt: new Date(now).toISOString(),
    ...(wholeFile === null ? {} : { problem: wholeFile }),
    entries: refused.map((r) => ({ suite: r.entry.suite, arch: r.entry.arch, package: r.entry.test.package, trigger: r.entry.test.trigger, message: r.message })),
  };
  await writeFileAtomic(at.reasons, `${JSON.stringify(file, null, 1)}\n`);
  if (wholeFile !== null) await writeFileAtomic(at.rejected, await readFile(at.unsent, "utf8"));
  else await writeFileAtomic(at.rejected, `${JSON.stringify(bodyOf(refused.map((r) => r.entry)))}\n`);
  if (accepted.length > 0) await writeFileAtomic(at.sent, `${JSON.stringify(bodyOf(accepted))}\n`);
  await unlink(at.unsent);
}
