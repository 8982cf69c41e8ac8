import { coverageGaps, type CoverageGap, type CoverageWindow } from "./coverage.js";
import { maxOf } from "./numbers.js";

/** A results file folded into the compacted base (times in ms). */
export interface FoldedFile {
  name: string;
  size: number;
  since: number | null;
  until: number | null;
}

/** The base's folded list after folding more files: a file folded again replaces its old entry. */
export function foldInto(folded: readonly FoldedFile[], more: readonly FoldedFile[]): FoldedFile[] {
  const byName = new Map(folded.map((f) => [f.name, f]));
  for (const f of more) byName.set(f.name, f);
  return [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/**
 * Which files on disk the base holds: the same name and the same size. A
 * file rewritten since is not held, and is read again (merging is idempotent).
 */
export function foldedLookup(folded: readonly FoldedFile[]): (name: string, size: number) => FoldedFile | undefined {
  const byName = new Map(folded.map((f) => [f.name, f]));
  return (name, size) => {
    const entry = byName.get(name);
    return entry !== undefined && entry.size === size ? entry : undefined;
  };
}

/** A results file on disk, as prune sees it. */
export interface FileOnDisk {
  name: string;
  size: number;
  modifiedAt: number;
}

/**
 * The files prune may delete: folded into the base (same name and size) and
 * older than the retention age, judged by the newest result they answer for
 * (`until`) or, lacking that, when the file was written. Never a file the
 * base does not hold.
 */
export function filesToPrune(onDisk: readonly FileOnDisk[], folded: readonly FoldedFile[], now: number, olderThanMs: number): string[] {
  const held = foldedLookup(folded);
  return onDisk
    .filter((file) => {
      const entry = held(file.name, file.size);
      return entry !== undefined && now - (entry.until ?? file.modifiedAt) > olderThanMs;
    })
    .map((file) => file.name)
    .sort();
}

export interface Watermark {
  /** What to ask the CI service for next: `since`, in UNIX seconds (null when nothing is known: fetch all). */
  since: number | null;
  /** The highest `until` known, in UNIX seconds. */
  until: number | null;
  /** Stretches no file covers, oldest first: results from them may be missing. */
  gaps: CoverageGap[];
  /** When gaps exist: the `since` that replays them all. */
  replayFrom: number | null;
}

/**
 * How far ahead of our clock a time from the CI service may be and still be
 * believed: clocks differ a little, never by hours.
 */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;

/**
 * The next `since`: the highest `until` known, less an overlap, since results
 * can be reported late. An `until` beyond `now` (plus clock skew) is not
 * believed: one bogus answer must not stop fetching for good. Never below 0.
 */
export function watermarkOf(untils: readonly number[], windows: readonly CoverageWindow[], overlapMs: number, now: number): Watermark & { ignoredUntils: number } {
  const believable = untils.filter((u) => u <= now + MAX_CLOCK_SKEW_MS);
  const until = maxOf(believable);
  const gaps = coverageGaps(windows.filter((w) => w.until <= now + MAX_CLOCK_SKEW_MS));
  const seconds = (ms: number) => Math.max(0, Math.floor(ms / 1000));
  return {
    ignoredUntils: untils.length - believable.length,
    since: until === null ? null : seconds(until - overlapMs),
    until: until === null ? null : seconds(until),
    gaps,
    replayFrom: gaps.length === 0 ? null : seconds(gaps[0]!.from - overlapMs),
  };
}
