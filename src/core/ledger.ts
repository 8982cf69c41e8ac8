import { batchRequests, type PlannedBatch } from "./batches.js";
import { keyId } from "./test-key.js";
import type { Ledger, LedgerEntry, OutboxBatch } from "./types.js";

/** Keeps the latest request per test key. */
function upsert(byKey: Map<string, LedgerEntry>, entry: LedgerEntry): boolean {
  const id = keyId(entry);
  const current = byKey.get(id);
  if (current !== undefined && current.requestedAt >= entry.requestedAt) return false;
  byKey.set(id, entry);
  return true;
}

function toLedger(byKey: Map<string, LedgerEntry>, batches: string[]): Ledger {
  // Sorted by the key strings the map already holds: none is made again per comparison.
  const entries = [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, entry]) => entry);
  return { entries, batches };
}

function indexLedger(ledger: Ledger): Map<string, LedgerEntry> {
  const byKey = new Map<string, LedgerEntry>();
  for (const entry of ledger.entries) upsert(byKey, entry);
  return byKey;
}

/** The ledger after a commit wrote these batches at `now`. */
export function recordBatches(ledger: Ledger, batches: readonly PlannedBatch[], now: number): Ledger {
  const byKey = indexLedger(ledger);
  for (const batch of batches) {
    for (const need of batch.requests) {
      upsert(byKey, { ...need, requestedAt: now, batch: batch.name });
    }
  }
  return toLedger(byKey, [...ledger.batches, ...batches.map((b) => b.name)]);
}

/**
 * A commit writes its batch before the ledger, so a crash in between leaves
 * a batch the ledger does not know. Such batches are the record of what was
 * requested: fold them back in, so nothing is asked twice and nothing lost.
 */
export function repairLedger(ledger: Ledger, outbox: readonly OutboxBatch[]): { ledger: Ledger; repaired: string[] } {
  const known = new Set(ledger.batches);
  const orphans = outbox.filter((b) => !known.has(b.name) && b.body !== null && b.requestedAt !== null);
  if (orphans.length === 0) return { ledger, repaired: [] };
  const byKey = indexLedger(ledger);
  for (const batch of orphans) {
    for (const request of batchRequests(batch.body!, batch.huge)) upsert(byKey, { ...request, requestedAt: batch.requestedAt!, batch: batch.name });
  }
  const names = orphans.map((b) => b.name).sort();
  return { ledger: toLedger(byKey, [...ledger.batches, ...names]), repaired: names };
}

/**
 * Keeps the ledger from growing without end: drops the entries `keep`
 * rejects and forgets batch names no longer on disk (no repair can need them).
 */
export function pruneLedger(ledger: Ledger, keep: (entry: LedgerEntry) => boolean, batchesOnDisk: ReadonlySet<string>): Ledger {
  return { entries: ledger.entries.filter(keep), batches: ledger.batches.filter((name) => batchesOnDisk.has(name)) };
}
