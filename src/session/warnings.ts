import type { LoadedState } from "../store/load-state.js";

/** Problems with input, one line each naming the file: warnings normally, errors under --strict. */
export function inputProblems(loaded: LoadedState): string[] {
  const lines: string[] = [];
  for (const f of loaded.files) {
    if (f.status === "skipped") lines.push(`${f.path}: skipped: ${f.problem}`);
    else if ((f.skippedRecords ?? 0) > 0) lines.push(`${f.path}: ${f.skippedRecords} malformed record(s) skipped; first: ${f.problem}`);
  }
  return lines;
}
