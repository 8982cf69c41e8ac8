import { readdir, stat, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { parseBatchName } from "../core/batches.js";
import { maxOf } from "../core/numbers.js";
import { filesToPrune, foldInto, foldedLookup, watermarkOf, type Watermark } from "../core/retention.js";
import { BASE_FORMAT } from "../formats/base-file.js";
import { readStateBaseHeader, writeBase } from "../store/base-file.js";
import { readJsonFile } from "../store/read-json.js";
import type { CoverageWindow } from "../core/coverage.js";
import { InputError } from "../store/errors.js";
import { crashPoint } from "../store/faults.js";
import { listResultsFiles } from "../store/list-files.js";
import { fileWindow } from "../store/load-results.js";
import { loadState } from "../store/load-state.js";
import { acquireLock } from "../store/lock.js";
import { removeStaleTemps } from "../store/stale-temps.js";
import { requireStateDir, statePaths, type StatePaths } from "../store/state-paths.js";
import { inputProblems } from "./warnings.js";

export interface MaintenanceOptions {
  stateDir: string;
  paths?: Partial<Omit<StatePaths, "stateDir">>;
  now: number;
  suite: string;
  /** The largest input file read (after gunzip). */
  maxFileBytes?: number;
  /** How long to wait for the state's lock before giving up (ms). */
  waitMs?: number;
  strict?: boolean;
  command?: string;
}

/** Runs `work` holding the state directory's lock: compaction and pruning change the state. */
async function locked<T>(options: MaintenanceOptions, work: (paths: StatePaths) => Promise<T>): Promise<T> {
  const paths = statePaths(options.stateDir, options.paths);
  await requireStateDir(paths.stateDir);
  const lock = await acquireLock(paths.lock, options.command ?? "debci-bridge", options.now, options.waitMs ?? 0);
  try {
    await removeStaleTemps([paths.stateDir, dirname(paths.base)]);
    return await work(paths);
  } finally {
    await lock.release();
  }
}

async function load(paths: StatePaths, options: MaintenanceOptions) {
  const loaded = await loadState(paths, options.suite, options.maxFileBytes);
  const problems = inputProblems(loaded);
  if (options.strict && problems.length > 0) throw new InputError(`strict mode: ${problems[0]}`);
  return { loaded, problems };
}

export interface CompactResult {
  base: string;
  runs: number;
  /** Files folded by this compaction; the base's total is `foldedTotal`. */
  folded: string[];
  foldedTotal: number;
  warnings: string[];
}

/**
 * Folds every results file into one compacted base: the merged state, one
 * run per line. Answers from the base plus later files equal answers from
 * all the raw files, since merging is idempotent and order-independent.
 * Malformed files are not folded (they are still reported each run).
 */
export async function compact(options: MaintenanceOptions): Promise<CompactResult> {
  return locked(options, async (paths) => {
    const { loaded, problems } = await load(paths, options);
    const folded = foldInto(loaded.base?.folded ?? [], loaded.readResults);
    const result = { base: paths.base, runs: loaded.knowledge.runs.size, folded: loaded.readResults.map((f) => f.name), foldedTotal: folded.length, warnings: problems };
    // Nothing new: leave the base as it is (an older JSON-lines base is still rewritten, once, as the binary one).
    if (loaded.readResults.length === 0 && loaded.base !== null && loaded.base.format === BASE_FORMAT) return result;
    const until = maxOf(folded.map((f) => f.until).filter((t): t is number => t !== null));
    await writeBase(paths.base, loaded.knowledge.runs, { format: BASE_FORMAT, compactedAt: options.now, runs: loaded.knowledge.runs.size, until, folded });
    // The new base holds all the old JSON-lines base held: it is no longer needed (a crash before this leaves both; the new one is read).
    if (paths.legacyBase !== null) await unlink(paths.legacyBase).catch(() => undefined);
    return result;
  });
}

export interface PruneResult {
  deleted: string[];
  kept: number;
  /** Sent batches (outbox/sent/) older than the retention age, deleted too: the CI service has had them long since. */
  deletedSent: string[];
}

/** Deletes results files that the base holds and that are older than the retention age. */
export async function prune(options: MaintenanceOptions & { olderThanDays: number }): Promise<PruneResult> {
  return locked(options, async (paths) => {
    // Only the base's header is needed: which files it holds, not its runs.
    const folded = (await readStateBaseHeader(paths))?.folded ?? [];
    const onDisk = await Promise.all(
      (await listResultsFiles(paths.results)).map(async (path) => {
        const s = await stat(path);
        return { name: basename(path), size: s.size, modifiedAt: s.mtimeMs };
      }),
    );
    const doomed = filesToPrune(onDisk, folded, options.now, options.olderThanDays * 86_400_000);
    const deleted: string[] = [];
    for (const name of doomed) {
      await unlink(join(paths.results, name));
      deleted.push(name);
      if (deleted.length === 1) crashPoint("prune-midway");
    }
    // Sent batches are dated by their name; unsent and rejected ones are never pruned.
    const sentDir = join(paths.outbox, "sent");
    const deletedSent: string[] = [];
    for (const name of (await readdir(sentDir).catch(() => [] as string[])).sort()) {
      const batch = parseBatchName(name);
      if (batch === null || options.now - batch.requestedAt <= options.olderThanDays * 86_400_000) continue;
      await unlink(join(sentDir, name));
      deletedSent.push(name);
    }
    return { deleted, kept: onDisk.length - deleted.length, deletedSent };
  });
}

/**
 * Where the fetch tool should resume, and whether coverage has a gap needing
 * a wider replay. Reads the base's header and the files it does not hold,
 * never the runs: fetch calls this every few minutes. Writes nothing.
 */
export async function watermark(options: MaintenanceOptions & { overlapMinutes: number }): Promise<Watermark & { ignoredUntils: number }> {
  const paths = statePaths(options.stateDir, options.paths);
  await requireStateDir(paths.stateDir);
  const folded = (await readStateBaseHeader(paths))?.folded ?? [];
  const windows: CoverageWindow[] = [];
  const untils: number[] = [];
  const note = (since: number | null, until: number | null) => {
    if (until !== null) untils.push(until);
    if (since !== null && until !== null) windows.push({ since, until });
  };
  for (const f of folded) note(f.since, f.until);
  const held = foldedLookup(folded);
  for (const path of await listResultsFiles(paths.results)) {
    if (held(basename(path), (await stat(path)).size) !== undefined) continue;
    const window = fileWindow(await readJsonFile(path, options.maxFileBytes));
    if (window !== null) note(window.since, window.until);
  }
  return watermarkOf(untils, windows, options.overlapMinutes * 60_000, options.now);
}
