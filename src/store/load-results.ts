import type { CoverageWindow } from "../core/coverage.js";
import type { RunStore } from "../core/run-store.js";
import { firstProblem } from "../formats/problems.js";
import { quickResultRecord, resultRecordSchema, resultsFileSchema } from "../formats/results-file.js";
import { readJsonFile, type JsonRead } from "./read-json.js";

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
  return v === undefined || v === null || (typeof v === "number" && Number.isFinite(v) && v >= 0);
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

/**
 * Reads results files in order, the next one's bytes arriving while this
 * one is parsed and folded.
 */
export async function loadResultsFiles(paths: readonly string[], store: RunStore, defaultSuite: string): Promise<ResultsFileOutcome[]> {
  const outcomes: ResultsFileOutcome[] = [];
  let next = paths.length > 0 ? readJsonFile(paths[0]!) : null;
  for (let i = 0; i < paths.length; i++) {
    const read = await next!;
    next = i + 1 < paths.length ? readJsonFile(paths[i + 1]!) : null;
    outcomes.push(foldResultsFile(paths[i]!, read, store, defaultSuite));
  }
  return outcomes;
}
