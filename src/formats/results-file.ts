import { z } from "zod";
import type { Observation } from "../core/types.js";
import { runIdSchema } from "./run-id.js";
import { isoTime, unixSeconds } from "./timestamps.js";

/** A body of `GET /api/v1/test?since=TS` (or britney2's debci.json, which lacks `until`). */
export const resultsFileSchema = z.object({
  since: unixSeconds.nullish(),
  until: unixSeconds.nullish(),
  results: z.array(z.unknown()),
});

/**
 * One result record; extra fields (date, duration_seconds, requestor, ...)
 * are allowed and dropped. A record without `suite` (britney2's own test
 * data) gets `defaultSuite`.
 */
export const resultRecordSchema = (defaultSuite: string) => z
  .object({
    run_id: runIdSchema,
    trigger: z.string().nullable(),
    package: z.string().min(1),
    arch: z.string().min(1),
    suite: z.string().min(1).default(defaultSuite),
    version: z.string().min(1).nullish(),
    status: z.enum(["pass", "fail", "neutral", "tmpfail"]).nullable(),
    created_at: isoTime.nullish(),
    updated_at: isoTime.nullish(),
  })
  .transform(
    (r): Observation => ({
      runId: r.run_id,
      suite: r.suite,
      arch: r.arch,
      package: r.package,
      version: r.version ?? null,
      status: r.status,
      trigger: r.trigger,
      createdAt: r.created_at ?? null,
      updatedAt: r.updated_at ?? null,
    }),
  );
