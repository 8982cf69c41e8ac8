import { z } from "zod";
import type { PendingSnapshot } from "../core/types.js";
import { runIdSchema } from "./run-id.js";
import { isoTime } from "./timestamps.js";

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
