import { readFile, rename, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { batchBodySchema } from "../formats/batch-file.js";
import { firstProblem } from "../formats/problems.js";
import { refusalFileName, type RefusalFile } from "../formats/refusal-file.js";
import { writeFileAtomic } from "../store/atomic-write.js";
import { crashPoint } from "../store/faults.js";
import { listJson } from "../store/list-files.js";
import { acquireLock } from "../store/lock.js";
import { isPermissionDenied, makeDirs } from "../store/shared-mode.js";
import { requireStateDir, statePaths } from "../store/state-paths.js";
import { bodyOf, entriesOf, localProblem, newDelivery, sendSplitting, type BatchEntry, type Delivery, type Refusal } from "./batch-split.js";
import { alreadyCreated } from "./delivered.js";
import { HttpAuthFailed, HttpRefused, HttpUnavailable, request, type HttpOptions } from "./http.js";
import { readSendingMark, removeSendingMark, writeSendingMark } from "./sending-mark.js";
import { TlsFailure } from "./tls.js";

/**
 * Which of debci's routes carries the requests. `suite`: `POST
 * /api/v1/test/SUITE/ARCH`, one POST per suite and arch, which checks the
 * key (403), honours `priority` and answers 201 in debci 3.1 to 3.6 alike.
 * `batch`: `POST /api/v1/test/batch`, which in those releases never checks
 * the key (its `before '/test/:suite/:arch*'` filter does not match it), so
 * every non-empty batch fails with a 500 there; kept for a service where it works.
 */
export type Endpoint = "suite" | "batch";

export interface SubmitOptions {
  stateDir: string;
  /** The service's base URL, without credentials. */
  url: URL;
  endpoint: Endpoint;
  /** Priority form field for ordinary batches and for huge ones (`*.huge.json`), which go after. */
  priority: number;
  hugePriority: number;
  /** The run's time: recorded in the lock, the sending marks and refusals. */
  now: number;
  /** The suites and arches the service runs (debci-bridge.json), checked before sending; null: not checked. */
  suites: string[] | null;
  arches: string[] | null;
  /** The most the check of what a lost answer created may read (GET /api/v1/test). */
  maxBytes: number;
  http: HttpOptions;
}

export interface SubmitResult {
  /** Batches delivered whole. */
  sent: string[];
  /** Batches of which some entries were refused (kept in outbox/rejected/ with the service's messages); the rest was delivered. */
  rejected: string[];
  /** How many single entries were refused, in all. */
  refusedEntries: number;
  /** Entries found already created by an earlier attempt whose answer was lost, and so not sent again. */
  alreadyCreated: number;
  /** Batches still waiting: the service was unavailable. */
  kept: string[];
}

/** Statuses by which the service says "not this content": the batch is split to find the entries it means. */
const CONTENT_REFUSALS = new Set([400, 413, 422]);

/** The paths of one batch in its three places. */
function places(outbox: string, name: string) {
  return { unsent: join(outbox, name), sent: join(outbox, "sent", name), rejected: join(outbox, "rejected", name), reasons: join(outbox, "rejected", refusalFileName(name)) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The entries grouped by suite and arch, in first-seen order: one per-suite POST each. */
function byPlace(entries: readonly BatchEntry[]): BatchEntry[][] {
  const groups = new Map<string, BatchEntry[]>();
  for (const e of entries) {
    const id = JSON.stringify([e.suite, e.arch]);
    const group = groups.get(id);
    if (group === undefined) groups.set(id, [e]);
    else group.push(e);
  }
  return [...groups.values()];
}

/**
 * POSTs entries once each, through the chosen route, splitting what the
 * service refuses (batch-split.ts). No POST is retried here: a POST whose
 * answer is lost may have created its jobs (see delivered.ts), so a failure
 * ends the call and the caller checks before sending anything again. What
 * was answered before the failure is in `into`.
 */
async function deliver(entries: readonly BatchEntry[], options: SubmitOptions, priority: number, into: Delivery): Promise<void> {
  const base = options.url.href.replace(/\/+$/, "");
  const once: HttpOptions = { ...options.http, retries: 0 };
  const post = (url: URL, form: URLSearchParams) => async (): Promise<string | null> => {
    try {
      await request(url, { method: "POST", body: form }, once, { consume: async (answer) => void (await answer.text()) });
      return null;
    } catch (error) {
      if (error instanceof HttpRefused && CONTENT_REFUSALS.has(error.status)) return error.message;
      throw error;
    }
  };
  if (options.endpoint === "batch") {
    const url = new URL(`${base}/api/v1/test/batch`);
    await sendSplitting(entries, (part) => post(url, new URLSearchParams({ tests: JSON.stringify(bodyOf(part)), priority: String(priority) }))(), false, into);
    return;
  }
  for (const group of byPlace(entries)) {
    const { suite, arch } = group[0]!;
    const url = new URL(`${base}/api/v1/test/${encodeURIComponent(suite)}/${encodeURIComponent(arch)}`);
    await sendSplitting(group, (part) => post(url, new URLSearchParams({ tests: JSON.stringify(part.map((e) => e.test)), priority: String(priority) }))(), true, into);
  }
}

/** How one batch's sending ended. */
type BatchOutcome = { kind: "done"; delivery: Delivery; alreadyCreated: number } | { kind: "kept"; why: HttpUnavailable };

/**
 * Sends one batch exactly once. Before the first POST the batch is marked
 * as being sent (outbox/sending/NAME, flushed to disk). While a mark
 * stands, whether from this run or a run that died or lost its answer,
 * nothing is sent again before asking the service which of the entries it
 * already has as jobs created since the mark's first attempt; only the rest
 * go. Within one run this repeats up to `retries` more times, with backoff.
 */
async function sendBatch(name: string, entries: readonly BatchEntry[], options: SubmitOptions, priority: number): Promise<BatchOutcome> {
  const outbox = statePaths(options.stateDir).outbox;
  const log = options.http.log;
  const base = options.url.href.replace(/\/+$/, "");
  const previous = await readSendingMark(outbox, name, options.now);
  if (previous.problem !== null) log(previous.problem);
  let mark = previous.mark;
  const delivery = newDelivery();
  let alreadyThere = 0;
  let pending: readonly BatchEntry[] = entries;
  for (let round = 0; ; round++) {
    if (mark !== null) {
      let check;
      try {
        check = await alreadyCreated(base, pending, mark.firstAttemptAt, options.http, options.maxBytes);
      } catch (error) {
        if (error instanceof HttpUnavailable) return { kind: "kept", why: error };
        throw error;
      }
      if (check.created.length > 0) log(`${name}: ${check.created.length} of ${pending.length} entr${pending.length === 1 ? "y" : "ies"} already created by an earlier attempt (since ${new Date(mark.firstAttemptAt).toISOString()}): not sent again`);
      delivery.accepted.push(...check.created);
      alreadyThere += check.created.length;
      pending = check.missing;
    }
    if (pending.length === 0) break;
    if (mark === null || round === 0) {
      mark = { firstAttemptAt: mark?.firstAttemptAt ?? options.now, attempts: (mark?.attempts ?? 0) + 1, endpoint: options.endpoint };
      await writeSendingMark(outbox, name, mark);
    }
    try {
      await deliver(pending, options, priority, delivery);
      break;
    } catch (error) {
      if ((error instanceof HttpAuthFailed || error instanceof TlsFailure) && previous.mark === null && delivery.accepted.length === 0) {
        await removeSendingMark(outbox, name); // refused before anything was created: nothing to check for next time
      }
      if (!(error instanceof HttpUnavailable)) throw error;
      // Entries answered before the failure are known; the rest may or may not exist at the service.
      const answered = new Set([...delivery.accepted, ...delivery.refused.map((r) => r.entry)]);
      pending = pending.filter((e) => !answered.has(e));
      if (round >= options.http.retries) return { kind: "kept", why: error };
      const wait = options.http.backoffMs * 2 ** round;
      log(`${name}: ${error.message}; the answer is not known, so in ${wait} ms the service is asked which jobs it created before anything is sent again`);
      await sleep(wait);
    }
  }
  return { kind: "done", delivery, alreadyCreated: alreadyThere };
}

/**
 * Sends each unsent batch, oldest first, exactly once (see sendBatch).
 * Delivered whole: moved to outbox/sent/. Refused in part: the refused
 * entries go to outbox/rejected/NAME with NAME.reason.json holding the
 * service's message for each, the delivered rest to outbox/sent/NAME.
 * Unavailable (5xx, network): kept, marked as being sent, and the rest
 * wait for the next run. The API key refused (401/403): everything stays
 * unsent (HttpAuthFailed).
 */
export async function submitOutbox(options: SubmitOptions): Promise<SubmitResult> {
  const paths = statePaths(options.stateDir);
  await requireStateDir(paths.stateDir);
  const lock = await acquireLock(join(paths.stateDir, "sync-submit.lock"), "debci-bridge submit", options.now);
  const result: SubmitResult = { sent: [], rejected: [], refusedEntries: 0, alreadyCreated: 0, kept: [] };
  const log = options.http.log;
  try {
    const names = (await listJson(paths.outbox)).map((path) => path.slice(paths.outbox.length + 1));
    await removeOrphanMarks(paths.outbox, new Set(names));
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const at = places(paths.outbox, name);
      const priority = name.endsWith(".huge.json") ? options.hugePriority : options.priority;
      const entries = await readBatch(at.unsent);
      if (typeof entries === "string") {
        // Not a batch at all: nothing to send, nothing to split; kept for a person to read.
        await recordRefusals(at, [], [], options.now, `not a valid batch file: ${entries}`);
        await removeSendingMark(paths.outbox, name);
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
      const outcome = await sendBatch(name, toSend, options, priority);
      if (outcome.kind === "kept") {
        result.kept.push(...names.slice(i));
        log(`${outcome.why.message}; ${names.length - i} batch(es) kept for the next run`);
        break;
      }
      crashPoint("submit-after-post");
      const { delivery } = outcome;
      result.alreadyCreated += outcome.alreadyCreated;
      const refused = [...local, ...delivery.refused];
      if (refused.length === 0) {
        await makeDirs(dirname(at.sent));
        await rename(at.unsent, at.sent);
        await removeSendingMark(paths.outbox, name);
        result.sent.push(name);
        log(`sent ${name}${delivery.posts > 1 ? ` in ${delivery.posts} POSTs` : ""}`);
        continue;
      }
      await recordRefusals(at, delivery.accepted, refused, options.now, null);
      await removeSendingMark(paths.outbox, name);
      result.rejected.push(name);
      result.refusedEntries += refused.length;
      log(`${name}: ${delivery.accepted.length} entr${delivery.accepted.length === 1 ? "y" : "ies"} sent, ${refused.length} refused (outbox/rejected/${name}); first: ${refused[0]!.message}`);
    }
    return result;
  } finally {
    await lock.release();
  }
}

/** A mark whose batch has left the outbox (moved to sent/ or rejected/ by a run that died before removing it) has done its work. */
async function removeOrphanMarks(outbox: string, unsent: ReadonlySet<string>): Promise<void> {
  for (const path of await listJson(join(outbox, "sending"))) {
    const name = path.slice(outbox.length + "/sending/".length);
    if (!unsent.has(name)) await removeSendingMark(outbox, name);
  }
}

/** A batch's entries, or what is wrong with the file. */
async function readBatch(path: string): Promise<BatchEntry[] | string> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    // A batch this user may not read is not a bad batch: it is not set aside as one (the error says what to fix).
    if (isPermissionDenied(error)) throw error;
    return `not JSON: ${(error as Error).message}`;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
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
