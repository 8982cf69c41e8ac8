import { batchRequests } from "./batches.js";
import { KeyMap, KeyNumbers, isRunTrigger, type KeyPlace } from "./key-numbers.js";
import { isRejected, type RejectList } from "./reject-list.js";
import { Overtaking } from "./overtaking.js";
import { MAX_CLOCK_SKEW_MS } from "./retention.js";
import { RunStore } from "./run-store.js";
import { splitTriggers } from "./trigger.js";
import type { Ledger, LedgerEntry, Observation, OutboxBatch, PendingEntry, PendingSnapshot, RefusedRequest, RunBrief, TestKey } from "./types.js";

/** Everything the module knows, as loaded from the state directory: plain data. */
export interface Knowledge {
  /** The latest observation of each run. */
  runs: RunStore;
  pending: PendingSnapshot | null;
  ledger: Ledger;
  outbox: OutboxBatch[];
  rejectList: RejectList;
  /** Requests the CI service refused (outbox/rejected/*.reason.json). */
  refusals: RefusedRequest[];
}

export function emptyKnowledge(): Knowledge {
  return { runs: new RunStore(), pending: null, ledger: { entries: [], batches: [] }, outbox: [], rejectList: {}, refusals: [] };
}

/**
 * A key with no run: one list for all, never written to. Not frozen: the
 * answering loops over a frozen array made an iterator object each time
 * (280 bytes a need), the read-only type keeps writers away.
 */
const NO_RUNS: readonly RunBrief[] = [];

/** Groups up to this many runs are scanned; larger ones get a trigger index. */
const LARGE_GROUP = 32;
/** Positions within one group fit below this (a group is one package on one arch: far fewer runs). */
const GROUP_SLOTS = 2 ** 24;

/**
 * What the pending snapshot, the ledger, the outbox and the CI service's
 * refusals say about one test key: one lookup finds all four.
 */
export interface KeyRecord {
  /** Snapshot entries listing the key (a run for several triggers lists each). */
  pending: PendingEntry[];
  /** This side's latest request for the key. */
  request?: LedgerEntry;
  /** Set when a batch still in the outbox carries the key: the batch's time. */
  unsentSince?: number | null;
  /** The service's latest refusal of the key. */
  refusal?: RefusedRequest;
}

/** Lookups by test key over a Knowledge, built once per run. */
export class KnowledgeIndex {
  /** Group, trigger and key numbers (KeyNumbers), found once per question. */
  readonly numbers: KeyNumbers;
  /** Groups numbered below this have runs; the rest are known only from requests and the snapshot. */
  private readonly runGroups: number;
  /**
   * Runs grouped by (suite, arch, package), as compressed rows: group g's
   * run-store rows are rowsByGroup[groupStart[g] .. groupStart[g+1]), with
   * their trigger ids beside them, in trigger id order within the group.
   * A key's runs are found by binary search over its package's entries,
   * sequentially in memory: far cheaper to build and hold than an index
   * per test key. (Which run answers never depends on this order: runs
   * are compared by time, then run id.)
   */
  private readonly groupStart: Uint32Array;
  private readonly rowsByGroup: Uint32Array;
  private readonly triggerByGroup: Uint32Array;
  /**
   * 1 for a group holding a run for several triggers, whose trigger id
   * stands for none of them. Every other group's entries are sorted by
   * trigger id, so a key's runs are found by binary search with no index.
   */
  private readonly multiTriggerGroups: Uint8Array;
  readonly pendingRunIds = new Set<number>();
  /** By key number (KeyNumbers): only keys something besides runs mentions. */
  private readonly records: KeyMap<KeyRecord>;
  private readonly triggerIndexes = new Map<number, Float64Array>();
  private readonly hasRejectList: boolean;
  /** By the overtakenBy setting: built on first use, as most plans judge no waiting run. */
  private readonly overtakings = new Map<number, Overtaking>();
  private readonly hugeOvertakings = new Map<number, Overtaking>();

  constructor(readonly knowledge: Knowledge) {
    const store = knowledge.runs;
    this.numbers = new KeyNumbers(store);
    this.hasRejectList = Object.keys(knowledge.rejectList).length > 0;
    // Mostly one key per snapshot entry, its ledger request the same key: room for the entries, not for both.
    this.records = new KeyMap<KeyRecord>(Math.max(knowledge.pending?.entries.length ?? 0, knowledge.ledger.entries.length));
    const grouped = groupRows(store, this.numbers);
    this.runGroups = grouped.groupStart.length - 1;
    this.groupStart = grouped.groupStart;
    this.rowsByGroup = grouped.rowsByGroup;
    this.triggerByGroup = grouped.triggerByGroup;
    this.multiTriggerGroups = grouped.multiTriggerGroups;
    for (const entry of knowledge.pending?.entries ?? []) {
      this.pendingRunIds.add(entry.runId);
      const trigger = entry.trigger;
      // One trigger, the common case: the entry is its own key, with no split, set or copy.
      if (trigger !== null && trigger.length > 0 && !trigger.includes(" ")) this.recordOf(entry as TestKey).pending.push(entry);
      else for (const single of new Set(splitTriggers(trigger))) this.recordOf({ ...entry, trigger: single }).pending.push(entry);
    }
    for (const entry of knowledge.ledger.entries) {
      const record = this.recordOf(entry);
      if (record.request === undefined || record.request.requestedAt < entry.requestedAt) record.request = entry;
    }
    for (const batch of knowledge.outbox) {
      if (batch.place !== "outbox" || batch.body === null) continue;
      for (const request of batchRequests(batch.body, batch.huge)) this.recordOf(request).unsentSince = batch.requestedAt;
    }
    for (const refusal of knowledge.refusals) {
      const record = this.recordOf(refusal);
      if (record.refusal === undefined || record.refusal.refusedAt < refusal.refusedAt) record.refusal = refusal;
    }
  }

  /** The record of a key something besides runs mentions, made on first mention. */
  private recordOf(key: TestKey): KeyRecord {
    const place = this.numbers.place(key, true);
    let record = this.records.get(place);
    if (record === undefined) {
      record = { pending: [] };
      this.records.set(place, record);
    }
    return record;
  }

  /** A key's numbers, found once per question and passed to the lookups below. */
  place(key: TestKey): KeyPlace {
    return this.numbers.place(key);
  }

  /** What the snapshot, ledger, outbox and refusals say of the key; undefined when none mentions it. */
  record(place: KeyPlace): KeyRecord | undefined {
    return this.records.get(place);
  }

  /** The span of rowsByGroup holding a package's runs on an arch ([0, 0) when none). */
  private span(suite: string, arch: string, pkg: string): [number, number] {
    const group = this.numbers.group(suite, arch, pkg);
    return group < 0 || group >= this.runGroups ? [0, 0] : [this.groupStart[group]!, this.groupStart[group + 1]!];
  }

  /**
   * The runs whose trigger list holds the key's trigger (as much of each as
   * answering needs). Read only: a key with no run gets one shared empty
   * list, and one with a single run a list of one, not a growable list
   * (most keys a run asks about have one run or none).
   */
  runsFor(key: TestKey, place: KeyPlace = this.place(key)): readonly RunBrief[] {
    const store = this.knowledge.runs;
    const wanted = place.trigger;
    const group = place.group;
    // Triggers numbered by KeyNumbers alone, and groups past runGroups, have no run.
    if (!isRunTrigger(wanted) || group < 0 || group >= this.runGroups) return NO_RUNS;
    const from = this.groupStart[group]!;
    const to = this.groupStart[group + 1]!;
    if (this.multiTriggerGroups[group] === 0) {
      const triggers = this.triggerByGroup;
      let lo = from;
      let hi = to;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (triggers[mid]! < wanted) lo = mid + 1;
        else hi = mid;
      }
      let end = lo;
      while (end < to && triggers[end] === wanted) end++;
      return this.briefs(lo, end);
    }
    if (to - from <= LARGE_GROUP || to - from >= GROUP_SLOTS) {
      const out: RunBrief[] = [];
      for (let at = from; at < to; at++) {
        const id = this.triggerByGroup[at]!;
        if (id === wanted || (store.isMultiTrigger(id) && store.triggerCountsFor(id, wanted))) out.push(store.brief(this.rowsByGroup[at]!));
      }
      return out.length === 0 ? NO_RUNS : out;
    }
    // A package tested against hundreds of triggers: look the trigger up instead of scanning them all.
    const index = this.triggerIndex(group, from, to);
    const low = wanted * GROUP_SLOTS;
    let lo = 0;
    let hi = index.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (index[mid]! < low) lo = mid + 1;
      else hi = mid;
    }
    let end = lo;
    while (end < index.length && index[end]! < low + GROUP_SLOTS) end++;
    if (end === lo) return NO_RUNS;
    if (end === lo + 1) return [store.brief(this.rowsByGroup[from + (index[lo]! - low)]!)];
    const out: RunBrief[] = [];
    for (let k = lo; k < end; k++) out.push(store.brief(this.rowsByGroup[from + (index[k]! - low)]!));
    return out;
  }

  /** The runs of rowsByGroup[from, to) as briefs: the shared empty list, a list of one, or a list of all. */
  private briefs(from: number, to: number): readonly RunBrief[] {
    const store = this.knowledge.runs;
    if (to === from) return NO_RUNS;
    if (to === from + 1) return [store.brief(this.rowsByGroup[from]!)];
    const out: RunBrief[] = [];
    for (let at = from; at < to; at++) out.push(store.brief(this.rowsByGroup[at]!));
    return out;
  }

  /**
   * A large group's rows sorted by trigger id, as numbers `trigger *
   * GROUP_SLOTS + position` in one typed array (a multi-trigger run under
   * each of its triggers, once), built the first time the group is asked
   * about: britney2 asks about few packages many times. A native numeric
   * sort and a binary search, no map or array per trigger: at 5M results
   * the maps cost more than the answers.
   */
  private triggerIndex(group: number, from: number, to: number): Float64Array {
    let index = this.triggerIndexes.get(group);
    if (index === undefined) {
      const store = this.knowledge.runs;
      const entries: number[] = [];
      for (let at = from; at < to; at++) {
        const id = this.triggerByGroup[at]!;
        if (!store.isMultiTrigger(id)) entries.push(id * GROUP_SLOTS + (at - from));
        else {
          const parts = store.triggerPartsOf(id);
          for (let k = 0; k < parts.length; k++) if (parts[k]! >= 0 && parts.indexOf(parts[k]!) === k) entries.push(parts[k]! * GROUP_SLOTS + (at - from)); // each trigger once
        }
      }
      index = Float64Array.from(entries).sort();
      this.triggerIndexes.set(group, index);
    }
    return index;
  }

  /** Every run of a package on an arch, whatever the trigger. */
  runsForPackage(suite: string, arch: string, pkg: string): Observation[] {
    const [from, to] = this.span(suite, arch, pkg);
    const out: Observation[] = [];
    for (let at = from; at < to; at++) out.push(this.knowledge.runs.observation(this.rowsByGroup[at]!));
    return out;
  }

  /** How many distinct test keys the runs answer (for the report): distinct triggers per package group, as ids. */
  countKeys(): number {
    const store = this.knowledge.runs;
    let keys = 0;
    const triggers = new Set<number>();
    for (let group = 0; group + 1 < this.groupStart.length; group++) {
      triggers.clear();
      for (let at = this.groupStart[group]!; at < this.groupStart[group + 1]!; at++) {
        const id = this.triggerByGroup[at]!;
        if (store.isMultiTrigger(id)) for (const part of store.triggerPartsOf(id)) triggers.add(part);
        else if (id !== 0) triggers.add(id);
      }
      keys += triggers.size;
    }
    return keys;
  }

  /**
   * How far each queue has moved past a run (see overtaking.ts), counting n
   * later runs: all runs, for a normal request's run; for a huge one's,
   * only the runs of huge requests (their own, lower, queue), found from
   * the huge batches sent and the ledger's huge requests.
   */
  overtaking(n: number, huge: boolean): Overtaking {
    const cache = huge ? this.hugeOvertakings : this.overtakings;
    let view = cache.get(n);
    if (view === undefined) cache.set(n, (view = huge ? Overtaking.ofRuns(this.hugeRuns(), n) : Overtaking.ofStore(this.knowledge.runs, n)));
    return view;
  }

  /** The finished runs made for huge requests: runs of a key requested huge, created after that request (less clock skew). */
  private *hugeRuns(): Generator<{ suite: string; arch: string; createdAt: number; finishedAt: number }> {
    const seen = new Set<number>();
    const requests: Array<{ key: TestKey; requestedAt: number }> = [];
    for (const batch of this.knowledge.outbox) {
      if (!batch.huge || batch.place !== "sent" || batch.body === null || batch.requestedAt === null) continue;
      for (const request of batchRequests(batch.body, true)) requests.push({ key: request, requestedAt: batch.requestedAt });
    }
    for (const entry of this.knowledge.ledger.entries) if (entry.huge) requests.push({ key: entry, requestedAt: entry.requestedAt });
    for (const { key, requestedAt } of requests) {
      for (const run of this.runsFor(key)) {
        if (run.status === null || run.createdAt === null || run.updatedAt === null || run.createdAt < requestedAt - MAX_CLOCK_SKEW_MS || seen.has(run.runId)) continue;
        seen.add(run.runId);
        yield { suite: key.suite, arch: key.arch, createdAt: run.createdAt, finishedAt: run.updatedAt };
      }
    }
  }

  /** Whether a batch still in the outbox carries the key. */
  isUnsent(place: KeyPlace): boolean {
    return this.record(place)?.unsentSince !== undefined;
  }

  isRejected(key: TestKey): boolean {
    // No work for an empty reject list, the common case.
    return this.hasRejectList && isRejected(this.knowledge.rejectList, key);
  }
}

/** A store's rows in group order (see KnowledgeIndex.groupStart): group, then trigger id, then row. */
interface GroupedRows {
  groupStart: Uint32Array;
  rowsByGroup: Uint32Array;
  triggerByGroup: Uint32Array;
  multiTriggerGroups: Uint8Array;
}

/**
 * Rows ordered by group, then trigger id, then row: two stable counting
 * sorts, by trigger id first. Each pass is its own small function: this
 * runs once a process, and one large function ran its loops several times
 * slower on that first call than small ones.
 */
function groupRows(store: RunStore, numbers: KeyNumbers): GroupedRows {
  const groupOfRow = new Uint32Array(store.size);
  const counts = countGroups(store, numbers, groupOfRow);
  const groupStart = new Uint32Array(counts.length + 1);
  for (let g = 0; g < counts.length; g++) groupStart[g + 1] = groupStart[g]! + counts[g]!;
  const grouped = { groupStart, rowsByGroup: new Uint32Array(store.size), triggerByGroup: new Uint32Array(store.size), multiTriggerGroups: new Uint8Array(counts.length) };
  distributeRows(store, rowsInTriggerOrder(store), groupOfRow, grouped);
  return grouped;
}

/** Numbers each row's group into `groupOfRow`; returns how many rows each group has. */
function countGroups(store: RunStore, numbers: KeyNumbers, groupOfRow: Uint32Array): number[] {
  const counts: number[] = [];
  for (let row = 0; row < store.size; row++) {
    const group = numbers.groupOfRow(row);
    if (group === counts.length) counts.push(0);
    groupOfRow[row] = group;
    counts[group]!++;
  }
  return counts;
}

/** The rows stably sorted by trigger id (a counting sort). */
function rowsInTriggerOrder(store: RunStore): Uint32Array {
  let maxTrigger = 0;
  for (let row = 0; row < store.size; row++) maxTrigger = Math.max(maxTrigger, store.triggerIdOf(row));
  const byTrigger = new Uint32Array(maxTrigger + 2);
  for (let row = 0; row < store.size; row++) byTrigger[store.triggerIdOf(row) + 1]!++;
  for (let t = 1; t < byTrigger.length; t++) byTrigger[t]! += byTrigger[t - 1]!;
  const order = new Uint32Array(store.size);
  for (let row = 0; row < store.size; row++) order[byTrigger[store.triggerIdOf(row)]!++] = row;
  return order;
}

/** Puts each row, in trigger order, at the next place of its group (a stable counting sort by group). */
function distributeRows(store: RunStore, triggerOrder: Uint32Array, groupOfRow: Uint32Array, grouped: GroupedRows): void {
  const fill = grouped.groupStart.slice(0, grouped.multiTriggerGroups.length);
  for (let k = 0; k < triggerOrder.length; k++) {
    const row = triggerOrder[k]!;
    const group = groupOfRow[row]!;
    const at = fill[group]!++;
    const id = store.triggerIdOf(row);
    grouped.rowsByGroup[at] = row;
    grouped.triggerByGroup[at] = id;
    if (store.isMultiTrigger(id)) grouped.multiTriggerGroups[group] = 1;
  }
}
