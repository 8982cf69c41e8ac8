import { z } from "zod";
import type { PendingSnapshot } from "../core/types.js";
import { runIdSchema } from "./run-id.js";
import { isoTime } from "./timestamps.js";
import { isRecord, isRunIdNumber, nonEmpty, quickTime } from "./quick-checks.js";

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
    since: isoTime.optional(),
    pending: z.array(pendingEntrySchema),
  })
  .transform(
    (s): PendingSnapshot => ({
      generatedAt: s.generated_at,
      since: s.since ?? null,
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

/**
 * pending.json checked by hand: a snapshot holds tens of thousands of
 * entries and is read every run. Returns null for anything it is not sure
 * of; the caller then asks pendingSnapshotSchema, which decides and words
 * the problem. A property test holds the two together.
 */
export function quickPendingSnapshot(value: unknown): PendingSnapshot | null {
  if (!isRecord(value)) return null;
  const s = value;
  const generatedAt = quickTime(s.generated_at);
  if (generatedAt === undefined || generatedAt === null || !Array.isArray(s.pending)) return null;
  const since = s.since === undefined ? null : quickTime(s.since);
  if (since === undefined || (since === null && s.since !== undefined)) return null;
  const entries: PendingSnapshot["entries"] = [];
  for (const item of s.pending as unknown[]) {
    if (!isRecord(item)) return null;
    const e = item;
    const runId = e.run_id;
    if (!isRunIdNumber(runId)) return null;
    if (!nonEmpty(e.package) || !nonEmpty(e.arch) || !nonEmpty(e.suite)) return null;
    if (e.trigger !== null && typeof e.trigger !== "string") return null;
    const createdAt = quickTime(e.created_at);
    if (createdAt === undefined) return null;
    entries.push({ runId, suite: e.suite, arch: e.arch, package: e.package, trigger: e.trigger as string | null, createdAt });
  }
  return { generatedAt, since, entries };
}

/** The snapshot, by the fast path when it is sure, else by zod (which also words the problem). */
export const pendingSnapshotReader = {
  safeParse(value: unknown) {
    const quick = quickPendingSnapshot(value);
    return quick !== null ? { success: true as const, data: quick } : pendingSnapshotSchema.safeParse(value);
  },
};
