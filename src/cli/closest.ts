/**
 * What a person probably meant by a mistyped name: a flag (options.ts) or a
 * command (main.ts). Plain strings; loaded by `--help`-time code, so it
 * imports nothing.
 */

/** Edit distance counting a swap of two neighbours as one edit. */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

/** How many edits a name of this length may be away from what was meant. */
export function editLimit(typed: string): number {
  return typed.length <= 4 ? 1 : typed.length <= 8 ? 2 : 3;
}

/**
 * The names nearest `typed`, at most two: those it begins (`comp`:
 * compact), else those within editLimit (`stauts`: status), nearest
 * first.
 */
export function closestNames(typed: string, names: readonly string[]): string[] {
  const lower = typed.toLowerCase();
  const begun = lower.length >= 2 ? names.filter((n) => n.startsWith(lower)) : [];
  if (begun.length > 0) return begun.slice(0, 2);
  const limit = editLimit(lower);
  return names
    .map((n) => ({ n, d: editDistance(lower, n) }))
    .filter((c) => c.d <= limit)
    .sort((a, b) => a.d - b.d)
    .slice(0, 2)
    .map((c) => c.n);
}
