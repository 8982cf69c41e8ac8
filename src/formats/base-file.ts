import { z } from "zod";
import { TABLE_NAMES, type EncodedRun } from "../core/run-store.js";

/**
 * The base compact writes (store/base-file.ts): binary, its string tables
 * stored as they sit in memory. `debci-bridge-base/2` (binary, the tables
 * as JSON in its header) and `debci-bridge-base/1` (JSON lines) are still
 * read; the next compact writes the current format.
 */
export const BASE_FORMAT = "debci-bridge-base/3";
export const BINARY_V2_BASE_FORMAT = "debci-bridge-base/2";
export const JSONL_BASE_FORMAT = "debci-bridge-base/1";

/** A results file folded into the base: named with its size, so a file rewritten since is read again. */
export const foldedFileSchema = z.object({
  name: z.string().min(1),
  size: z.number().int().nonnegative(),
  since: z.number().nullable(),
  until: z.number().nullable(),
});

export type FoldedFile = z.infer<typeof foldedFileSchema>;

/** Line 1 of the compacted base. Times in epoch milliseconds. */
export const baseHeaderSchema = z.object({
  format: z.enum([BASE_FORMAT, BINARY_V2_BASE_FORMAT, JSONL_BASE_FORMAT]),
  compactedAt: z.number(),
  runs: z.number().int().nonnegative(),
  /** The highest `until` of the folded files: the newest result the base can vouch for. */
  until: z.number().nullish(),
  folded: z.array(foldedFileSchema),
});

export type BaseHeader = z.infer<typeof baseHeaderSchema>;

/** The string tables follow in chunks, in id order. */
export const baseTableLineSchema = z.object({
  table: z.enum(TABLE_NAMES as [string, ...string[]]),
  values: z.array(z.string()),
});

/** Then one run per line: [runId, suite, arch, package, version, status, trigger, createdAt, updatedAt]. */
export function isEncodedRun(value: unknown): value is EncodedRun {
  if (!Array.isArray(value) || value.length !== 9) return false;
  for (let i = 0; i < 7; i++) if (!Number.isSafeInteger(value[i]) || value[i] < 0) return false;
  return (value[7] === null || typeof value[7] === "number") && (value[8] === null || typeof value[8] === "number");
}

/** The binary base's header also holds the string tables, whole, in id order. */
export const binaryBaseHeaderSchema = baseHeaderSchema.extend({
  tables: z.strictObject(Object.fromEntries(TABLE_NAMES.map((t) => [t, z.array(z.string())])) as Record<(typeof TABLE_NAMES)[number], z.ZodArray<z.ZodString>>),
});

/** How large each stored string table of a `debci-bridge-base/3` is (StringTable's parts), and its few names with no UTF-8 form. */
const storedTableSchema = z.strictObject({
  bytes: z.number().int().nonnegative(),
  names: z.number().int().nonnegative(),
  slots: z.number().int().positive(),
  odd: z.array(z.tuple([z.number().int().positive(), z.string()])),
});

export type StoredTable = z.infer<typeof storedTableSchema>;

export const storedBaseHeaderSchema = baseHeaderSchema.extend({
  format: z.literal(BASE_FORMAT),
  tables: z.strictObject(Object.fromEntries(TABLE_NAMES.map((t) => [t, storedTableSchema])) as Record<(typeof TABLE_NAMES)[number], typeof storedTableSchema>),
});
