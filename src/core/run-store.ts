import { compareObservations } from "./observations.js";
import { RunRows } from "./run-rows.js";
import { StringTable, type StringTableParts } from "./string-table.js";
import { splitTriggers } from "./trigger.js";
import type { Observation, RunBrief, RunStatus } from "./types.js";

const STATUSES: RunStatus[] = [null, "pass", "fail", "neutral", "tmpfail"];

export type TableName = "suites" | "arches" | "packages" | "versions" | "triggers";
export const TABLE_NAMES: readonly TableName[] = ["suites", "arches", "packages", "versions", "triggers"];

/** A run as numbers: [runId, suite, arch, package, version, status, trigger, createdAt, updatedAt]. */
export type EncodedRun = [number, number, number, number, number, number, number, number | null, number | null];

const STATUS_CODE = new Map<RunStatus, number>(STATUSES.map((s, i) => [s, i]));

/** A run of another store that this one knows as another run (see RunStore.mergeForeign), with where the other store met it first and last. */
export interface ForeignRun {
  observation: Observation;
  first: number;
  last: number;
}

/**
 * The latest observation of every run, stored as columns rather than one
 * object per run: millions of runs cost tens of bytes each, and names are
 * shared through a StringTable. Observations are made on demand, for the
 * few runs a question touches.
 */
/** A store's rows as columns: times in epoch ms (NaN for null), names as 1-based ids into the tables (0 for null). */
export interface RunColumns {
  runIds: Float64Array<ArrayBuffer>;
  created: Float64Array<ArrayBuffer>;
  updated: Float64Array<ArrayBuffer>;
  suites: Uint32Array<ArrayBuffer>;
  arches: Uint32Array<ArrayBuffer>;
  packages: Uint32Array<ArrayBuffer>;
  versions: Uint32Array<ArrayBuffer>;
  triggers: Uint32Array<ArrayBuffer>;
  statuses: Uint8Array<ArrayBuffer>;
}

/** The first index whose value is outside [min, max], or -1. A small function: its loop is optimised after a call or two (a base's columns are millions long). */
function firstOutside(column: Uint32Array | Uint8Array, min: number, max: number): number {
  for (let i = 0; i < column.length; i++) {
    const v = column[i]!;
    if (v < min || v > max) return i;
  }
  return -1;
}

/** The first index whose run id is not a safe whole number above the one before, or -1. */
function firstNotRising(runIds: Float64Array): number {
  let before = -1;
  for (let i = 0; i < runIds.length; i++) {
    const id = runIds[i]!;
    if (!(id > before) || !Number.isSafeInteger(id)) return i;
    before = id;
  }
  return -1;
}

/** One CI queue's finished runs (see RunStore.finishedQueues): creation second and end time, side by side. */
export interface FinishedQueue {
  suite: string;
  arch: string;
  createdSeconds: Float64Array;
  finished: Float64Array;
}

export class RunStore {
  // One table per column keeps suite and arch ids small: KeyNumbers finds a group by (suite, arch) pair and package id.
  // Replaced whole by adoptTableParts (a base's tables, taken as they are stored).
  private suiteNames = new StringTable();
  private archNames = new StringTable();
  private packageNames = new StringTable();
  private versionNames = new StringTable();
  private triggerNames = new StringTable();
  private readonly triggerLists = new Map<number, string[]>();
  /**
   * For trigger strings holding several triggers, the ids of each (as single
   * trigger strings): partIds[partsAt[id] .. partsAt[id] + partsCount[id]).
   * Typed arrays rather than a map: this is tested for every run scanned.
   */
  private partsAt = new Uint32Array(1024);
  private partsCount = new Uint16Array(1024);
  private partIds = new Int32Array(1024);
  private partsUsed = 0;
  private readonly rowOf = new RunRows();
  /**
   * Rows [0, sortedRows) hold strictly increasing run ids and are found by
   * binary search instead of rowOf: a compacted base is written in run-id
   * order, and a million map entries cost more to build than they save.
   */
  private sortedRows = 0;
  private count = 0;
  private capacity = 0;
  private runIds = new Float64Array(0);
  private suites = new Uint32Array(0);
  private arches = new Uint32Array(0);
  private packages = new Uint32Array(0);
  private versions = new Uint32Array(0);
  private triggers = new Uint32Array(0);
  private statuses = new Uint8Array(0);
  private created = new Float64Array(0);
  private updated = new Float64Array(0);
  /**
   * Where each row's run was first met, and last met as the same run:
   * sources in load order (0 the compacted base, k the k-th results file
   * read). The first says which record came first when one run id turns up
   * as two runs (see merge); the last bounds where to look again for a
   * run's records (load-results.ts). Written once per record, never read
   * for an ordinary one.
   */
  private firstSources = new Uint32Array(0);
  private lastSources = new Uint32Array(0);

  get size(): number {
    return this.count;
  }

  /** The row holding a run, if known. */
  private findRow(runId: number): number | undefined {
    const row = this.rowOf.get(runId);
    if (row !== undefined) return row;
    let lo = 0;
    let hi = this.sortedRows - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const id = this.runIds[mid]!;
      if (id === runId) return mid;
      if (id < runId) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }

  /** Makes room for `n` more rows at once (a base says how many it holds). */
  reserve(n: number): void {
    while (this.capacity < this.count + n) this.grow(Math.max(1024, this.count + n));
  }

  private grow(atLeast = 0): void {
    const capacity = Math.max(1024, this.capacity * 2, atLeast);
    const widen = <T extends Float64Array | Uint32Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.runIds = widen(this.runIds, (n) => new Float64Array(n));
    this.suites = widen(this.suites, (n) => new Uint32Array(n));
    this.arches = widen(this.arches, (n) => new Uint32Array(n));
    this.packages = widen(this.packages, (n) => new Uint32Array(n));
    this.versions = widen(this.versions, (n) => new Uint32Array(n));
    this.triggers = widen(this.triggers, (n) => new Uint32Array(n));
    this.statuses = widen(this.statuses, (n) => new Uint8Array(n));
    this.created = widen(this.created, (n) => new Float64Array(n));
    this.updated = widen(this.updated, (n) => new Float64Array(n));
    this.firstSources = widen(this.firstSources, (n) => new Uint32Array(n));
    this.lastSources = widen(this.lastSources, (n) => new Uint32Array(n));
    this.capacity = capacity;
  }

  private write(row: number, o: Observation): void {
    this.runIds[row] = o.runId;
    this.suites[row] = this.suiteNames.intern(o.suite);
    this.arches[row] = this.archNames.intern(o.arch);
    this.packages[row] = this.packageNames.intern(o.package);
    this.versions[row] = this.versionNames.intern(o.version);
    const triggerId = this.triggerNames.intern(o.trigger);
    this.triggers[row] = triggerId;
    this.noteTrigger(triggerId);
    this.statuses[row] = STATUS_CODE.get(o.status)!;
    this.created[row] = o.createdAt ?? Number.NaN;
    this.updated[row] = o.updatedAt ?? Number.NaN;
  }

  /**
   * Keeps the observation if it wins over what is known of its run
   * (compareObservations), `source` saying where it comes from (see
   * firstSources; 0 when no file). Returns false, keeping nothing, when the
   * run id is known as another run (another suite, arch, package or trigger
   * string): debci never reuses a run id, so one of the two is corrupt, and
   * the first met stands. Which is first is the caller's order to keep: the
   * loader's is the base, then files in name order.
   */
  merge(o: Observation, source = 0): boolean {
    const row = this.findRow(o.runId);
    if (row === undefined) {
      if (this.count === this.capacity) this.grow();
      this.rowOf.set(o.runId, this.count);
      this.firstSources[this.count] = this.lastSources[this.count] = source;
      this.write(this.count++, o);
      return true;
    }
    if (!this.isRunOf(row, o)) return false;
    if (source > this.lastSources[row]!) this.lastSources[row] = source;
    // Fast path for the common re-delivery: a different updated_at decides alone.
    const known = this.updated[row]!;
    const incoming = o.updatedAt ?? Number.NaN;
    if (!Number.isNaN(known) && !Number.isNaN(incoming) && known !== incoming) {
      if (incoming > known) this.write(row, o);
      return true;
    }
    if (compareObservations(o, this.observation(row)) > 0) this.write(row, o);
    return true;
  }

  /** Notes the triggers a trigger string holding several stands for, the first time it is met. */
  private noteTrigger(id: number): void {
    if (id !== 0 && !this.isMultiTrigger(id) && this.triggerNames.hasSpace(id)) this.recordParts(id, this.triggerNames.get(id)!);
  }

  /**
   * `merge` for a record whose names are ids of this store's tables already
   * (the results scanner interns them from a file's bytes; nulls are 0,
   * times NaN): the same rule, no observation made unless two of one run's
   * records tie on updated_at.
   */
  mergeIds(runId: number, suite: number, arch: number, pkg: number, version: number, status: number, trigger: number, created: number, updated: number, source: number): boolean {
    const row = this.findRow(runId);
    if (row === undefined) {
      if (this.count === this.capacity) this.grow();
      const fresh = this.count++;
      this.rowOf.set(runId, fresh);
      this.firstSources[fresh] = this.lastSources[fresh] = source;
      this.runIds[fresh] = runId;
      this.writeIds(fresh, suite, arch, pkg, version, status, trigger, created, updated);
      return true;
    }
    if (this.packages[row] !== pkg || this.arches[row] !== arch || this.suites[row] !== suite || this.triggers[row] !== trigger) return false;
    if (source > this.lastSources[row]!) this.lastSources[row] = source;
    const known = this.updated[row]!;
    if (!Number.isNaN(known) && !Number.isNaN(updated) && known !== updated) {
      if (updated > known) this.writeIds(row, suite, arch, pkg, version, status, trigger, created, updated);
      return true;
    }
    const incoming = this.observationOfIds(runId, suite, arch, pkg, version, status, trigger, created, updated);
    if (compareObservations(incoming, this.observation(row)) > 0) this.writeIds(row, suite, arch, pkg, version, status, trigger, created, updated);
    return true;
  }

  private writeIds(row: number, suite: number, arch: number, pkg: number, version: number, status: number, trigger: number, created: number, updated: number): void {
    this.suites[row] = suite;
    this.arches[row] = arch;
    this.packages[row] = pkg;
    this.versions[row] = version;
    this.triggers[row] = trigger;
    this.noteTrigger(trigger);
    this.statuses[row] = status;
    this.created[row] = created;
    this.updated[row] = updated;
  }

  /** The string tables, for a scanner interning names from bytes (mergeIds). */
  get names(): Record<TableName, StringTable> {
    return { suites: this.suiteNames, arches: this.archNames, packages: this.packageNames, versions: this.versionNames, triggers: this.triggerNames };
  }

  /** Whether an observation is of the row's run: the same suite, arch, package and trigger string (null included). */
  private isRunOf(row: number, o: Observation): boolean {
    return this.packageNames.get(this.packages[row]!) === o.package && this.archNames.get(this.arches[row]!) === o.arch && this.suiteNames.get(this.suites[row]!) === o.suite && this.triggerNames.get(this.triggers[row]!) === o.trigger;
  }

  /**
   * Where a known run was first met and last met (see firstSources), or
   * undefined when the run is not known.
   */
  sourcesOf(runId: number): { first: number; last: number } | undefined {
    const row = this.findRow(runId);
    return row === undefined ? undefined : { first: this.firstSources[row]!, last: this.lastSources[row]! };
  }

  /**
   * Makes a known run another run: the row takes `o` whole, names included,
   * and its sources. Only for settling a run id that two threads each met
   * first as a different run (load-results.ts): the earlier one replaces
   * the other.
   */
  replaceRun(o: Observation, first: number, last: number): void {
    const row = this.findRow(o.runId);
    if (row === undefined) throw new Error(`run ${o.runId} is not known`);
    this.write(row, o);
    this.firstSources[row] = first;
    this.lastSources[row] = last;
  }

  get(runId: number): Observation | undefined {
    const row = this.findRow(runId);
    return row === undefined ? undefined : this.observation(row);
  }

  /** A row as much as answering a key needs: one object of five fields, no name looked up but the version. */
  brief(row: number): RunBrief {
    const created = this.created[row]!;
    const updated = this.updated[row]!;
    return { runId: this.runIds[row]!, version: this.versionNames.get(this.versions[row]!), status: STATUSES[this.statuses[row]!]!, createdAt: Number.isNaN(created) ? null : created, updatedAt: Number.isNaN(updated) ? null : updated };
  }

  observation(row: number): Observation {
    const created = this.created[row]!;
    const updated = this.updated[row]!;
    return {
      runId: this.runIds[row]!,
      suite: this.suiteNames.get(this.suites[row]!)!,
      arch: this.archNames.get(this.arches[row]!)!,
      package: this.packageNames.get(this.packages[row]!)!,
      version: this.versionNames.get(this.versions[row]!),
      status: STATUSES[this.statuses[row]!]!,
      trigger: this.triggerNames.get(this.triggers[row]!),
      createdAt: Number.isNaN(created) ? null : created,
      updatedAt: Number.isNaN(updated) ? null : updated,
    };
  }

  /**
   * A finished row's creation and end times (epoch ms) into `out`, or false
   * for a row unfinished or missing either time: no object made per row,
   * for passes over every run.
   */
  finishedTimes(row: number, out: Float64Array): boolean {
    if (this.statuses[row] === 0) return false;
    const created = this.created[row]!;
    const updated = this.updated[row]!;
    if (Number.isNaN(created) || Number.isNaN(updated)) return false;
    out[0] = created;
    out[1] = updated;
    return true;
  }

  /**
   * The finished rows with both times known, by (suite, arch): each queue's
   * creation seconds and end times, in row order. One pass over the columns
   * and no object per row: the overtaking rule (overtaking.ts) needs every
   * finished run of a million.
   */
  finishedQueues(): FinishedQueue[] {
    const size = this.count;
    const archSpan = this.archNames.size + 1;
    const pairs = (this.suiteNames.size + 1) * archSpan;
    // A (suite, arch) pair's queue: a flat array while the pairs are few, as they are; a map for a hostile state's many.
    const dense = pairs <= 1 << 16 ? new Int32Array(pairs).fill(-1) : null;
    const sparse = dense === null ? new Map<number, number>() : null;
    const queueOfRow = new Int32Array(size);
    const counts: number[] = [];
    const queues: FinishedQueue[] = [];
    for (let row = 0; row < size; row++) {
      const created = this.created[row]!;
      const updated = this.updated[row]!;
      if (this.statuses[row] === 0 || Number.isNaN(created) || Number.isNaN(updated)) {
        queueOfRow[row] = -1;
        continue;
      }
      const pair = this.suites[row]! * archSpan + this.arches[row]!;
      let queue = dense !== null ? dense[pair]! : (sparse!.get(pair) ?? -1);
      if (queue < 0) {
        queue = counts.length;
        if (dense !== null) dense[pair] = queue;
        else sparse!.set(pair, queue);
        counts.push(0);
        queues.push({ suite: this.suiteNames.get(this.suites[row]!)!, arch: this.archNames.get(this.arches[row]!)!, createdSeconds: new Float64Array(0), finished: new Float64Array(0) });
      }
      queueOfRow[row] = queue;
      counts[queue]!++;
    }
    for (let q = 0; q < queues.length; q++) {
      queues[q]!.createdSeconds = new Float64Array(counts[q]!);
      queues[q]!.finished = new Float64Array(counts[q]!);
      counts[q] = 0;
    }
    for (let row = 0; row < size; row++) {
      const queue = queueOfRow[row]!;
      if (queue < 0) continue;
      const at = counts[queue]!++;
      queues[queue]!.createdSeconds[at] = Math.floor(this.created[row]! / 1000);
      queues[queue]!.finished[at] = this.updated[row]!;
    }
    return queues;
  }

  /** The row's suite, arch and package as ids into their tables (1-based). */
  suiteIdOf(row: number): number {
    return this.suites[row]!;
  }

  archIdOf(row: number): number {
    return this.arches[row]!;
  }

  packageIdOf(row: number): number {
    return this.packages[row]!;
  }

  /** How many package names the store holds (ids run from 1 to this). */
  get packageCount(): number {
    return this.packageNames.size;
  }

  /** A name's id in its table, or undefined when no run has it. */
  suiteId(suite: string): number | undefined {
    return this.suiteNames.find(suite);
  }

  archId(arch: string): number | undefined {
    return this.archNames.find(arch);
  }

  packageId(pkg: string): number | undefined {
    return this.packageNames.find(pkg);
  }

  /** The status of a run, or undefined when the run is not known. */
  statusOf(runId: number): RunStatus | undefined {
    const row = this.findRow(runId);
    return row === undefined ? undefined : STATUSES[this.statuses[row]!];
  }

  /** The id of a single trigger, or -1 when no run counts for it. */
  triggerId(trigger: string): number {
    return this.triggerNames.find(trigger) ?? -1;
  }

  triggerIdOf(row: number): number {
    return this.triggers[row]!;
  }

  private recordParts(id: number, trigger: string): void {
    const parts = splitTriggers(trigger).map((t) => this.triggerNames.intern(t));
    if (id >= this.partsAt.length) {
      const size = Math.max(this.partsAt.length * 2, id + 1);
      const at = new Uint32Array(size);
      at.set(this.partsAt);
      this.partsAt = at;
      const count = new Uint16Array(size);
      count.set(this.partsCount);
      this.partsCount = count;
    }
    if (this.partsUsed + parts.length > this.partIds.length) {
      const ids = new Int32Array(Math.max(this.partIds.length * 2, this.partsUsed + parts.length));
      ids.set(this.partIds);
      this.partIds = ids;
    }
    this.partsAt[id] = this.partsUsed;
    this.partsCount[id] = Math.min(parts.length, 65535);
    for (const part of parts.slice(0, 65535)) this.partIds[this.partsUsed++] = part;
  }

  /** Trigger-string ids whose runs count for several triggers: the only ones needing more than an equality test. */
  isMultiTrigger(id: number): boolean {
    return id < this.partsCount.length && this.partsCount[id]! > 0;
  }

  /** The single-trigger ids a multi-trigger string id stands for. */
  triggerPartsOf(id: number): Int32Array {
    const from = this.partsAt[id]!;
    return this.partIds.subarray(from, from + this.partsCount[id]!);
  }

  /** Whether a run with this trigger string id counts for the single trigger `wanted`. */
  triggerCountsFor(id: number, wanted: number): boolean {
    if (id === wanted) return true;
    if (!this.isMultiTrigger(id)) return false;
    const from = this.partsAt[id]!;
    const to = from + this.partsCount[id]!;
    for (let k = from; k < to; k++) if (this.partIds[k] === wanted) return true;
    return false;
  }

  /** The triggers the row's run counts for (its trigger string split, once per distinct string). */
  triggersOf(row: number): readonly string[] {
    const id = this.triggers[row]!;
    let list = this.triggerLists.get(id);
    if (list === undefined) {
      list = [...new Set(splitTriggers(this.triggerNames.get(id)))];
      this.triggerLists.set(id, list);
    }
    return list;
  }

  /** The string tables, as the compacted base writes them. */
  tables(): Record<TableName, readonly string[]> {
    return { suites: this.suiteNames.all(), arches: this.archNames.all(), packages: this.packageNames.all(), versions: this.versionNames.all(), triggers: this.triggerNames.all() };
  }

  /** Reads a table back (into an empty store): ids stay as written, so rows can refer to them. False when a name comes twice (a damaged file). */
  adoptTable(name: TableName, values: readonly string[]): boolean {
    if (this.count > 0) throw new Error("tables can only be adopted by an empty run store");
    return this.table(name).adopt(values);
  }

  /** Takes tables whole, as tableParts gave them (a base stores them so): false when they do not hold together. */
  adoptTableParts(parts: Record<TableName, StringTableParts>): boolean {
    if (this.count > 0) throw new Error("tables can only be adopted by an empty run store");
    const [suites, arches, packages, versions, triggers] = TABLE_NAMES.map((name) => StringTable.fromParts(parts[name]));
    if (!suites || !arches || !packages || !versions || !triggers) return false;
    this.suiteNames = suites;
    this.archNames = arches;
    this.packageNames = packages;
    this.versionNames = versions;
    this.triggerNames = triggers;
    return true;
  }

  /** The string tables as they sit in memory (see StringTable.parts), for a base or another thread. */
  tableParts(): Record<TableName, StringTableParts> {
    return { suites: this.suiteNames.parts(), arches: this.archNames.parts(), packages: this.packageNames.parts(), versions: this.versionNames.parts(), triggers: this.triggerNames.parts() };
  }

  /** After the last table is adopted: note the trigger strings that hold several triggers. */
  sealTables(): void {
    for (let id = 1; id <= this.triggerNames.size; id++) this.noteTrigger(id);
  }

  /** A row as numbers: [runId, suite, arch, package, version, status, trigger, createdAt, updatedAt], ids into the tables. */
  encodedRow(row: number): EncodedRun {
    const created = this.created[row]!;
    const updated = this.updated[row]!;
    return [this.runIds[row]!, this.suites[row]!, this.arches[row]!, this.packages[row]!, this.versions[row]!, this.statuses[row]!, this.triggers[row]!, Number.isNaN(created) ? null : created, Number.isNaN(updated) ? null : updated];
  }

  /** The store's columns, rows in the order given (run-id order for a base): typed arrays to write as they are. */
  columnsInOrder(rows: Uint32Array): RunColumns {
    const n = rows.length;
    const out: RunColumns = { runIds: new Float64Array(n), created: new Float64Array(n), updated: new Float64Array(n), suites: new Uint32Array(n), arches: new Uint32Array(n), packages: new Uint32Array(n), versions: new Uint32Array(n), triggers: new Uint32Array(n), statuses: new Uint8Array(n) };
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      out.runIds[i] = this.runIds[row]!;
      out.created[i] = this.created[row]!;
      out.updated[i] = this.updated[row]!;
      out.suites[i] = this.suites[row]!;
      out.arches[i] = this.arches[row]!;
      out.packages[i] = this.packages[row]!;
      out.versions[i] = this.versions[row]!;
      out.triggers[i] = this.triggers[row]!;
      out.statuses[i] = this.statuses[row]!;
    }
    return out;
  }

  /**
   * Takes whole columns (a binary base) into an empty store whose tables are
   * adopted: no row is copied one by one. Returns the first problem (ids out
   * of their tables, run ids not strictly increasing), or null; a store given
   * bad columns is left empty.
   */
  adoptColumns(c: RunColumns): string | null {
    if (this.count > 0) throw new Error("columns can only be adopted by an empty run store");
    const n = c.runIds.length;
    const limits = [this.suiteNames.size, this.archNames.size, this.packageNames.size, this.versionNames.size, this.triggerNames.size];
    const ids = [c.suites, c.arches, c.packages, c.versions, c.triggers];
    for (let k = 0; k < ids.length; k++) {
      const column = ids[k]!;
      const bad = firstOutside(column, k < 3 ? 1 : 0, limits[k]!); // suite, arch and package are never null
      if (bad >= 0) return `row ${bad}: ${TABLE_NAMES[k]} id ${column[bad]} is not in its table`;
    }
    const badRun = firstNotRising(c.runIds);
    if (badRun >= 0) return `row ${badRun}: run id ${c.runIds[badRun]} is not a whole number above the one before`;
    const badStatus = firstOutside(c.statuses, 0, STATUSES.length - 1);
    if (badStatus >= 0) return `row ${badStatus}: status ${c.statuses[badStatus]} is not a status`;
    this.runIds = c.runIds;
    this.created = c.created;
    this.updated = c.updated;
    this.suites = c.suites;
    this.arches = c.arches;
    this.packages = c.packages;
    this.versions = c.versions;
    this.triggers = c.triggers;
    this.statuses = c.statuses;
    // Every run of a base comes from the base: source 0.
    this.firstSources = new Uint32Array(n);
    this.lastSources = new Uint32Array(n);
    this.count = this.capacity = this.sortedRows = n;
    return null;
  }

  /** Rows in run-id order, as the base is written (so it reads back as one sorted prefix). */
  rowsByRunId(): Uint32Array {
    const rows = Uint32Array.from({ length: this.count }, (_, i) => i);
    return rows.sort((a, b) => this.runIds[a]! - this.runIds[b]!);
  }

  /** Whether an encoded row's ids all exist in the tables (a damaged base must not slip through). */
  fitsTables(r: EncodedRun): boolean {
    return r[1] >= 1 && r[1] <= this.suiteNames.size && r[2] >= 1 && r[2] <= this.archNames.size && r[3] >= 1 && r[3] <= this.packageNames.size && r[4] <= this.versionNames.size && r[5] < STATUSES.length && r[6] <= this.triggerNames.size;
  }

  /** The string table of a column. */
  private table(name: TableName): StringTable {
    return { suites: this.suiteNames, arches: this.archNames, packages: this.packageNames, versions: this.versionNames, triggers: this.triggerNames }[name];
  }

  /** An encoded run as an observation, its names looked up by `name`: the slow path, for runs met twice. */
  private decode(r: EncodedRun, name: (table: TableName, id: number) => string | null): Observation {
    return { runId: r[0], suite: name("suites", r[1])!, arch: name("arches", r[2])!, package: name("packages", r[3])!, version: name("versions", r[4]), status: STATUSES[r[5]]!, trigger: name("triggers", r[6]), createdAt: r[7], updatedAt: r[8] };
  }

  /** Appends a run not yet in the store, its names already as this store's ids; `sorted` extends the sorted prefix instead of rowOf. */
  private appendEncoded(r: EncodedRun, sorted: boolean, first = 0, last = first): void {
    if (this.count === this.capacity) this.grow();
    const row = this.count++;
    this.firstSources[row] = first;
    this.lastSources[row] = last;
    if (sorted) this.sortedRows++;
    else this.rowOf.set(r[0], row);
    this.runIds[row] = r[0];
    this.suites[row] = r[1];
    this.arches[row] = r[2];
    this.packages[row] = r[3];
    this.versions[row] = r[4];
    this.statuses[row] = r[5];
    this.triggers[row] = r[6];
    this.created[row] = r[7] ?? Number.NaN;
    this.updated[row] = r[8] ?? Number.NaN;
  }

  /**
   * Merges an encoded row written by `encodedRow` of a store whose tables
   * were adopted (a base, source 0). False for a run met before as another
   * run, which a base written by this module never holds.
   */
  mergeEncoded(r: EncodedRun): boolean {
    // In run-id order, while every row so far is: the sorted prefix grows, no map entry needed.
    const inOrder = this.sortedRows === this.count && (this.count === 0 || r[0] > this.runIds[this.count - 1]!);
    if (inOrder || this.findRow(r[0]) === undefined) {
      this.appendEncoded(r, inOrder);
      return true;
    }
    // A run twice in one base should not happen; if it does, the merge rule decides as always (as another run: refused).
    return this.merge(this.decode(r, (table, id) => this.table(table).get(id)));
  }

  /** Every row encoded (see encodedRow) and laid end to end, NaN for null times: what a worker thread hands back. */
  encodedRows(): Float64Array<ArrayBuffer> {
    const rows = new Float64Array(this.count * 9);
    for (let row = 0; row < this.count; row++) {
      const r = this.encodedRow(row);
      for (let i = 0; i < 9; i++) rows[row * 9 + i] = r[i] ?? Number.NaN;
    }
    return rows;
  }

  /** Every row's first and last source (see firstSources), laid end to end as encodedRows lays the rows. */
  encodedSources(): Uint32Array<ArrayBuffer> {
    const sources = new Uint32Array(this.count * 2);
    for (let row = 0; row < this.count; row++) {
      sources[row * 2] = this.firstSources[row]!;
      sources[row * 2 + 1] = this.lastSources[row]!;
    }
    return sources;
  }

  /**
   * Merges the rows of another store (a worker's), given as its tables,
   * its encoded rows laid end to end (NaN for null times) and their sources
   * (encodedSources; all 0 when not given). Its ids are mapped onto this
   * store's once per name; a run this store has not seen is appended as
   * is, and one it has goes through `merge`, so the merge rule stays the
   * one and only. A run this store knows as another run is left out and
   * returned, with its sources: which of the two came first, and what
   * becomes of the other's records, is the caller's to settle.
   */
  mergeForeign(tables: Record<TableName, StringTableParts>, rows: Float64Array, sources?: Uint32Array): ForeignRun[] {
    const ids = {} as Record<TableName, Uint32Array>;
    for (const name of TABLE_NAMES) {
      const theirs = StringTable.fromParts(tables[name]);
      if (theirs === null) throw new Error(`another thread's ${name} table does not hold together`);
      ids[name] = this.table(name).internAll(theirs);
    }
    const otherRuns: ForeignRun[] = [];
    this.reserve(rows.length / 9);
    for (let at = 0; at < rows.length; at += 9) {
      const runId = rows[at]!;
      const first = sources?.[(at / 9) * 2] ?? 0;
      const last = sources?.[(at / 9) * 2 + 1] ?? 0;
      const suite = ids.suites[rows[at + 1]!]!;
      const arch = ids.arches[rows[at + 2]!]!;
      const pkg = ids.packages[rows[at + 3]!]!;
      const version = ids.versions[rows[at + 4]!]!;
      const trigger = ids.triggers[rows[at + 6]!]!;
      const row = this.findRow(runId);
      if (row === undefined) {
        this.appendEncoded([runId, suite, arch, pkg, version, rows[at + 5]!, trigger, null, null], false, first, last);
        this.created[this.count - 1] = rows[at + 7]!;
        this.updated[this.count - 1] = rows[at + 8]!;
        this.noteTrigger(trigger);
        continue;
      }
      if (this.mergeIds(runId, suite, arch, pkg, version, rows[at + 5]!, trigger, rows[at + 7]!, rows[at + 8]!, last)) this.firstSources[row] = Math.min(this.firstSources[row]!, first);
      else otherRuns.push({ observation: this.observationOfIds(runId, suite, arch, pkg, version, rows[at + 5]!, trigger, rows[at + 7]!, rows[at + 8]!), first, last });
    }
    return otherRuns;
  }

  /** A run given as this store's ids (NaN times for null) as an observation. */
  observationOfIds(runId: number, suite: number, arch: number, pkg: number, version: number, status: number, trigger: number, created: number, updated: number): Observation {
    return { runId, suite: this.suiteNames.get(suite)!, arch: this.archNames.get(arch)!, package: this.packageNames.get(pkg)!, version: this.versionNames.get(version), status: STATUSES[status]!, trigger: this.triggerNames.get(trigger), createdAt: Number.isNaN(created) ? null : created, updatedAt: Number.isNaN(updated) ? null : updated };
  }

  *values(): IterableIterator<Observation> {
    for (let row = 0; row < this.count; row++) yield this.observation(row);
  }
}
