/**
 * Progress of long work (reading many results files, a long fetch), for a
 * person watching a terminal: the CLI sets a reporter only when stderr is
 * one (cli/progress-line.ts), so a timer's journal, a pipe or britney2
 * reading the output sees nothing of it. One call per file or chunk.
 */
export type ProgressReporter = (what: string, done: number, total: number | null) => void;

let reporter: ProgressReporter | null = null;

export function setProgressReporter(next: ProgressReporter | null): void {
  reporter = next;
}

/** Whether anyone watches: a caller that builds its words per record asks first. */
export function progressWanted(): boolean {
  return reporter !== null;
}

export function progress(what: string, done: number, total: number | null = null): void {
  if (reporter !== null) reporter(what, done, total);
}
