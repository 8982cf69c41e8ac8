import { batchRequests, type PlannedBatch } from "./batches.js";
import { keyId } from "./test-key.js";
import type { Ledger, LedgerEntry, Need, OutboxBatch } from "./types.js";

/**
 * A need as a ledger entry: its own fields in their order, then when and in
 * which batch it was requested (as `{ ...need, requestedAt, batch }` makes
 * it). Object.assign, not a spread: a spread followed by more fields took
 * about 2.5 us a request here (a hundred thousand a commit), assign 0.3.
 * The two differ only for an own key named `__proto__`, which no need has:
 * needs are made with their fields named (toNeed, batchRequests, the
 * planner's reference request).
 */
function entryOf(need: Need, requestedAt: number, batch: string): LedgerEntry {
  // The request's own fields only: what britney2 said of the package (version, versions, testInTarget, again) is no part of
  // a request, and the ledger's reader never kept it (on the benchmark it was 4 of requested.json's 32 MB).
  return { suite: need.suite, arch: need.arch, package: need.package, trigger: need.trigger, triggers: need.triggers, pinPackages: need.pinPackages, huge: need.huge, requestedAt, batch };
}

/** Keeps the latest request per test key. */
function upsert(byKey: Map<string, LedgerEntry>, entry: LedgerEntry, id = keyId(entry)): boolean {
  const current = byKey.get(id);
  if (current !== undefined && current.requestedAt >= entry.requestedAt) return false;
  byKey.set(id, entry);
  return true;
}

/**
 * The ledger's entries in key order (keyId's text, compared as `<`
 * compares strings), each key once: a ledger is written in that order.
 * `sortedKeys`, when given, are keys of `byKey` already in that order
 * (the ledger as read, when it was so written): only the other keys are
 * sorted, and the two lists merged, rather than sorting the whole ledger
 * every commit.
 */
function toLedger(byKey: Map<string, LedgerEntry>, batches: string[], sortedKeys: readonly string[] = []): Ledger {
  const known = new Set(sortedKeys);
  const added: string[] = [];
  for (const key of byKey.keys()) if (!known.has(key)) added.push(key);
  // The built-in order of strings (UTF-16 code units, as `<` compares them): no comparator called per pair.
  added.sort();
  const entries: LedgerEntry[] = new Array<LedgerEntry>(byKey.size);
  let i = 0;
  let j = 0;
  for (let k = 0; k < entries.length; k++) {
    const key = j >= added.length || (i < sortedKeys.length && sortedKeys[i]! < added[j]!) ? sortedKeys[i++]! : added[j++]!;
    entries[k] = byKey.get(key)!;
  }
  return { entries, batches };
}

/** The ledger by key, and its keys in order when its entries are in strictly rising key order (see toLedger). */
function indexLedger(ledger: Ledger): { byKey: Map<string, LedgerEntry>; sortedKeys: string[] } {
  const byKey = new Map<string, LedgerEntry>();
  const keys: string[] = [];
  let sorted = true;
  for (const entry of ledger.entries) {
    const id = keyId(entry);
    if (keys.length > 0 && !(keys[keys.length - 1]! < id)) sorted = false;
    keys.push(id);
    upsert(byKey, entry, id);
  }
  return { byKey, sortedKeys: sorted ? keys : [] };
}

/** The ledger after a commit wrote these batches at `now`. */
export function recordBatches(ledger: Ledger, batches: readonly PlannedBatch[], now: number): Ledger {
  const { byKey, sortedKeys } = indexLedger(ledger);
  for (const batch of batches) {
    for (const need of batch.requests) {
      upsert(byKey, entryOf(need, now, batch.name));
    }
  }
  return toLedger(byKey, [...ledger.batches, ...batches.map((b) => b.name)], sortedKeys);
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
  const { byKey, sortedKeys } = indexLedger(ledger);
  for (const batch of orphans) {
    for (const request of batchRequests(batch.body!, batch.huge)) upsert(byKey, entryOf(request, batch.requestedAt!, batch.name));
  }
  const names = orphans.map((b) => b.name).sort();
  return { ledger: toLedger(byKey, [...ledger.batches, ...names], sortedKeys), repaired: names };
}

/**
 * Keeps the ledger from growing without end: drops the entries `keep`
 * rejects and forgets batch names no longer on disk (no repair can need them).
 */
export function pruneLedger(ledger: Ledger, keep: (entry: LedgerEntry) => boolean, batchesOnDisk: ReadonlySet<string>): Ledger {
  return { entries: ledger.entries.filter(keep), batches: ledger.batches.filter((name) => batchesOnDisk.has(name)) };
}
