import { stat } from "node:fs/promises";
import { basename, join } from "node:path";
import type { CoverageWindow } from "../core/coverage.js";
import { parseBatchName } from "../core/batches.js";
import { emptyKnowledge, type Knowledge } from "../core/knowledge.js";
import { repairLedger } from "../core/ledger.js";
import { foldedLookup } from "../core/retention.js";
import type { OutboxBatch } from "../core/types.js";
import { batchBodySchema } from "../formats/batch-file.js";
import { ledgerFileReader } from "../formats/ledger-file.js";
import { pendingSnapshotReader } from "../formats/pending-snapshot.js";
import { firstProblem } from "../formats/problems.js";
import { rejectListSchema } from "../formats/reject-list-file.js";
import { REFUSAL_FILE, refusalFileSchema } from "../formats/refusal-file.js";
import { keyTrigger } from "../core/trigger.js";
import { listJson, listResultsFiles } from "./list-files.js";
import { loadResultsFiles } from "./load-results.js";
import { timedAsync } from "./phase-times.js";
import { DEFAULT_MAX_FILE_BYTES, readJsonFile } from "./read-json.js";
import { readStateBase } from "./base-file.js";
import type { BaseHeader } from "../formats/base-file.js";
import type { StatePaths } from "./state-paths.js";

export type FileKind = "results" | "pending" | "ledger" | "reject-list" | "outbox";

/** What became of one input file: read (perhaps with bad records skipped) or skipped whole. */
export interface FileReport {
  path: string;
  kind: FileKind;
  status: "read" | "skipped";
  problem?: string;
  records?: number;
  skippedRecords?: number;
  /** Of the skipped records, those whose run id is known as another run (debci never reuses one). */
  reusedRunIds?: number;
}

/** A results file read in full this time: what compaction folds. */
export interface ReadResultsFile {
  name: string;
  size: number;
  since: number | null;
  until: number | null;
}

export interface LoadedState {
  knowledge: Knowledge;
  files: FileReport[];
  coverage: CoverageWindow[];
  /** The compacted base's header, when there is a base. */
  base: BaseHeader | null;
  /** Results files skipped because the base already holds them. */
  foldedOnDisk: string[];
  /** Results files read whole, without a skipped record: compaction folds these, and only these. */
  readResults: ReadResultsFile[];
  /** Batches the ledger did not account for (a crash between batch and ledger), folded back in. */
  repairedBatches: string[];
  /** False when requested.json exists but cannot be read: a committing run must not overwrite it. */
  ledgerUsable: boolean;
  /** What went wrong loading that is no file's fault (a results worker thread that failed): warned about, nothing lost. */
  loadProblems: string[];
}

async function loadResults(paths: StatePaths, state: LoadedState, defaultSuite: string, maxFileBytes: number): Promise<void> {
  const folded = state.base?.folded ?? [];
  for (const f of folded) if (f.since !== null && f.until !== null) state.coverage.push({ since: f.since, until: f.until });
  const held = foldedLookup(folded);
  const toRead: string[] = [];
  const sizes = new Map<string, number>();
  for (const path of await listResultsFiles(paths.results)) {
    const name = basename(path);
    const size = (await stat(path)).size;
    sizes.set(path, size);
    if (held(name, size) !== undefined) state.foldedOnDisk.push(name);
    else toRead.push(path);
  }
  const { outcomes, workerProblem } = await loadResultsFiles(toRead, state.knowledge.runs, defaultSuite, maxFileBytes);
  if (workerProblem !== null) state.loadProblems.push(workerProblem);
  for (const outcome of outcomes) {
    const { window, until, ...report } = outcome;
    if (window !== undefined) state.coverage.push(window);
    state.files.push(report);
    // Only a file read without a single problem may be folded: a malformed record, or one whose run id is
    // another run's, must stay reported, and its file never pruned.
    if (report.status === "read" && (report.skippedRecords ?? 0) === 0) {
      state.readResults.push({ name: basename(report.path), size: sizes.get(report.path)!, since: window?.since ?? null, until: until ?? null });
    }
  }
}

/** Reads one optional JSON file through a schema; a missing file is `undefined`, a bad one is reported. */
async function loadOptional<T>(path: string, kind: FileKind, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: import("zod").ZodError } }, state: LoadedState, maxFileBytes: number): Promise<T | undefined | null> {
  const read = await readJsonFile(path, maxFileBytes);
  if (!read.ok) {
    if (read.missing) return undefined;
    state.files.push({ path, kind, status: "skipped", problem: read.problem });
    return null;
  }
  const parsed = schema.safeParse(read.value);
  if (!parsed.success) {
    state.files.push({ path, kind, status: "skipped", problem: firstProblem(parsed.error) });
    return null;
  }
  state.files.push({ path, kind, status: "read" });
  return parsed.data;
}

async function loadOutbox(paths: StatePaths, state: LoadedState, maxFileBytes: number): Promise<void> {
  const known = new Set(state.knowledge.ledger.batches);
  const places = [
    { place: "outbox", dir: paths.outbox },
    { place: "sent", dir: join(paths.outbox, "sent") },
    { place: "rejected", dir: join(paths.outbox, "rejected") },
  ] as const;
  for (const { place, dir } of places) {
    for (const path of await listJson(dir)) {
      const name = path.slice(dir.length + 1);
      if (place === "rejected" && REFUSAL_FILE.test(name)) {
        await loadRefusals(path, name, state, maxFileBytes);
        continue;
      }
      const parsedName = parseBatchName(name);
      const base = { name, place, huge: parsedName?.huge ?? false, requestedAt: parsedName?.requestedAt ?? null };
      // Sent batches the ledger already knows need no reading: their content only matters for repair, and,
      // for the few huge ones, for telling which runs were huge requests (the overtaken rule, core/in-flight.ts).
      if (place !== "outbox" && known.has(name) && !(place === "sent" && base.huge)) {
        state.knowledge.outbox.push({ ...base, body: null });
        continue;
      }
      const body = await loadOptional(path, "outbox", batchBodySchema, state, maxFileBytes);
      const batch: OutboxBatch = { ...base, body: body ?? null };
      state.knowledge.outbox.push(batch);
    }
  }
}

/** A refusal file: each refused entry becomes a refused request of its test key. */
async function loadRefusals(path: string, name: string, state: LoadedState, maxFileBytes: number): Promise<void> {
  const file = await loadOptional(path, "outbox", refusalFileSchema, state, maxFileBytes);
  if (!file) return;
  const batch = name.replace(REFUSAL_FILE, ".json");
  const requestedAt = parseBatchName(batch)?.requestedAt ?? null;
  for (const entry of file.entries) {
    const trigger = keyTrigger(entry.trigger);
    if (trigger === undefined) continue;
    state.knowledge.refusals.push({ suite: entry.suite, arch: entry.arch, package: entry.package, trigger, message: entry.message, refusedAt: file.refusedAt, batch, requestedAt });
  }
}

/** Loads and validates everything in a state directory. Bad files are reported, never fatal here. */
export async function loadState(paths: StatePaths, defaultSuite: string, maxFileBytes = DEFAULT_MAX_FILE_BYTES): Promise<LoadedState> {
  const state: LoadedState = { knowledge: emptyKnowledge(), files: [], coverage: [], base: null, foldedOnDisk: [], readResults: [], repairedBatches: [], ledgerUsable: true, loadProblems: [] };
  state.base = await timedAsync("base", () => readStateBase(paths, state.knowledge.runs));
  await timedAsync("results files", () => loadResults(paths, state, defaultSuite, maxFileBytes));
  const pending = await timedAsync("snapshot", () => loadOptional(paths.pending, "pending", pendingSnapshotReader, state, maxFileBytes));
  state.knowledge.pending = pending ?? null;
  const ledger = await timedAsync("ledger", () => loadOptional(paths.ledger, "ledger", ledgerFileReader, state, maxFileBytes));
  if (ledger === null) state.ledgerUsable = false;
  if (ledger) state.knowledge.ledger = ledger;
  const rejectList = await loadOptional(paths.rejectList, "reject-list", rejectListSchema, state, maxFileBytes);
  if (rejectList) state.knowledge.rejectList = rejectList;
  await loadOutbox(paths, state, maxFileBytes);
  const repair = repairLedger(state.knowledge.ledger, state.knowledge.outbox);
  state.knowledge.ledger = repair.ledger;
  state.repairedBatches = repair.repaired;
  return state;
}
