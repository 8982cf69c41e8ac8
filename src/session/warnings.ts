import type { FileReport, LoadedState } from "../store/load-state.js";

/**
 * The files whose knowledge this run lacks: a results file skipped or read
 * only in part (malformed records, or records whose run id is another
 * run's: either of the two may be the true one), or a pending snapshot
 * that could not be used. What they hold could answer keys the run would
 * otherwise ask for.
 */
export function unreadableKnowledge(loaded: LoadedState): string[] {
  return loaded.files.filter((f) => (f.kind === "results" || f.kind === "pending") && (f.status === "skipped" || (f.skippedRecords ?? 0) > 0)).map((f) => f.path);
}

/** The warning of a run whose knowledge is incomplete, saying what it does about it. */
export function incompleteWarning(paths: readonly string[], holding: boolean): string {
  const files = `${paths.length} file(s) could not be read in full (${paths.slice(0, 5).join(", ")}${paths.length > 5 ? ", ..." : ""})`;
  return holding
    ? `knowledge is incomplete: ${files}; requests that only this lack of knowledge calls for are held (held: "incomplete"): fix or remove the files, or pass --allow-incomplete (allowIncomplete in debci-bridge.json) to request anyway`
    : `knowledge is incomplete: ${files}; answers and requests may be wrong for keys they hold`;
}

/** Problems with input, one line each naming the file: warnings normally, errors under --strict. */
export function inputProblems(loaded: LoadedState): string[] {
  const lines: string[] = [];
  for (const f of loaded.files) {
    if (f.status === "skipped") lines.push(`${f.path}: skipped: ${f.problem}`);
    else if ((f.skippedRecords ?? 0) > 0) lines.push(`${f.path}: ${skippedRecords(f)}`);
  }
  return lines;
}

/** A file's skipped records in words: malformed ones, and ones whose run id is another run's (debci never reuses one). */
function skippedRecords(f: FileReport): string {
  const skipped = f.skippedRecords ?? 0;
  const reused = f.reusedRunIds ?? 0;
  if (reused === 0) return `${skipped} malformed record(s) skipped; first: ${f.problem}`;
  if (skipped === 1) return `${f.problem}: record skipped`;
  if (reused === skipped) return `${skipped} records skipped, their run ids known as other runs; first: ${f.problem}`;
  return `${skipped} records skipped (${skipped - reused} malformed, ${reused} with a run id known as another run); first: ${f.problem}`;
}
