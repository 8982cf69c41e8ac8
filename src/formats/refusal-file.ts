import { z } from "zod";
import { isoTime } from "./timestamps.js";

/**
 * `outbox/rejected/NAME.reason.json`, written by submit beside the refused
 * part of batch NAME: when the CI service refused it and, per entry, its
 * message. `problem` is set when the file was not a batch at all.
 */
export const refusalFileSchema = z.object({
  refusedAt: isoTime,
  problem: z.string().optional(),
  entries: z.array(
    z.object({
      suite: z.string().min(1),
      arch: z.string().min(1),
      package: z.string().min(1),
      trigger: z.string().min(1),
      message: z.string(),
    }),
  ),
});

/** The file as written (times as ISO strings). */
export interface RefusalFile {
  refusedAt: string;
  problem?: string;
  entries: Array<{ suite: string; arch: string; package: string; trigger: string; message: string }>;
}

/** `20261125T120000Z-3f9a1c2b.json` → `20261125T120000Z-3f9a1c2b.reason.json`: not a batch name, so no reader takes it for one. */
export function refusalFileName(batch: string): string {
  return `${batch.replace(/\.json$/, "")}.reason.json`;
}

export const REFUSAL_FILE = /\.reason\.json$/;
