import { isoTime } from "./iso-time.js";

/**
 * How old the newest knowledge of a state is: when the pending snapshot was
 * taken, and how far the fetched results reach (the newest `until` of the
 * results files and the base). A run answers from what it has whatever its
 * age; past `staleAfterMs` it says so, so an operator notices that fetching
 * stopped before britney2's answers quietly stop moving.
 */
export interface DataAges {
  /** pending.json's generated_at (epoch ms), null without a snapshot. */
  snapshotAt: number | null;
  /** The newest `until` of the results (epoch ms), null without any. */
  resultsUntil: number | null;
  snapshotAgeMs: number | null;
  resultsAgeMs: number | null;
  /** Either is older than the threshold. */
  stale: boolean;
  staleAfterMs: number;
}

export function dataAges(snapshotAt: number | null, resultsUntil: number | null, now: number, staleAfterMs: number): DataAges {
  const snapshotAgeMs = snapshotAt === null ? null : Math.max(0, now - snapshotAt);
  const resultsAgeMs = resultsUntil === null ? null : Math.max(0, now - resultsUntil);
  const old = (age: number | null) => age !== null && age > staleAfterMs;
  // What is missing is not old: a fresh state, or one without a snapshot, answers from what it has.
  const stale = old(snapshotAgeMs) || old(resultsAgeMs);
  return { snapshotAt, resultsUntil, snapshotAgeMs, resultsAgeMs, stale, staleAfterMs };
}

/** The ages of a loaded state: its snapshot's time and the newest `until` of its results' coverage (epoch ms). */
export function stateAges(snapshot: { generatedAt: number } | null, coverage: readonly { until: number }[], now: number, staleAfterMs: number): DataAges {
  let resultsUntil: number | null = null;
  for (const w of coverage) if (resultsUntil === null || w.until > resultsUntil) resultsUntil = w.until;
  return dataAges(snapshot?.generatedAt ?? null, resultsUntil, now, staleAfterMs);
}

/** An age as a person says it: "3 days", "5 hours", "12 minutes". */
export function humanAge(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} hours`;
  return `${Math.floor(hours / 24)} days`;
}

/** The warning every command gives for stale data, naming each age and what to run; null when fresh. */
export function stalenessWarning(ages: DataAges): string | null {
  if (!ages.stale) return null;
  const snapshot = ages.snapshotAt === null ? "no pending snapshot" : `the pending snapshot is ${humanAge(ages.snapshotAgeMs!)} old (${isoTime(ages.snapshotAt)})`;
  const results = ages.resultsUntil === null ? "no results fetched" : `the newest results are ${humanAge(ages.resultsAgeMs!)} old (up to ${isoTime(ages.resultsUntil)})`;
  return `stale data: ${snapshot}, ${results}; answers may be out of date: run debci-bridge fetch (exit 3 there means the CI service was unreachable); warned past staleAfterHours (${ages.staleAfterMs / 3_600_000})`;
}
