import { performance } from "node:perf_hooks";

/**
 * Wall time spent in each phase of one run (reading files, scanning,
 * merging, indexing, answering, writing), for `npm run bench`: with
 * DEBCI_BRIDGE_PHASE_TIMES=1, `plan` prints them on stderr as one JSON line
 * at its end. Two clock reads per phase entered, nothing per record.
 */
const totals: Record<string, number> = Object.create(null) as Record<string, number>;

export const phaseTimesWanted = process.env.DEBCI_BRIDGE_PHASE_TIMES === "1";

export function addPhaseTime(phase: string, ms: number): void {
  totals[phase] = (totals[phase] ?? 0) + ms;
}

export function timed<T>(phase: string, work: () => T): T {
  const start = performance.now();
  try {
    return work();
  } finally {
    addPhaseTime(phase, performance.now() - start);
  }
}

export async function timedAsync<T>(phase: string, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await work();
  } finally {
    addPhaseTime(phase, performance.now() - start);
  }
}

/** The phases so far, in milliseconds, rounded. */
export function phaseTimes(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [phase, ms] of Object.entries(totals)) out[phase] = Math.round(ms);
  return out;
}
