import { z } from "zod";
import type { Ledger } from "../core/types.js";
import { pinPackagesSchema } from "./pin-packages.js";

export const LEDGER_FORMAT = "debci-bridge-ledger/1";

/** requested.json, written only by committing runs. Times are ISO 8601 for people reading it. */
export const ledgerFileSchema = z
  .object({
    format: z.literal(LEDGER_FORMAT),
    batches: z.array(z.string()),
    requests: z.array(
      z.object({
        suite: z.string().min(1),
        arch: z.string().min(1),
        package: z.string().min(1),
        trigger: z.string().min(1),
        triggers: z.string().min(1),
        pinPackages: pinPackagesSchema,
        huge: z.boolean(),
        requestedAt: z.iso.datetime(),
        batch: z.string(),
      }),
    ),
  })
  .transform(
    (f): Ledger => ({
      batches: f.batches,
      entries: f.requests.map((r) => ({ ...r, requestedAt: Date.parse(r.requestedAt) })),
    }),
  );

export function ledgerToFile(ledger: Ledger): unknown {
  return {
    format: LEDGER_FORMAT,
    batches: ledger.batches,
    requests: ledger.entries.map((e) => ({ ...e, requestedAt: new Date(e.requestedAt).toISOString() })),
  };
}
