/** Minimum and maximum without spreading into arguments, which overflows the stack on long lists. */
export function minOf(values: readonly number[]): number | null {
  let best: number | null = null;
  for (const v of values) if (best === null || v < best) best = v;
  return best;
}

export function maxOf(values: readonly number[]): number | null {
  let best: number | null = null;
  for (const v of values) if (best === null || v > best) best = v;
  return best;
}
