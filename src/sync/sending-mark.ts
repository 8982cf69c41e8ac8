import { readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import { isoTime } from "../formats/timestamps.js";
import { writeFileAtomic } from "../store/atomic-write.js";

/**
 * `outbox/sending/NAME`: written, durably, before the first POST of batch
 * NAME, and removed once the batch is sent or refused. While it exists the
 * service may hold some of the batch's jobs, so the batch is never POSTed
 * again blindly: submit first asks which jobs the service created since
 * `firstAttemptAt` (see delivered.ts). The batch itself stays in outbox/
 * meanwhile, where the module counts it as not yet sent.
 */
export interface SendingMark {
  /** This side's time of the first attempt whose outcome is not known. */
  firstAttemptAt: number;
  /** How many runs of submit have tried this batch. */
  attempts: number;
  endpoint: "suite" | "batch";
}

const markSchema = z.object({
  firstAttemptAt: isoTime,
  attempts: z.number().int().min(1).max(1_000_000),
  endpoint: z.enum(["suite", "batch"]),
});

export const sendingPath = (outbox: string, name: string) => join(outbox, "sending", name);

/**
 * The mark of batch `name`, or null when it has none. A mark that cannot be
 * read still says an attempt was made: it counts as one made at `fallback`
 * less a day, so the check asks back further rather than less far.
 */
export async function readSendingMark(outbox: string, name: string, fallbackAt: number): Promise<{ mark: SendingMark | null; problem: string | null }> {
  let text: string;
  try {
    text = await readFile(sendingPath(outbox, name), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { mark: null, problem: null };
    throw error;
  }
  try {
    const parsed = markSchema.parse(JSON.parse(text));
    return { mark: { firstAttemptAt: parsed.firstAttemptAt, attempts: parsed.attempts, endpoint: parsed.endpoint }, problem: null };
  } catch (error) {
    const problem = `${sendingPath(outbox, name)} is not a valid mark (${(error as Error).message.split("\n")[0]}): taken as an attempt a day before now`;
    return { mark: { firstAttemptAt: fallbackAt - 86_400_000, attempts: 1, endpoint: "suite" }, problem };
  }
}

export async function writeSendingMark(outbox: string, name: string, mark: SendingMark): Promise<void> {
  const file = { firstAttemptAt: new Date(mark.firstAttemptAt).toISOString(), attempts: mark.attempts, endpoint: mark.endpoint };
  await writeFileAtomic(sendingPath(outbox, name), `${JSON.stringify(file)}\n`);
}

export async function removeSendingMark(outbox: string, name: string): Promise<void> {
  await unlink(sendingPath(outbox, name)).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
  });
}
