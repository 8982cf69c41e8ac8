import { isRejected, type RejectList } from "./reject-list.js";
import { keyId, packageId } from "./test-key.js";
import { splitTriggers } from "./trigger.js";
import type { Ledger, LedgerEntry, Observation, OutboxBatch, PendingEntry, PendingSnapshot, TestKey } from "./types.js";
import { keyTrigger } from "./trigger.js";

/** Everything the module knows, as loaded from the state directory: plain data. */
export interface Knowledge {
  /** The latest observation of each run. */
  runs: Map<number, Observation>;
  pending: PendingSnapshot | null;
  ledger: Ledger;
  outbox: OutboxBatch[];
  rejectList: RejectList;
}

export function emptyKnowledge(): Knowledge {
  return { runs: new Map(), pending: null, ledger: { entries: [], batches: [] }, outbox: [], rejectList: {} };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

/** Lookups by test key over a Knowledge, built once per run. */
export class KnowledgeIndex {
  readonly runsByKey = new Map<string, Observation[]>();
  readonly runsByPackage = new Map<string, Observation[]>();
  readonly pendingByKey = new Map<string, PendingEntry[]>();
  readonly pendingRunIds = new Set<number>();
  readonly ledgerByKey = new Map<string, LedgerEntry>();
  /** Keys carried by a batch still waiting in the outbox, with the batch's time. */
  readonly unsentKeys = new Map<string, number | null>();

  constructor(readonly knowledge: Knowledge) {
    for (const run of knowledge.runs.values()) {
      push(this.runsByPackage, packageId(run.suite, run.arch, run.package), run);
      for (const trigger of new Set(splitTriggers(run.trigger))) {
        push(this.runsByKey, keyId({ ...run, trigger }), run);
      }
    }
    for (const entry of knowledge.pending?.entries ?? []) {
      this.pendingRunIds.add(entry.runId);
      for (const trigger of new Set(splitTriggers(entry.trigger))) {
        push(this.pendingByKey, keyId({ ...entry, trigger }), entry);
      }
    }
    for (const entry of knowledge.ledger.entries) {
      const id = keyId(entry);
      const current = this.ledgerByKey.get(id);
      if (current === undefined || current.requestedAt < entry.requestedAt) this.ledgerByKey.set(id, entry);
    }
    for (const batch of knowledge.outbox) {
      if (batch.place !== "outbox" || batch.body === null) continue;
      for (const group of batch.body) {
        for (const arch of group.arch) {
          for (const test of group.tests) {
            const trigger = keyTrigger(test.trigger);
            if (trigger !== undefined) this.unsentKeys.set(keyId({ suite: group.suite, arch, package: test.package, trigger }), batch.requestedAt);
          }
        }
      }
    }
  }

  // Lookups take the key's id (keyId), built once per question by the caller.
  runsFor(id: string): Observation[] {
    return this.runsByKey.get(id) ?? [];
  }

  pendingFor(id: string): PendingEntry[] {
    return this.pendingByKey.get(id) ?? [];
  }

  requestFor(id: string): LedgerEntry | undefined {
    return this.ledgerByKey.get(id);
  }

  isUnsent(id: string): boolean {
    return this.unsentKeys.has(id);
  }

  /** The time of the unsent batch carrying the key: undefined when none does. */
  unsentSince(id: string): number | null | undefined {
    return this.unsentKeys.get(id);
  }

  isRejected(key: TestKey): boolean {
    return isRejected(this.knowledge.rejectList, key);
  }
}
