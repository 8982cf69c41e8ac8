import { z } from "zod";
import type { Observation } from "../core/types.js";
import { isRecord, isRunIdNumber, nonEmpty, quickTime } from "./quick-checks.js";
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

const STATUSES = new Set(["pass", "fail", "neutral", "tmpfail"]);

/**
 * The common case of resultRecordSchema, checked by hand: millions of
 * records are loaded per run, and zod costs more than reading them. Returns
 * null for anything it is not sure of; the caller then asks zod, which
 * decides and words the problem. A property test holds the two together.
 */
export function quickResultRecord(value: unknown, defaultSuite: string): Observation | null {
  if (!isRecord(value)) return null;
  const r = value;
  const runId = r.run_id;
  if (!isRunIdNumber(runId)) return null;
  const trigger = r.trigger;
  if (trigger !== null && typeof trigger !== "string") return null;
  const suite = r.suite === undefined ? defaultSuite : r.suite;
  if (!nonEmpty(r.package) || !nonEmpty(r.arch) || !nonEmpty(suite)) return null;
  const version = r.version;
  if (version !== undefined && version !== null && !nonEmpty(version)) return null;
  const status = r.status;
  if (status !== null && !(typeof status === "string" && STATUSES.has(status))) return null;
  const createdAt = quickTime(r.created_at);
  const updatedAt = quickTime(r.updated_at);
  if (createdAt === undefined || updatedAt === undefined) return null;
  return {
    runId,
    suite,
    arch: r.arch,
    package: r.package,
    version: version ?? null,
    status: status as Observation["status"],
    trigger,
    createdAt,
    updatedAt,
  };
}
