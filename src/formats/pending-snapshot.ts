import { z } from "zod";
import type { PendingSnapshot } from "../core/types.js";
import { runIdSchema } from "./run-id.js";
import { isoTime } from "./timestamps.js";
import { parseIsoTimeFast } from "./fast-iso-time.js";

const pendingEntrySchema = z.object({
  run_id: runIdSchema,
  package: z.string().min(1),
  arch: z.string().min(1),
  suite: z.string().min(1),
  trigger: z.string().nullable(),
  created_at: isoTime.nullish(),
});

/**
 * pending.json. Its worth is that it is complete, so one bad entry makes the
 * whole snapshot unusable rather than silently shorter.
 */
export const pendingSnapshotSchema = z
  .object({
    generated_at: isoTime,
    pending: z.array(pendingEntrySchema),
  })
  .transform(
    (s): PendingSnapshot => ({
      generatedAt: s.generated_at,
      entries: s.pending.map((e) => ({
        runId: e.run_id,
        suite: e.suite,
        arch: e.arch,
        package: e.package,
        trigger: e.trigger,
        createdAt: e.created_at ?? null,
      })),
    }),
  );

const name = (v: unknown): v is string => typeof v === "string" && v.length > 0;

/** A time field as the fast path reads it: absent or null is null; undefined when unsure (zod decides). */
function quickTime(v: unknown): number | null | undefined {
  if (v === undefined || v === null) return null;
  if (typeof v !== "string") return undefined;
  const t = parseIsoTimeFast(v);
  return Number.isNaN(t) ? undefined : t;
}

/**
 * pending.json checked by hand: a snapshot holds tens of thousands of
 * entries and is read every run. Returns null for anything it is not sure
 * of; the caller then asks pendingSnapshotSchema, which decides and words
 * the problem. A property test holds the two together.
 */
export function quickPendingSnapshot(value: unknown): PendingSnapshot | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const s = value as { generated_at?: unknown; pending?: unknown };
  const generatedAt = quickTime(s.generated_at);
  if (generatedAt === undefined || generatedAt === null || !Array.isArray(s.pending)) return null;
  const entries: PendingSnapshot["entries"] = [];
  for (const item of s.pending as unknown[]) {
    if (typeof item !== "object" || item === null || Array.isArray(item)) return null;
    const e = item as Record<string, unknown>;
    const runId = e.run_id;
    if (typeof runId !== "number" || !Number.isSafeInteger(runId) || runId < 0) return null;
    if (!name(e.package) || !name(e.arch) || !name(e.suite)) return null;
    if (e.trigger !== null && typeof e.trigger !== "string") return null;
    const createdAt = quickTime(e.created_at);
    if (createdAt === undefined) return null;
    entries.push({ runId, suite: e.suite, arch: e.arch, package: e.package, trigger: e.trigger as string | null, createdAt });
  }
  return { generatedAt, entries };
}

/** The snapshot, by the fast path when it is sure, else by zod (which also words the problem). */
export const pendingSnapshotReader = {
  safeParse(value: unknown) {
    const quick = quickPendingSnapshot(value);
    return quick !== null ? { success: true as const, data: quick } : pendingSnapshotSchema.safeParse(value);
  },
};
