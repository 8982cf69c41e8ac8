import { emptyKnowledge, KnowledgeIndex, type Knowledge } from "../../src/core/knowledge.js";
import { mergeObservations } from "../../src/core/observations.js";
import type { LedgerEntry, Observation, PendingEntry } from "../../src/core/types.js";

export const at = (iso: string) => Date.parse(iso);

export const KEY = { suite: "testing", arch: "amd64", package: "baz", trigger: "glibc/2.41-7" };

export function run(runId: number, status: Observation["status"], updated: string, extra: Partial<Observation> = {}): Observation {
  return { runId, suite: "testing", arch: "amd64", package: "baz", version: "4.5-1", status, trigger: KEY.trigger, createdAt: at(updated), updatedAt: at(updated), ...extra };
}

export function request(requested: string, extra: Partial<LedgerEntry> = {}): LedgerEntry {
  return { ...KEY, triggers: KEY.trigger, pinPackages: [], huge: false, requestedAt: at(requested), batch: "b.json", ...extra };
}

export function queued(runId: number, created: string, extra: Partial<PendingEntry> = {}): PendingEntry {
  return { runId, suite: "testing", arch: "amd64", package: "baz", trigger: KEY.trigger, createdAt: at(created), ...extra };
}

/** An index over hand-made knowledge: no files involved. */
export function indexOf(parts: { runs?: Observation[]; snapshotAt?: string; snapshotSince?: string; pending?: PendingEntry[]; requests?: LedgerEntry[] } & Partial<Pick<Knowledge, "rejectList" | "outbox">>): KnowledgeIndex {
  const knowledge = emptyKnowledge();
  mergeObservations(knowledge.runs, parts.runs ?? []);
  if (parts.snapshotAt !== undefined) knowledge.pending = { generatedAt: at(parts.snapshotAt), since: parts.snapshotSince === undefined ? null : at(parts.snapshotSince), entries: parts.pending ?? [] };
  knowledge.ledger = { entries: parts.requests ?? [], batches: [] };
  if (parts.rejectList) knowledge.rejectList = parts.rejectList;
  if (parts.outbox) knowledge.outbox = parts.outbox;
  return new KnowledgeIndex(knowledge);
}
