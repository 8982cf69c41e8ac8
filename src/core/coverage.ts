/** Coverage of the results files that say which window (`since` to `until`) they answer. Times in ms. */
export interface CoverageWindow {
  since: number;
  until: number;
}

export interface CoverageGap {
  from: number;
  to: number;
}

/** Gaps between the windows the files cover, oldest first. Files without `since` say nothing here. */
export function coverageGaps(windows: readonly CoverageWindow[]): CoverageGap[] {
  const sorted = [...windows].sort((a, b) => a.since - b.since);
  const gaps: CoverageGap[] = [];
  let reach: number | null = null;
  for (const w of sorted) {
    if (reach !== null && w.since > reach) gaps.push({ from: reach, to: w.since });
    reach = reach === null ? w.until : Math.max(reach, w.until);
  }
  return gaps;
}
