import { z } from "zod";
import type { Ledger } from "../core/types.js";
import { isoTime } from "../core/iso-time.js";
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
    requests: ledger.entries.map(requestOfFile),
  };
}

function requestOfFile(entry: Ledger["entries"][number]): unknown {
  return { ...entry, requestedAt: isoTime(entry.requestedAt) };
}

/** About how much text `ledgerFileChunks` gathers before it yields. */
const CHUNK_CHARS = 1 << 16;

/**
 * The ledger file as `JSON.stringify(ledgerToFile(ledger))` writes it, in
 * pieces of about 64 KiB: a ledger of a hundred thousand requests is never
 * one string, and a generic streaming serialiser took a third of a second
 * for it.
 */
export function* ledgerFileChunks(ledger: Ledger): Generator<string> {
  let chunk = `{"format":${JSON.stringify(LEDGER_FORMAT)},"batches":${JSON.stringify(ledger.batches)},"requests":[`;
  for (let i = 0; i < ledger.entries.length; i++) {
    chunk += (i === 0 ? "" : ",") + JSON.stringify(requestOfFile(ledger.entries[i]!));
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = "";
    }
  }
  yield `${chunk}]}`;
}
