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

/** Loads files in a worker thread: its outcomes, and its run store as tables and encoded rows. */
export function loadInWorker(paths: readonly string[], suite: string, maxFileBytes: number): Promise<{ outcomes: ResultsFileOutcome[]; tables: Record<TableName, string[]>; rows: Float64Array }> {
  return new Promise((resolve, reject) => {
    // Built (dist/), the worker is plain JavaScript and starts at once; run from TypeScript
    // sources (tests, development), a small JS entry registers tsx first.
    const entry = import.meta.url.endsWith(".ts") ? "./results-worker-boot.mjs" : "./results-worker.js";
    const worker = new Worker(new URL(entry, import.meta.url), { workerData: { paths, suite, maxFileBytes } });
    worker.once("message", resolve);
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`results worker exited with code ${code}`)));
  });
}

/**
 * Loads results files into the store. With many files, a worker thread
 * takes the second half while this thread takes the first (parsing is most
 * of the cost, and there are two cores); its runs are then merged in.
 * Merging is order-independent, so the state is the same either way.
 * DEBCI_BRIDGE_WORKERS=0 keeps it to one thread.
 */
export async function loadResultsFiles(paths: readonly string[], store: RunStore, defaultSuite: string, maxFileBytes: number): Promise<ResultsFileOutcome[]> {
  if (paths.length < PARALLEL_FROM_FILES || process.env.DEBCI_BRIDGE_WORKERS === "0") return loadSequentially(paths, store, defaultSuite, maxFileBytes);
  // An even split measured best: the worker's start-up (a thread and a TypeScript loader) is
  // about what this thread loses to sharing the two cores with it.
  const half = Math.ceil(paths.length / 2);
  // If no worker can be had here, this thread loads that half too.
  const second = loadInWorker(paths.slice(half), defaultSuite, maxFileBytes).catch(() => null);
  const outcomes = await loadSequentially(paths.slice(0, half), store, defaultSuite, maxFileBytes);
  const other = await second;
  if (other === null) return [...outcomes, ...(await loadSequentially(paths.slice(half), store, defaultSuite, maxFileBytes))];
  store.mergeForeign(other.tables, other.rows);
  return [...outcomes, ...other.outcomes];
}

/** Reads results files in order, the next one's bytes arriving while this one is parsed and folded. */
export async function loadSequentially(paths: readonly string[], store: RunStore, defaultSuite: string, maxFileBytes: number): Promise<ResultsFileOutcome[]> {
  const outcomes: ResultsFileOutcome[] = [];
  let next = paths.length > 0 ? readJsonFile(paths[0]!, maxFileBytes) : null;
  for (let i = 0; i < paths.length; i++) {
    const read = await next!;
    next = i + 1 < paths.length ? readJsonFile(paths[i + 1]!, maxFileBytes) : null;
    outcomes.push(foldResultsFile(paths[i]!, read, store, defaultSuite));
  }
  return outcomes;
}
