import type { LoadedState } from "../store/load-state.js";

/**
 * The files whose knowledge this run lacks: a results file skipped or read
 * only in part (malformed records), or a pending snapshot that could not be
 * used. What they hold could answer keys the run would otherwise ask for.
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
    else if ((f.skippedRecords ?? 0) > 0) lines.push(`${f.path}: ${f.skippedRecords} malformed record(s) skipped; first: ${f.problem}`);
  }
  return lines;
}
