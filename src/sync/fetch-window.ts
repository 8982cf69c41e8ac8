import { MAX_CLOCK_SKEW_MS } from "../core/retention.js";

/**
 * Which times of a fetch to believe. debci (`lib/debci/api.rb`, GET /test)
 * answers `until` = the newest `created_at` among the jobs it returns, 0
 * when it returns none, while it selects jobs by `updated_at >= since`: so
 * `until` is 0 on an empty answer and below `since` when only old jobs
 * finished. Neither may become the next watermark.
 */
export function trustedUntil(reported: unknown, since: number, now: number): number | null {
  if (typeof reported !== "number" || !Number.isSafeInteger(reported)) return null;
  if (reported <= 0 || reported < since) return null;
  if (reported * 1000 > now + MAX_CLOCK_SKEW_MS) return null;
  return reported;
}

/**
 * The `until` a fetched file records, in UNIX seconds: the service's when
 * believable, else the newest time actually received (no later than now
 * plus clock skew), else `since` itself: the window never runs backwards
 * and never claims a future it did not see.
 */
export function coveredUntil(reported: unknown, since: number, now: number, newestSeen: number | null): { until: number; trusted: boolean } {
  const trusted = trustedUntil(reported, since, now);
  if (trusted !== null) return { until: trusted, trusted: true };
  const seen = newestSeen === null ? since : Math.floor(newestSeen / 1000);
  return { until: Math.max(since, seen), trusted: false };
}

/** Tracks the newest believable `updated_at`/`created_at` among received records (epoch ms). */
export class NewestTime {
  value: number | null = null;

  constructor(private readonly now: number) {}

  see(t: number | null): void {
    if (t === null || !Number.isFinite(t) || t > this.now + MAX_CLOCK_SKEW_MS) return;
    if (this.value === null || t > this.value) this.value = t;
  }
}

/**
 * Where a fetch starts, in UNIX seconds: `--since` when given; else the
 * watermark; with neither (a fresh state) `now` less the backfill, never
 * all of history in one answer.
 */
export function startSince(explicit: number | null, watermark: number | null, now: number, backfillMs: number): { since: number; from: "--since" | "watermark" | "backfill" } {
  if (explicit !== null) return { since: Math.max(0, Math.floor(explicit / 1000)), from: "--since" };
  if (watermark !== null) return { since: Math.max(0, watermark), from: "watermark" };
  return { since: Math.max(0, Math.floor((now - backfillMs) / 1000)), from: "backfill" };
}

/**
 * Where the pending window starts, in UNIX seconds: `windowMs` back from
 * now, and further back to cover the oldest request the ledger still holds
 * open (less clock skew: its job was made after it, by the service's
 * clock), so a job that queues longer than the window is still listed
 * while this side waits for it. Never further back than `maxWindowMs`: a
 * wider window is one larger answer every fetch.
 */
export function pendingWindowSince(now: number, windowMs: number, maxWindowMs: number, oldestOpenRequest: number | null): number {
  let from = now - windowMs;
  if (oldestOpenRequest !== null) from = Math.min(from, oldestOpenRequest - MAX_CLOCK_SKEW_MS);
  from = Math.max(from, now - Math.max(maxWindowMs, windowMs));
  return Math.max(0, Math.floor(from / 1000));
}
