import { z } from "zod";

/** debci-bridge.json in the state directory; unknown keys are errors, since a typo would silently do nothing. */
export const settingsFileSchema = z.strictObject({
  suite: z.string().min(1).optional(),
  graceMinutes: z.number().nonnegative().optional(),
  pendingMaxAgeDays: z.number().positive().optional(),
  overtakenBy: z.union([z.number().int().min(1).max(1000), z.literal("off").transform(() => null)]).nullable().optional(),
  longestRunHours: z.number().positive().max(24 * 30).optional(),
  // null or "off": never (britney2's setting left unset).
  retryOlderThanDays: z.union([z.number().positive(), z.literal("off").transform(() => null)]).nullable().optional(),
  baseline: z.enum(["reference", "any"]).optional(),
  refusedRetryDays: z.number().positive().optional(),
  referenceMaxAgeDays: z.union([z.number().positive(), z.literal("off").transform(() => null)]).nullable().optional(),
  maxFileBytes: z.number().int().min(1024).max(4 * 1024 ** 3).optional(),
  wait: z.number().min(0).max(86_400).optional(),
  staleAfterHours: z.number().positive().max(24 * 365).optional(),
  allowIncomplete: z.boolean().optional(),
  // An http(s) address, no credentials: it is put into links people click.
  ciUrl: z
    .url({ protocol: /^https?$/ })
    .refine((u) => !/^[a-z]+:\/\/[^/]*@/i.test(u), "must not hold credentials")
    .nullable()
    .optional(),
  serviceSuites: z.array(z.string().min(1)).min(1).nullable().optional(),
  serviceArches: z.array(z.string().min(1)).min(1).nullable().optional(),
  // britney2's configuration, whose rules this run then follows (relative: to this file's directory).
  britneyConf: z.string().min(1).optional(),
});
