import type { CoverageWindow } from "../core/coverage.js";
import type { RunStore } from "../core/run-store.js";
import { firstProblem } from "../formats/problems.js";
import { quickResultRecord, resultRecordSchema, resultsFileSchema } from "../formats/results-file.js";
import { Worker } from "node:worker_threads";
import type { TableName } from "../core/run-store.js";
import { readJsonFile, type JsonRead } from "./read-json.js";
import { MAX_UNIX_SECONDS } from "../formats/timestamps.js";

/** What became of one results file. */
export interface ResultsFileOutcome {
  path: string;
  kind: "results";
  status: "read" | "skipped";
  problem?: string;
  records?: number;
  skippedRecords?: number;
  window?: CoverageWindow;
  until?: number;
}

function isWindowValue(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === "number" && Number.isFinite(v) && v >= 0 && v <= MAX_UNIX_SECONDS);
}

/** The file's shape: checked by hand when plainly right, by zod (for its message) otherwise. */
function fileShape(value: unknown): { results: unknown[]; since?: number | null; until?: number | null } | { problem: string } {
  const v = value as { results?: unknown; since?: unknown; until?: unknown } | null;
  if (typeof v === "object" && v !== null && Array.isArray(v.results) && isWindowValue(v.since) && isWindowValue(v.until)) {
    return v as { results: unknown[]; since?: number | null; until?: number | null };
  }
  const parsed = resultsFileSchema.safeParse(value);
  return parsed.success ? parsed.data : { problem: firstProblem(parsed.error) };
}

/** The window a results file says it answers (ms), or null for a file the loader would skip. */
export function fileWindow(read: JsonRead): { since: number | null; until: number | null } | null {
  if (!read.ok) return null;
  const shape = fileShape(read.value);
  if ("problem" in shape) return null;
  return { since: shape.since == null ? null : shape.since * 1000, until: shape.until == null ? null : shape.until * 1000 };
}

/** Folds one parsed results file into the store; malformed records are skipped and counted. */
export function foldResultsFile(path: string, read: JsonRead, store: RunStore, defaultSuite: string): ResultsFileOutcome {
  if (!read.ok) return { path, kind: "results", status: "skipped", problem: read.problem };
  const shape = fileShape(read.value);
  if ("problem" in shape) return { path, kind: "results", status: "skipped", problem: shape.problem };
  const outcome: ResultsFileOutcome = { path, kind: "results", status: "read", records: 0, skippedRecords: 0 };
  let schema: ReturnType<typeof resultRecordSchema> | undefined;
  const { results } = shape;
  for (let i = 0; i < results.length; i++) {
    const quick = quickResultRecord(results[i], defaultSuite);
    if (quick !== null) {
      store.merge(quick);
      outcome.records!++;
      continue;
    }
    schema ??= resultRecordSchema(defaultSuite);
    const parsed = schema.safeParse(results[i]);
    if (parsed.success) {
      store.merge(parsed.data);
      outcome.records!++;
    } else {
      outcome.skippedRecords!++;
      outcome.problem ??= firstProblem(parsed.error, `results[${i}]`);
    }
  }
  if (shape.until != null) outcome.until = shape.until * 1000;
  if (shape.since != null && shape.until != null) outcome.window = { since: shape.since * 1000, until: shape.until * 1000 };
  return outcome;
}

/** Below this many files a second thread costs more to start than it saves. */
const PARALLEL_FROM_FILES = 8;

/** A file's outcome with its place in the list, so outcomes from two threads go back in order. */
export type ClaimedOutcome = [index: number, outcome: ResultsFileOutcome];

/**
 * Loads files in a worker thread, which takes the next unclaimed file from
 * `counter` (shared with this thread) until none is left: its outcomes, and
 * its run store as tables and encoded rows.
 */
export function loadInWorker(paths: readonly string[], counter: SharedArrayBuffer, suite: string, maxFileBytes: number): Promise<{ claimed: ClaimedOutcome[]; tables: Record<TableName, string[]>; rows: Float64Array }> {
  return new Promise((resolve, reject) => {
    // Built (dist/), the worker is plain JavaScript and starts at once; run from TypeScript
    // sources (tests, development), a small JS entry registers tsx first.
    const entry = import.meta.url.endsWith(".ts") ? "./results-worker-boot.mjs" : "./results-worker.js";
    // A worker inherits the process's Node flags; --input-type (a program run with `node --input-type=module -e`) is refused there.
    const execArgv = process.execArgv.filter((arg) => !arg.startsWith("--input-type"));
    const worker = new Worker(new URL(entry, import.meta.url), { workerData: { paths, counter, suite, maxFileBytes }, execArgv });
    worker.once("message", resolve);
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`results worker exited with code ${code}`)));
  });
}

/**
 * Loads results files into the store. With many files, a worker thread
 * and this one each take the next file not yet taken (a counter both
 * share), so both stay busy to the end whatever the files' sizes and
 * however late the worker starts; the worker's runs are then merged in.
 * Merging is order-independent, so the state is the same either way.
 * DEBCI_BRIDGE_WORKERS=0 keeps it to one thread.
 */
export async function loadResultsFiles(paths: readonly string[], store: RunStore, defaultSuite: string, maxFileBytes: number): Promise<{ outcomes: ResultsFileOutcome[]; workerProblem: string | null }> {
  if (paths.length < PARALLEL_FROM_FILES || process.env.DEBCI_BRIDGE_WORKERS === "0") return { outcomes: await loadSequentially(paths, store, defaultSuite, maxFileBytes), workerProblem: null };
  const counter = new SharedArrayBuffer(4);
  const taken = new Int32Array(counter);
  let workerProblem: string | null = null;
  const second = loadInWorker(paths, counter, defaultSuite, maxFileBytes).catch((error: unknown) => {
    workerProblem = `results worker thread failed (${(error as Error).message}); its files were loaded on the main thread`;
    return null;
  });
  const mine = await loadClaimed(paths, () => Atomics.add(taken, 0, 1), store, defaultSuite, maxFileBytes);
  const other = await second;
  let theirs: ClaimedOutcome[];
  if (other === null) {
    // No worker could be had, or it failed part way: this thread loads every file it did not load itself.
    const done = new Set(mine.map(([index]) => index));
    const rest = paths.map((_, index) => index).filter((index) => !done.has(index));
    let k = 0;
    theirs = await loadClaimed(paths, () => rest[k++] ?? paths.length, store, defaultSuite, maxFileBytes);
  } else {
    store.mergeForeign(other.tables, other.rows);
    theirs = other.claimed;
  }
  return { outcomes: [...mine, ...theirs].sort((a, b) => a[0] - b[0]).map(([, outcome]) => outcome), workerProblem };
}

/**
 * Loads the files `next` hands out (an index each; one past the list when
 * none is left), the next one's bytes arriving while this one is folded.
 */
export async function loadClaimed(paths: readonly string[], next: () => number, store: RunStore, defaultSuite: string, maxFileBytes: number): Promise<ClaimedOutcome[]> {
  const claimed: ClaimedOutcome[] = [];
  let index = next();
  let read = index < paths.length ? readJsonFile(paths[index]!, maxFileBytes) : null;
  while (read !== null) {
    const bytes = await read;
    const following = next();
    const nextRead = following < paths.length ? readJsonFile(paths[following]!, maxFileBytes) : null;
    claimed.push([index, foldResultsFile(paths[index]!, bytes, store, defaultSuite)]);
    index = following;
    read = nextRead;
  }
  return claimed;
}

/** Reads results files in order, the next one's bytes arriving while this one is folded. */
export async function loadSequentially(paths: readonly string[], store: RunStore, defaultSuite: string, maxFileBytes: number): Promise<ResultsFileOutcome[]> {
  let next = 0;
  return (await loadClaimed(paths, () => next++, store, defaultSuite, maxFileBytes)).map(([, outcome]) => outcome);
}
