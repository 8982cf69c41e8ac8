import type { CoverageWindow } from "../core/coverage.js";
import { sameRun } from "../core/observations.js";
import { RunStore, type ForeignRun, type TableName } from "../core/run-store.js";
import type { Observation } from "../core/types.js";
import { firstProblem } from "../formats/problems.js";
import { isRecord } from "../formats/quick-checks.js";
import { quickResultRecord, resultRecordSchema, resultsFileSchema } from "../formats/results-file.js";
import { Worker } from "node:worker_threads";
import type { StringTableParts } from "../core/string-table.js";
import { AlternateBuffers, parseJsonBytes, readFileBytesAhead, readJsonFile, type BytesRead, type JsonRead } from "./read-json.js";
import { EXACT, ResultsScanner, type ScannedFile } from "../formats/results-scanner.js";
import { knownStatesOf } from "./shared-mode.js";
import { addPhaseTime, timed, timedAsync } from "./phase-times.js";
import { progress } from "./progress.js";
import { MAX_UNIX_SECONDS } from "../formats/timestamps.js";

/** What became of one results file. */
export interface ResultsFileOutcome {
  path: string;
  kind: "results";
  status: "read" | "skipped";
  problem?: string;
  records?: number;
  skippedRecords?: number;
  /** Of the skipped records, those whose run id is known as another run (debci never reuses one). */
  reusedRunIds?: number;
  window?: CoverageWindow;
  until?: number;
}

/**
 * A valid record the run store did not take: its run id is known as
 * another run (RunStore.merge). Kept to be settled once every file is in.
 */
export interface LeftOutRecord {
  observation: Observation;
  /** Its file's place in load order (see loadClaimed). */
  source: number;
  /** Its index in the file's `results`. */
  at: number;
}

/**
 * A results file as folded, before its left-out records are settled
 * (settleLeftOut): `records` counts every valid record, left out or not.
 */
export interface FoldedFile extends ResultsFileOutcome {
  leftOut?: LeftOutRecord[];
  /** The index of the first malformed record, the one `problem` names. */
  malformedAt?: number;
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

/**
 * Folds one parsed results file into the store, as source `source` (see
 * loadClaimed); malformed records are skipped and counted, and records the
 * store leaves out for their run id are kept for settleLeftOut. The exact
 * path: what the results scanner (foldResultsBytes) must equal.
 */
export function foldResultsFile(path: string, read: JsonRead, store: RunStore, defaultSuite: string, source = 0): FoldedFile {
  if (!read.ok) return { path, kind: "results", status: "skipped", problem: read.problem };
  const shape = fileShape(read.value);
  if ("problem" in shape) return { path, kind: "results", status: "skipped", problem: shape.problem };
  const outcome: FoldedFile = { path, kind: "results", status: "read", records: 0, skippedRecords: 0 };
  const { results } = shape;
  for (let i = 0; i < results.length; i++) foldRecord(outcome, results[i], i, store, defaultSuite, source);
  return withWindow(outcome, shape.since, shape.until);
}

function withWindow(outcome: FoldedFile, since: number | null | undefined, until: number | null | undefined): FoldedFile {
  if (until != null) outcome.until = until * 1000;
  if (since != null && until != null) outcome.window = { since: since * 1000, until: until * 1000 };
  return outcome;
}

/** Record schemas by default suite: made once, as zod builds one at a cost. */
const recordSchemas = new Map<string, ReturnType<typeof resultRecordSchema>>();

function recordSchemaFor(defaultSuite: string): ReturnType<typeof resultRecordSchema> {
  let schema = recordSchemas.get(defaultSuite);
  if (schema === undefined) recordSchemas.set(defaultSuite, (schema = resultRecordSchema(defaultSuite)));
  return schema;
}

/** One parsed record, checked by hand when plainly right and by zod otherwise (which words its problem), and merged. */
function foldRecord(outcome: FoldedFile, value: unknown, i: number, store: RunStore, defaultSuite: string, source: number): void {
  const quick = quickResultRecord(value, defaultSuite);
  if (quick !== null) {
    if (!store.merge(quick, source)) leaveOut(outcome, quick, source, i);
    outcome.records!++;
    return;
  }
  const parsed = recordSchemaFor(defaultSuite).safeParse(value);
  if (parsed.success) {
    if (!store.merge(parsed.data, source)) leaveOut(outcome, parsed.data, source, i);
    outcome.records!++;
  } else {
    outcome.skippedRecords!++;
    if (outcome.problem === undefined) {
      outcome.problem = firstProblem(parsed.error, `results[${i}]`);
      outcome.malformedAt = i;
    }
  }
}

/** DEBCI_BRIDGE_SCANNER=0 reads every results file by the exact path (to compare the two, or to rule the scanner out). */
const scannerOn = process.env.DEBCI_BRIDGE_SCANNER !== "0";
const scanners = new Map<string, ResultsScanner>();

/**
 * Folds a results file from its bytes: as the results scanner reads them
 * when it is sure, by the exact path (JSON.parse, foldResultsFile)
 * otherwise, with the same outcome either way (results-scanner.ts).
 */
export function foldResultsBytes(path: string, read: BytesRead, store: RunStore, defaultSuite: string, source = 0, scan = scannerOn): FoldedFile {
  if (!read.ok) return { path, kind: "results", status: "skipped", problem: read.problem };
  if (scan) {
    let scanner = scanners.get(defaultSuite);
    if (scanner === undefined) scanners.set(defaultSuite, (scanner = new ResultsScanner(defaultSuite)));
    const scanned = timed("scan", () => scanner!.scan(read.bytes, store.names));
    if (scanned !== null) return timed("merge", () => foldScanned(path, read.bytes, scanned, store, defaultSuite, source));
  }
  return timed("exact path", () => foldResultsFile(path, parseJsonBytes(read.bytes), store, defaultSuite, source));
}

/** Merges what the scanner read, record by record in the file's order; a record it was not sure of goes through JSON.parse and foldRecord in its place. */
function foldScanned(path: string, bytes: Buffer, scanned: ScannedFile, store: RunStore, defaultSuite: string, source: number): FoldedFile {
  const outcome: FoldedFile = { path, kind: "results", status: "read", records: 0, skippedRecords: 0 };
  const r = scanned.records;
  for (let i = 0; i < r.count; i++) {
    if (r.kinds[i] === EXACT) {
      foldRecord(outcome, JSON.parse(bytes.toString("utf8", r.starts[i], r.ends[i])), i, store, defaultSuite, source);
      continue;
    }
    if (!store.mergeIds(r.runIds[i]!, r.suites[i]!, r.arches[i]!, r.packages[i]!, r.versions[i]!, r.statuses[i]!, r.triggers[i]!, r.created[i]!, r.updated[i]!, source)) {
      leaveOut(outcome, store.observationOfIds(r.runIds[i]!, r.suites[i]!, r.arches[i]!, r.packages[i]!, r.versions[i]!, r.statuses[i]!, r.triggers[i]!, r.created[i]!, r.updated[i]!), source, i);
    }
    outcome.records!++;
  }
  return withWindow(outcome, scanned.since, scanned.until);
}

function leaveOut(file: FoldedFile, observation: Observation, source: number, at: number): void {
  (file.leftOut ??= []).push({ observation, source, at });
}

/** A run as a warning names it: `testing/amd64 baz for "glibc/2.41-7"`. */
function runName(o: Observation): string {
  return `${o.suite}/${o.arch} ${o.package} ${o.trigger === null ? "without a trigger" : `for ${JSON.stringify(o.trigger)}`}`;
}

/** Where a source is, for a warning: the base, or a results file of `paths`. */
function sourceName(paths: readonly string[], source: number): string {
  return source === 0 ? "the compacted base" : paths[source - 1]!;
}

/**
 * Settles the records left out for their run id, once every file is in.
 * One of the run the store now holds under that id is merged after all (a
 * split load leaves out, on one side, records of a run the other side met
 * first); any other is skipped: counted among its file's skipped records,
 * and its file's problem when it comes before the first malformed record.
 * Loading in name order on one thread, every left-out record is skipped.
 */
export function settleLeftOut(paths: readonly string[], store: RunStore, files: readonly FoldedFile[]): ResultsFileOutcome[] {
  return files.map((file) => {
    const { leftOut, malformedAt, ...outcome } = file;
    if (leftOut === undefined) return outcome;
    let first: LeftOutRecord | undefined;
    let skipped = 0;
    for (const record of leftOut) {
      if (store.merge(record.observation, record.source)) continue;
      skipped++;
      if (first === undefined || record.at < first.at) first = record;
    }
    if (first === undefined) return outcome;
    outcome.records! -= skipped;
    outcome.skippedRecords! += skipped;
    outcome.reusedRunIds = skipped;
    if (malformedAt === undefined || first.at < malformedAt) {
      const o = first.observation;
      const known = store.get(o.runId)!;
      const where = sourceName(paths, store.sourcesOf(o.runId)!.first);
      outcome.problem = `results[${first.at}]: run ${o.runId} is ${runName(o)} here but ${runName(known)} in ${where} (debci never reuses a run id)`;
    }
    return outcome;
  });
}

/** Below this many files a second thread costs more to start than it saves. */
const PARALLEL_FROM_FILES = 8;

/** A file's outcome with its place in the list, so outcomes from two threads go back in order. */
export type ClaimedOutcome = [index: number, outcome: FoldedFile];

/** One thread's share of the files, loaded into a run store of its own: what became of each, and the store as tables, encoded rows and their sources. */
export interface OtherSide {
  claimed: ClaimedOutcome[];
  tables: Record<TableName, StringTableParts>;
  rows: Float64Array;
  sources: Uint32Array;
  /** Its thread's phase times (phase-times.ts), when it kept them. */
  phaseTimes?: Record<string, number>;
}

/**
 * Loads files in a worker thread, which takes the next unclaimed file from
 * `counter` (shared with this thread) until none is left: its outcomes, and
 * its run store as tables, encoded rows and their sources.
 */
export function loadInWorker(paths: readonly string[], counter: SharedArrayBuffer, suite: string, maxFileBytes: number): Promise<OtherSide> {
  return new Promise((resolve, reject) => {
    // Built (dist/), the worker is plain JavaScript and starts at once; run from TypeScript
    // sources (tests, development), a small JS entry registers tsx first.
    const entry = import.meta.url.endsWith(".ts") ? "./results-worker-boot.mjs" : "./results-worker.js";
    // A worker inherits the process's Node flags; --input-type (a program run with `node --input-type=module -e`) is refused there.
    const execArgv = process.execArgv.filter((arg) => !arg.startsWith("--input-type"));
    // The states the files belong to, so a file the worker may not read is reported as this thread would (shared-mode.ts).
    const worker = new Worker(new URL(entry, import.meta.url), { workerData: { paths, counter, suite, maxFileBytes, states: knownStatesOf(paths.slice(0, 1)) }, execArgv });
    worker.once("message", resolve);
    worker.once("error", reject);
    worker.once("exit", (code) => reject(new Error(`results worker exited with code ${code}`)));
  });
}

/** Loads the files at `indexes` (in that order) into a run store of its own, as the worker thread does. */
export async function loadOtherSide(paths: readonly string[], indexes: readonly number[], defaultSuite: string, maxFileBytes: number): Promise<OtherSide> {
  const side = new RunStore();
  let k = 0;
  const claimed = await loadClaimed(paths, () => indexes[k++] ?? paths.length, side, defaultSuite, maxFileBytes);
  return { claimed, tables: side.tableParts(), rows: side.encodedRows(), sources: side.encodedSources() };
}

/**
 * Loads results files into the store. With many files, a worker thread
 * and this one each take the next file not yet taken (a counter both
 * share), so both stay busy to the end whatever the files' sizes and
 * however late the worker starts; the worker's runs are then joined in
 * (joinSides), to the state one thread loading every file in name order
 * makes. DEBCI_BRIDGE_WORKERS=0 keeps it to one thread.
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
  let other = await second;
  if (other === null) {
    // No worker could be had, or it failed part way: this thread loads every file it did not load itself, apart as the worker would have.
    const done = new Set(mine.map(([index]) => index));
    other = await loadOtherSide(paths, paths.map((_, index) => index).filter((index) => !done.has(index)), defaultSuite, maxFileBytes);
  }
  return { outcomes: await joinSides(paths, store, mine, other, defaultSuite, maxFileBytes), workerProblem };
}

/**
 * Joins what two sides loaded, each its own files in name order (this
 * side into `store`, after the base), into what one thread loading every
 * file in name order makes: the other side's runs merged in, a run id the
 * two sides each met first as a different run settled (settleOtherRuns),
 * then every left-out record (settleLeftOut). `mine` and `other` together
 * hold every file of `paths`; the outcomes come back in its order.
 */
export async function joinSides(paths: readonly string[], store: RunStore, mine: readonly ClaimedOutcome[], other: OtherSide, defaultSuite: string, maxFileBytes: number): Promise<ResultsFileOutcome[]> {
  const otherRuns = timed("join threads", () => store.mergeForeign(other.tables, other.rows, other.sources));
  for (const [phase, ms] of Object.entries(other.phaseTimes ?? {})) addPhaseTime(`worker ${phase}`, ms);
  const files: FoldedFile[] = new Array<FoldedFile>(paths.length);
  for (const [index, outcome] of [...mine, ...other.claimed]) files[index] = outcome;
  if (otherRuns.length > 0) await settleOtherRuns(paths, store, otherRuns, new Set(mine.map(([index]) => index)), files, defaultSuite, maxFileBytes);
  return settleLeftOut(paths, store, files);
}

/**
 * Runs the two sides each met first as a different run under one run id.
 * The one met first in load order stands (the lower first source; the
 * base is on this side only, and first of all). Every record of the other
 * must then be skipped, as one thread would have skipped it; its side
 * merged them unseen one by one, so its files from the run's first to its
 * last source are read again for them. Rare: it takes a reused run id
 * whose two runs fall on different sides of the split.
 */
async function settleOtherRuns(paths: readonly string[], store: RunStore, otherRuns: readonly ForeignRun[], mine: ReadonlySet<number>, files: FoldedFile[], defaultSuite: string, maxFileBytes: number): Promise<void> {
  /** By file index: the runs (by run id) whose records that file may hold, as the run that did not stand. */
  const again = new Map<number, Map<number, Observation>>();
  for (const other of otherRuns) {
    const runId = other.observation.runId;
    const here = store.sourcesOf(runId)!;
    const otherFirst = other.first < here.first;
    const lost = otherFirst ? store.get(runId)! : other.observation;
    const [from, to] = otherFirst ? [here.first, here.last] : [other.first, other.last];
    if (otherFirst) store.replaceRun(other.observation, other.first, other.last);
    for (let source = Math.max(from, 1); source <= to; source++) {
      // Only the losing side's own files: the other side's never merged a record of the lost run.
      const onLosingSide = mine.has(source - 1) === otherFirst;
      if (!onLosingSide) continue;
      let runs = again.get(source - 1);
      if (runs === undefined) again.set(source - 1, (runs = new Map()));
      runs.set(runId, lost);
    }
  }
  for (const index of [...again.keys()].sort((a, b) => a - b)) await leaveOutAgain(paths[index]!, index + 1, again.get(index)!, files[index]!, defaultSuite, maxFileBytes);
}

/** Reads a file again for the records of runs that did not stand (settleOtherRuns): each becomes a left-out record. */
async function leaveOutAgain(path: string, source: number, lost: ReadonlyMap<number, Observation>, file: FoldedFile, defaultSuite: string, maxFileBytes: number): Promise<void> {
  const read = await readJsonFile(path, maxFileBytes);
  // Read whole a moment ago: a file gone or changed since is one no run lost by (fetch writes new files, prune takes folded ones only).
  if (!read.ok) return;
  const shape = fileShape(read.value);
  if ("problem" in shape) return;
  const schema = recordSchemaFor(defaultSuite);
  shape.results.forEach((record, at) => {
    // The run id alone first, loosely: most records are of other runs.
    const loser = isRecord(record) ? lost.get(Number(record.run_id)) : undefined;
    if (loser === undefined) return;
    const parsed = quickResultRecord(record, defaultSuite) ?? schema.safeParse(record).data;
    if (parsed !== undefined && sameRun(parsed, loser)) leaveOut(file, parsed, source, at);
  });
}

/**
 * Loads the files `next` hands out (an index each; one past the list when
 * none is left), the next one's bytes arriving while this one is folded.
 * A file's source is its index plus one: 0 is the compacted base's.
 */
export async function loadClaimed(paths: readonly string[], next: () => number, store: RunStore, defaultSuite: string, maxFileBytes: number): Promise<ClaimedOutcome[]> {
  const claimed: ClaimedOutcome[] = [];
  // One buffer for the file being folded, one for the file being read: nothing keeps a file's bytes once it is folded.
  const buffers = new AlternateBuffers();
  const readAhead = (at: number) => (at < paths.length ? timedAsync("read", () => readFileBytesAhead(paths[at]!, maxFileBytes, buffers)) : null);
  let index = next();
  let read = await readAhead(index);
  while (read !== null) {
    const bytes = await timedAsync("read", () => read!.result);
    const following = next();
    // The next file's read under way (the pool copies it) before this one is folded.
    const nextRead = await readAhead(following);
    claimed.push([index, foldResultsBytes(paths[index]!, bytes, store, defaultSuite, index + 1)]);
    // Files are handed out in order to both threads: the next index is how far the reading has got.
    progress("reading results files", Math.min(following, paths.length), paths.length);
    index = following;
    read = nextRead;
  }
  return claimed;
}

/** Reads results files in order, the next one's bytes arriving while this one is folded; left-out records are settled (all skipped). */
export async function loadSequentially(paths: readonly string[], store: RunStore, defaultSuite: string, maxFileBytes: number): Promise<ResultsFileOutcome[]> {
  let next = 0;
  const files = (await loadClaimed(paths, () => next++, store, defaultSuite, maxFileBytes)).map(([, outcome]) => outcome);
  return settleLeftOut(paths, store, files);
}
