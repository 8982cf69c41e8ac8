import type { RunStore } from "./run-store.js";
import type { TestKey } from "./types.js";
import { REFERENCE_TRIGGER } from "./trigger.js";

/** Where a test key sits among the numbers: -1 for a name nothing loaded mentions. */
export interface KeyPlace {
  /** The (suite, arch, package) group. */
  group: number;
  /** The single trigger. */
  trigger: number;
  /** The key itself (group and trigger in one number), -1 when either is unknown. */
  key: number;
}

/** Triggers no run has are numbered from here up, above every run store trigger id. */
const EXTRA_TRIGGERS = 2 ** 27;
/** Whether a trigger number is a run store trigger id, which runs may carry. */
export function isRunTrigger(trigger: number): boolean {
  return trigger > 0 && trigger < EXTRA_TRIGGERS;
}

/**
 * group * KEY_SPAN + trigger stays below 2^53, exact in a double, for up to
 * 2^25 groups. Both limits are far beyond what fits in memory (a 256 MiB
 * needs file holds at most about six million needs), so neither is reached
 * by any input before memory runs out.
 */
const KEY_SPAN = 2 ** 28;
const MAX_GROUPS = 2 ** 25;

/** A key's number from its group and trigger numbers; -1 when either is unknown. */
export function keyNumber(group: number, trigger: number): number {
  return group < 0 || trigger < 0 ? -1 : group * KEY_SPAN + trigger;
}

/**
 * Test keys as numbers, so that answering a question probes maps by number
 * instead of building a string per key and hashing it. Names are found in
 * the run store's own string tables; only names no run has (a pending
 * entry's, a request's, a new upload's) need a table here. Group numbers are
 * dense: the run store's groups first, in the order the index meets them,
 * then the rest. Append-only: a number once given never changes, so a
 * planner can number the keys it requests without disturbing answers.
 */
export class KeyNumbers {
  /**
   * By suite id, then arch id, of the run store: group + 1 by package id
   * (0: no group yet). A name found in the store's tables reaches its group
   * by indexing, not by a second probe of a large map. Two small maps, not
   * one id made of both: a hostile state may hold any number of arches.
   */
  private readonly groupsByPackage = new Map<number, Map<number, Int32Array>>();
  /** Groups with a name the run store lacks, by their names length-prefixed. */
  private readonly groupOfName = new Map<string, number>();
  private readonly extraTriggers = new Map<string, number>();
  private groups = 0;
  private referenceId = -1;
  /**
   * The store ids of suite, arch and package names found before: a run asks
   * about a few thousand names hundreds of thousands of times, and a Map
   * finds a string by its cached hash faster than the table rehashes it.
   * Only names the store has are kept, so each map is bounded by its table.
   */
  private readonly suiteIds = new Map<string, number>();
  private readonly archIds = new Map<string, number>();
  private readonly packageIds = new Map<string, number>();
  private readonly findSuite = (name: string) => this.store.suiteId(name);
  private readonly findArch = (name: string) => this.store.archId(name);
  private readonly findPackage = (name: string) => this.store.packageId(name);

  constructor(private readonly store: RunStore) {}

  private next(): number {
    if (this.groups >= MAX_GROUPS) throw new Error(`more than ${MAX_GROUPS} (suite, arch, package) groups`);
    return this.groups++;
  }

  /** A name's id in one of the store's tables (see suiteIds), undefined when the store lacks it. */
  private storeId(found: Map<string, number>, name: string, find: (name: string) => number | undefined): number | undefined {
    let id = found.get(name);
    if (id === undefined) {
      id = find(name);
      if (id !== undefined) found.set(name, id);
    }
    return id;
  }

  /** The group of store ids; -1 when it has none and `intern` is off. */
  private storeGroup(suiteId: number, archId: number, packageId: number, intern: boolean): number {
    let bySuite = this.groupsByPackage.get(suiteId);
    let table = bySuite?.get(archId);
    if (table === undefined || packageId >= table.length) {
      if (!intern) return -1;
      const grown = new Int32Array(Math.max(packageId + 1, this.store.packageCount + 1, (table?.length ?? 0) * 2));
      if (table !== undefined) grown.set(table);
      table = grown;
      if (bySuite === undefined) {
        bySuite = new Map();
        this.groupsByPackage.set(suiteId, bySuite);
      }
      bySuite.set(archId, table);
    }
    const group = table[packageId]! - 1;
    if (group >= 0 || !intern) return group;
    table[packageId] = this.next() + 1;
    return table[packageId]! - 1;
  }

  /** The group of a run store row, numbered on first sight. */
  groupOfRow(row: number): number {
    const store = this.store;
    return this.storeGroup(store.suiteIdOf(row), store.archIdOf(row), store.packageIdOf(row), true);
  }

  group(suite: string, arch: string, pkg: string, intern = false): number {
    const suiteId = this.storeId(this.suiteIds, suite, this.findSuite);
    const archId = suiteId === undefined ? undefined : this.storeId(this.archIds, arch, this.findArch);
    const packageId = archId === undefined ? undefined : this.storeId(this.packageIds, pkg, this.findPackage);
    if (packageId !== undefined) return this.storeGroup(suiteId!, archId!, packageId, intern);
    // A name no run has: rare on the loaded side, one string per new package.
    // Length-prefixed: names are any non-empty strings, spaces included, and must not run together.
    const name = `${suite.length}:${suite}${arch.length}:${arch}${pkg}`;
    let group = this.groupOfName.get(name);
    if (group === undefined) {
      if (!intern) return -1;
      group = this.next();
      this.groupOfName.set(name, group);
    }
    return group;
  }

  trigger(trigger: string, intern = false): number {
    // The reference trigger is asked for once per package: its store id, once found, never changes.
    if (trigger === REFERENCE_TRIGGER && this.referenceId > 0) return this.referenceId;
    const id = this.store.triggerId(trigger);
    if (id > 0 && trigger === REFERENCE_TRIGGER) this.referenceId = id;
    if (id > 0) {
      if (id >= EXTRA_TRIGGERS) throw new Error(`more than ${EXTRA_TRIGGERS} distinct trigger strings in the runs`);
      return id;
    }
    let extra = this.extraTriggers.get(trigger);
    if (extra === undefined) {
      if (!intern) return -1;
      if (this.extraTriggers.size >= KEY_SPAN - EXTRA_TRIGGERS) throw new Error(`more than ${KEY_SPAN - EXTRA_TRIGGERS} new triggers`);
      extra = EXTRA_TRIGGERS + this.extraTriggers.size;
      this.extraTriggers.set(trigger, extra);
    }
    return extra;
  }

  /** A key's numbers when its group is known already (a package's reference key): the trigger alone is looked up. */
  placeInGroup(group: number, trigger: string): KeyPlace {
    const number = this.trigger(trigger);
    return { group, trigger: number, key: keyNumber(group, number) };
  }

  /** Finds a key's numbers; with `intern`, numbers whatever is new (the key is then always placed). */
  place(key: TestKey, intern = false): KeyPlace {
    if (!intern) return this.placeInGroup(this.group(key.suite, key.arch, key.package), key.trigger);
    const place = { group: -1, trigger: -1, key: -1 };
    this.complete(place, key);
    return place;
  }

  /** Numbers what a place found for `key` lacks, in place: only the missing names are looked up again. */
  complete(place: KeyPlace, key: TestKey): void {
    if (place.group < 0) place.group = this.group(key.suite, key.arch, key.package, true);
    if (place.trigger < 0) place.trigger = this.trigger(key.trigger, true);
    place.key = keyNumber(place.group, place.trigger);
  }
}

/** 2^20 bits (128 KiB): small enough to stay in cache, sparse enough for a few hundred thousand keys. */
const FILTER_BITS = 20;

/**
 * A map by key number with a one-hash Bloom filter in front: most keys a
 * run asks about are in no pending snapshot, ledger or request of this
 * run, and ruling them out by one bit costs less than a probe. Behind it,
 * open addressing over the key numbers themselves (a Float64Array, linear
 * probing, -1 for empty): a Map keyed by numbers above 2^31 hashes a heap
 * number per probe, and this run asks it a few hundred thousand times.
 */
export class KeyMap<V> {
  private readonly bits = new Int32Array(1 << (FILTER_BITS - 5));
  private keys: Float64Array;
  private values: Array<V | undefined>;
  private count = 0;

  /** `expected`: how many keys the caller knows it will set, so the table need not grow to hold them. */
  constructor(expected = 0) {
    let size = 1024;
    while (size < 2 * expected) size *= 2;
    this.keys = new Float64Array(size).fill(-1);
    this.values = new Array<V | undefined>(size);
  }

  private static slot(place: KeyPlace): number {
    return KeyMap.mix(place.group, place.trigger);
  }

  /** Group and trigger mixed by two odd multipliers; the top bits index the filter. */
  private static mix(group: number, trigger: number): number {
    return (Math.imul(group, 0x9e3779b1) ^ Math.imul(trigger | 0, 0x85ebca77)) >>> 0;
  }

  /** Sets the value of a placed key (place.key >= 0). */
  set(place: KeyPlace, value: V): void {
    const hash = KeyMap.slot(place);
    const bit = hash >>> (32 - FILTER_BITS);
    this.bits[bit >>> 5]! |= 1 << (bit & 31);
    if (2 * (this.count + 1) > this.keys.length) this.grow();
    const at = this.find(place.key, hash);
    if (this.keys[at] !== place.key) {
      this.keys[at] = place.key;
      this.count++;
    }
    this.values[at] = value;
  }

  get(place: KeyPlace): V | undefined {
    if (place.key < 0) return undefined;
    const hash = KeyMap.slot(place);
    const bit = hash >>> (32 - FILTER_BITS);
    if ((this.bits[bit >>> 5]! & (1 << (bit & 31))) === 0) return undefined;
    const at = this.find(place.key, hash);
    return this.keys[at] === place.key ? this.values[at] : undefined;
  }

  /** The slot holding `key`, or the empty slot where it would go. */
  private find(key: number, hash: number): number {
    const keys = this.keys;
    const mask = keys.length - 1;
    let at = hash & mask;
    while (keys[at] !== key && keys[at] !== -1) at = (at + 1) & mask;
    return at;
  }

  private grow(): void {
    const keys = this.keys;
    const values = this.values;
    this.keys = new Float64Array(keys.length * 2).fill(-1);
    this.values = new Array<V | undefined>(keys.length * 2);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (key === -1) continue;
      const at = this.find(key, KeyMap.hashOf(key));
      this.keys[at] = key;
      this.values[at] = values[i];
    }
  }

  /** The hash of a key number, as slot() makes it from the key's group and trigger (no place made: grow rehashes every key). */
  private static hashOf(key: number): number {
    const group = Math.floor(key / KEY_SPAN);
    return KeyMap.mix(group, key - group * KEY_SPAN);
  }
}
