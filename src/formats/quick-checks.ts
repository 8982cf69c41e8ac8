import { parseIsoTimeFast } from "./fast-iso-time.js";

/**
 * The pieces the hand-written fast paths (result records, needs, the
 * pending snapshot, the ledger) share. Each answers only when sure; the caller falls
 * back to its zod schema otherwise.
 */

export function nonEmpty(value: unknown): value is string {
  return typeof value === "string" && value.length > 0;
}

/** debci's pin-packages as pinPackagesSchema takes them: pairs of non-empty strings. */
export function isPins(value: unknown): value is Array<[string, string]> {
  return Array.isArray(value) && value.every((p) => Array.isArray(p) && p.length === 2 && nonEmpty(p[0]) && nonEmpty(p[1]));
}

/** A plain object (not null, not an array), as JSON gives one. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** debci's run id as a JSON number (a string of digits is left to zod). */
export function isRunIdNumber(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value >= 0;
}

/** A time field: absent or null is null; a fast-parsable string its time; anything else undefined (take the zod path). */
export function quickTime(value: unknown): number | null | undefined {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") return undefined;
  const t = parseIsoTimeFast(value);
  return Number.isNaN(t) ? undefined : t;
}
