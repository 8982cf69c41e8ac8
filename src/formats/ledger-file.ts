import { z } from "zod";
import type { Ledger } from "../core/types.js";
import { isoTime } from "../core/iso-time.js";
import { parseIsoTimeFast } from "./fast-iso-time.js";
import { pinPackagesSchema } from "./pin-packages.js";
import { isPins, isRecord, nonEmpty } from "./quick-checks.js";

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

/**
 * requested.json checked by hand: a committing run reads a ledger of tens of
 * thousands of requests every time. Returns null for anything it is not
 * sure of; the caller then asks ledgerFileSchema, which decides and words
 * the problem. A property test holds the two together.
 */
export function quickLedgerFile(value: unknown): Ledger | null {
  if (!isRecord(value) || value.format !== LEDGER_FORMAT || !Array.isArray(value.batches) || !Array.isArray(value.requests)) return null;
  const batches = value.batches as unknown[];
  if (!batches.every((b) => typeof b === "string")) return null;
  const entries: Ledger["entries"] = [];
  for (const item of value.requests as unknown[]) {
    if (!isRecord(item)) return null;
    const { suite, arch, package: pkg, trigger, triggers, pinPackages, huge, requestedAt, batch } = item;
    if (!nonEmpty(suite) || !nonEmpty(arch) || !nonEmpty(pkg) || !nonEmpty(trigger) || !nonEmpty(triggers) || !isPins(pinPackages) || typeof huge !== "boolean" || typeof batch !== "string") return null;
    const at = typeof requestedAt === "string" ? parseIsoTimeFast(requestedAt) : Number.NaN;
    if (Number.isNaN(at)) return null;
    entries.push({ suite, arch, package: pkg, trigger, triggers, pinPackages, huge, requestedAt: at, batch });
  }
  return { batches: batches as string[], entries };
}

/** The ledger, by the fast path when it is sure, else by zod (which also words the problem). */
export const ledgerFileReader = {
  safeParse(value: unknown) {
    const quick = quickLedgerFile(value);
    return quick !== null ? { success: true as const, data: quick } : ledgerFileSchema.safeParse(value);
  },
};

export function ledgerToFile(ledger: Ledger): unknown {
  return {
    format: LEDGER_FORMAT,
    batches: ledger.batches,
    requests: ledger.entries.map(requestOfFile),
  };
}

/** A request as the file holds it: the ledger's fields, named one by one (a literal, not a spread: see entryOf in core/ledger.ts), the time as text. */
function requestOfFile(entry: Ledger["entries"][number]): unknown {
  return { suite: entry.suite, arch: entry.arch, package: entry.package, trigger: entry.trigger, triggers: entry.triggers, pinPackages: entry.pinPackages, huge: entry.huge, requestedAt: timeOfFile(entry.requestedAt), batch: entry.batch };
}

/** The last time written and its text: a ledger's requests share a few batch times. */
let lastTime = Number.NaN;
let lastText = "";

function timeOfFile(ms: number): string {
  if (ms !== lastTime) {
    lastText = isoTime(ms);
    lastTime = ms;
  }
  return lastText;
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
