import { attr, text } from "./escape.js";

const DAY_MS = 86_400_000;
const WIDTH = 1000;
const LEFT = 10;
const RIGHT = 10;
const BAR_Y = 28;
const BAR_H = 26;

export interface TimelineInput {
  /** ISO times; the covered stretch runs from `from` to `to`, less the gaps. */
  from: string | null;
  to: string | null;
  now: string;
  gaps: ReadonlyArray<{ from: string; to: string }>;
  /** When the pending snapshot was taken, marked on the bar. */
  snapshotAt: string | null;
}

/**
 * The coverage of the results files as one inline SVG bar, from the
 * oldest window's start to `now`: covered in green, gaps in red, and what
 * no file reaches yet (after the newest `until`) in grey. Day ticks in UTC.
 */
export function coverageTimeline(input: TimelineInput): string {
  if (input.from === null || input.to === null) return "";
  const from = Date.parse(input.from);
  const to = Date.parse(input.to);
  const now = Date.parse(input.now);
  const end = Math.max(to, now, from + 1);
  const span = end - from;
  const inner = WIDTH - LEFT - RIGHT;
  const x = (t: number) => LEFT + (Math.min(Math.max(t, from), end) - from) * (inner / span);
  const n = (v: number) => v.toFixed(1);
  const parts: string[] = [];
  parts.push(
    `<svg class="timeline" role="img" aria-label="coverage of the results files from ${attr(input.from)} to ${attr(input.to)}, ${input.gaps.length} gap(s) shown" viewBox="0 0 ${WIDTH} 92" width="100%">`,
  );
  // Day ticks (UTC midnights), labelled so that labels stay apart.
  const days = Math.floor(span / DAY_MS);
  if (days >= 1 && days <= 400) {
    const every = Math.max(1, Math.ceil(days / Math.floor(inner / 70)));
    let k = 0;
    for (let t = Math.ceil(from / DAY_MS) * DAY_MS; t <= end; t += DAY_MS, k++) {
      const at = n(x(t));
      parts.push(`<line class="tick" x1="${at}" x2="${at}" y1="${BAR_Y - 6}" y2="${BAR_Y + BAR_H + 4}"/>`);
      if (k % every === 0) parts.push(`<text class="tick-label" x="${at}" y="${BAR_Y + BAR_H + 16}" text-anchor="middle">${text(new Date(t).toISOString().slice(5, 10))}</text>`);
    }
  }
  parts.push(`<rect class="covered" x="${n(x(from))}" y="${BAR_Y}" width="${n(x(to) - x(from))}" height="${BAR_H}"><title>covered ${text(input.from)} to ${text(input.to)}</title></rect>`);
  if (end > to) parts.push(`<rect class="unfetched" x="${n(x(to))}" y="${BAR_Y}" width="${n(x(end) - x(to))}" height="${BAR_H}"><title>no results yet: ${text(input.to)} to ${text(input.now)}</title></rect>`);
  for (const gap of input.gaps) {
    const a = x(Date.parse(gap.from));
    const b = x(Date.parse(gap.to));
    parts.push(`<rect class="gap" x="${n(a)}" y="${BAR_Y - 3}" width="${n(Math.max(2, b - a))}" height="${BAR_H + 6}"><title>gap ${text(gap.from)} to ${text(gap.to)}</title></rect>`);
  }
  if (input.snapshotAt !== null) {
    const s = Date.parse(input.snapshotAt);
    if (s >= from && s <= end) {
      const at = n(x(s));
      parts.push(`<line class="snapshot" x1="${at}" x2="${at}" y1="${BAR_Y - 6}" y2="${BAR_Y + BAR_H + 22}"><title>pending snapshot ${text(input.snapshotAt)}</title></line>`);
      parts.push(`<text class="snapshot-label" x="${at}" y="${BAR_Y + BAR_H + 32}" text-anchor="end">pending snapshot </text>`);
    }
  }
  parts.push(`<text class="edge-label" x="${LEFT}" y="14">${text(input.from)}</text>`);
  parts.push(`<text class="edge-label" x="${WIDTH - RIGHT}" y="14" text-anchor="end">now ${text(input.now)}</text>`);
  parts.push("</svg>");
  return parts.join("");
}
