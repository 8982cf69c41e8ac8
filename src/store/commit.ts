import { join } from "node:path";
import { Readable } from "node:stream";
import type { PlannedBatch } from "../core/batches.js";
import { recordBatches } from "../core/ledger.js";
import type { Ledger } from "../core/types.js";
import { ledgerFileChunks } from "../formats/ledger-file.js";
import { writeFileAtomic } from "./atomic-write.js";
import { crashPoint } from "./faults.js";
import { timed, timedAsync } from "./phase-times.js";

export interface WrittenBatch {
  path: string;
  name: string;
  huge: boolean;
  tests: number;
}

function serialise(batch: PlannedBatch): string {
  return `${JSON.stringify(batch.body, null, 1)}\n`;
}

async function writeBatches(dir: string, batches: readonly PlannedBatch[]): Promise<WrittenBatch[]> {
  const written: WrittenBatch[] = [];
  for (const batch of batches) {
    const path = join(dir, batch.name);
    await writeFileAtomic(path, serialise(batch));
    written.push({ path, name: batch.name, huge: batch.huge, tests: batch.requests.length });
  }
  return written;
}

/**
 * A committing run's writes, in the order that makes a crash harmless:
 * batches first (each renamed into place whole), then the ledger. A crash
 * in between leaves batches the ledger does not know; the next load folds
 * them back in (repairLedger), so no request is lost or sent twice.
 */
export async function commitToState(outboxDir: string, ledgerPath: string, ledger: Ledger, batches: readonly PlannedBatch[], now: number, ledgerNeedsWrite: boolean): Promise<WrittenBatch[]> {
  const written = await timedAsync("write batches", () => writeBatches(outboxDir, batches));
  if (written.length > 0) crashPoint("after-batch");
  if (written.length > 0 || ledgerNeedsWrite) {
    const next = timed("record batches", () => recordBatches(ledger, batches, now));
    await timedAsync("write ledger", () => writeFileAtomic(ledgerPath, Readable.from(ledgerFileChunks(next)), "after-ledger-temp"));
    crashPoint("after-ledger");
  }
  return written;
}

/** An ad-hoc run's writes: the batches go to the scratch outbox, nothing else is touched. */
export async function commitToScratch(scratchDir: string, batches: readonly PlannedBatch[]): Promise<WrittenBatch[]> {
  return writeBatches(scratchDir, batches);
}
