/**
 * Interned names (suites, arches, packages, versions, triggers): each
 * distinct name stored once, as UTF-8 bytes end to end in one arena, and
 * runs refer to it by number. Id 0 stands for null.
 *
 * Shaped for three callers. The results scanner interns a name straight
 * from a file's bytes, so no string is made per record, only once per
 * distinct name, when first asked for (get). A question finds a name given
 * as a string by hashing its characters, which for ASCII are its bytes: no
 * encoding, no Map. And the compacted base stores the arena, the offsets and
 * the hash slots as they sit here, so loading a base is taking views of its
 * bytes (see `fromParts`), with no name hashed or decoded.
 *
 * A string with a lone surrogate (JSON allows "\ud800") has no UTF-8
 * form: it would share U+FFFD's bytes. The few such names are kept apart,
 * in `oddNames`, so two different strings never share an id.
 */
export interface StringTableParts {
  /** The names' UTF-8 bytes end to end (an odd name's range is empty). */
  bytes: Uint8Array;
  /** Name k (1-based) is bytes[ends[k-1], ends[k]); ends[0] is 0. */
  ends: Uint32Array;
  /** Open addressing, linear probing: an id (0 empty); length a power of two. */
  slots: Int32Array;
  /** Names with a lone surrogate, by id. */
  odd: Array<[number, string]>;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Whether a string has a UTF-8 form (no lone surrogate). */
function isWellFormed(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c > 0xdbff || i + 1 === value.length) return false;
    const next = value.charCodeAt(i + 1);
    if (next < 0xdc00 || next > 0xdfff) return false;
    i++;
  }
  return true;
}

/** FNV-1a of a byte range. */
function hashBytes(bytes: Uint8Array, from: number, to: number): number {
  let h = FNV_OFFSET;
  for (let i = from; i < to; i++) h = Math.imul(h ^ bytes[i]!, FNV_PRIME);
  return h >>> 0;
}

/** FNV-1a of an ASCII string's characters: the same number as of its bytes. -1 when a character is not ASCII. */
function hashAscii(value: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0x7f) return -1;
    h = Math.imul(h ^ c, FNV_PRIME);
  }
  return h >>> 0;
}

export class StringTable {
  /** A Buffer, so a name decodes with toString (valid UTF-8 only: see internBytes). */
  private bytes: Buffer;
  private ends: Uint32Array;
  private slots: Int32Array;
  private count = 0;
  /** Decoded names, made on first `get`. */
  private decoded: Array<string | undefined> = [];
  private oddIds: Map<string, number> | null = null;
  private spaced: Uint8Array;

  constructor(parts?: StringTableParts) {
    if (parts === undefined) {
      this.bytes = Buffer.alloc(1024);
      this.ends = new Uint32Array(64);
      this.slots = new Int32Array(128);
      this.spaced = new Uint8Array(64);
      return;
    }
    this.bytes = Buffer.from(parts.bytes.buffer, parts.bytes.byteOffset, parts.bytes.byteLength);
    this.ends = parts.ends;
    this.slots = parts.slots;
    this.count = parts.ends.length - 1;
    this.spaced = new Uint8Array(0); // worked out when first asked (hasSpace)
    for (const [id, value] of parts.odd) {
      (this.oddIds ??= new Map()).set(value, id);
      this.decoded[id] = value;
    }
  }

  /**
   * A table from parts `parts()` gave (a base's, a worker's), or null when
   * they do not hold together: ends must rise within the bytes, the slots
   * hold every id once, and the probe for each name's bytes reaches its own
   * id first (so no name is there twice). One hash a name; no string made.
   */
  static fromParts(parts: StringTableParts): StringTable | null {
    const { bytes, ends, slots, odd } = parts;
    if (ends.length === 0 || ends[0] !== 0 || ends[ends.length - 1]! > bytes.length) return null;
    const count = ends.length - 1;
    if (slots.length < 2 || (slots.length & (slots.length - 1)) !== 0 || slots.length <= count) return null;
    for (let k = 1; k <= count; k++) if (ends[k]! < ends[k - 1]!) return null;
    let filled = 0;
    for (let s = 0; s < slots.length; s++) {
      const id = slots[s]!;
      if (id === 0) continue;
      if (id < 0 || id > count) return null;
      filled++;
    }
    const oddSeen = new Set<number>();
    for (const [id, value] of odd) {
      if (!Number.isInteger(id) || id < 1 || id > count || ends[id] !== ends[id - 1] || isWellFormed(value) || oddSeen.has(id)) return null;
      oddSeen.add(id);
    }
    if (filled + oddSeen.size !== count) return null;
    const table = new StringTable({ bytes, ends, slots, odd });
    // Each name must be found where its hash leads, and be the only one of its bytes: one hash a name, no map built.
    for (let id = 1; id <= count; id++) if (!oddSeen.has(id) && table.findBytes(table.bytes, ends[id - 1]!, ends[id]!) !== id) return null;
    return table;
  }

  get size(): number {
    return this.count;
  }

  /** The table as `fromParts` takes it back: views of its own arrays, trimmed to what is used. */
  parts(): StringTableParts {
    const odd: Array<[number, string]> = [];
    for (const [value, id] of this.oddIds ?? []) odd.push([id, value]);
    return { bytes: this.bytes.subarray(0, this.ends[this.count]!), ends: this.ends.subarray(0, this.count + 1), slots: this.slots, odd };
  }

  intern(value: string | null): number {
    if (value === null) return 0;
    const found = this.find(value);
    if (found !== undefined) return found;
    if (!isWellFormed(value)) {
      const id = this.append(new Uint8Array(0), 0, 0, 0, false);
      (this.oddIds ??= new Map()).set(value, id);
      this.decoded[id] = value;
      return id;
    }
    const encoded = Buffer.from(value, "utf8");
    const id = this.append(encoded, 0, encoded.length, hashBytes(encoded, 0, encoded.length), true);
    this.decoded[id] = value;
    return id;
  }

  /** The id of bytes[from, to), interned if new. The range must be valid UTF-8 (the results scanner takes ASCII names only). */
  internBytes(bytes: Uint8Array, from: number, to: number): number {
    const hash = hashBytes(bytes, from, to);
    const mask = this.slots.length - 1;
    for (let s = hash & mask; ; s = (s + 1) & mask) {
      const id = this.slots[s]!;
      if (id === 0) return this.append(bytes, from, to, hash, true);
      if (this.sameBytes(id, bytes, from, to)) return id;
    }
  }

  /** Every name of another table interned here: this table's id by the other's (0 stays 0). */
  internAll(other: StringTable): Uint32Array {
    const ids = new Uint32Array(other.count + 1);
    for (let id = 1; id <= other.count; id++) {
      const from = other.ends[id - 1]!;
      const to = other.ends[id]!;
      ids[id] = from === to && other.isOdd(id) ? this.intern(other.get(id)) : this.internBytes(other.bytes, from, to);
    }
    return ids;
  }

  /** The id of a string already interned, without interning it. */
  find(value: string): number | undefined {
    let hash = hashAscii(value);
    if (hash < 0) {
      if (!isWellFormed(value)) return this.oddIds?.get(value);
      const encoded = Buffer.from(value, "utf8");
      const id = this.findBytes(encoded, 0, encoded.length);
      return id === 0 ? undefined : id;
    }
    const mask = this.slots.length - 1;
    for (let s = hash & mask; ; s = (s + 1) & mask) {
      const id = this.slots[s]!;
      if (id === 0) return undefined;
      if (this.sameAscii(id, value)) return id;
    }
  }

  /** The id of bytes[from, to), or 0 when not interned. */
  findBytes(bytes: Uint8Array, from: number, to: number): number {
    const mask = this.slots.length - 1;
    for (let s = hashBytes(bytes, from, to) & mask; ; s = (s + 1) & mask) {
      const id = this.slots[s]!;
      if (id === 0 || this.sameBytes(id, bytes, from, to)) return id;
    }
  }

  get(id: number): string | null {
    if (id === 0) return null;
    let value = this.decoded[id];
    if (value === undefined) {
      value = this.bytes.toString("utf8", this.ends[id - 1]!, this.ends[id]!);
      this.decoded[id] = value;
    }
    return value;
  }

  /** Whether name `id` holds a space: a trigger string naming several triggers. */
  hasSpace(id: number): boolean {
    if (this.spaced.length <= this.count) this.markSpaces();
    return this.spaced[id] === 1 || (this.oddIds !== null && this.get(id)!.includes(" "));
  }

  /** Every name, in id order (id 1 first), to be read back with `adopt`. */
  all(): readonly string[] {
    const out: string[] = [];
    for (let id = 1; id <= this.count; id++) out.push(this.get(id)!);
    return out;
  }

  /**
   * Appends names read back from `all()`, keeping their ids. False when a
   * name comes twice, which no table writes (the caller's file is damaged).
   */
  adopt(values: readonly string[]): boolean {
    for (const value of values) {
      const next = this.count + 1;
      if (this.intern(value) !== next) return false;
    }
    return true;
  }

  private sameBytes(id: number, bytes: Uint8Array, from: number, to: number): boolean {
    const start = this.ends[id - 1]!;
    if (this.ends[id]! - start !== to - from) return false;
    for (let i = 0; i < to - from; i++) if (this.bytes[start + i] !== bytes[from + i]) return false;
    return true;
  }

  private sameAscii(id: number, value: string): boolean {
    const start = this.ends[id - 1]!;
    if (this.ends[id]! - start !== value.length) return false;
    for (let i = 0; i < value.length; i++) if (this.bytes[start + i] !== value.charCodeAt(i)) return false;
    return true;
  }

  private append(bytes: Uint8Array, from: number, to: number, hash: number, hashed: boolean): number {
    const id = ++this.count;
    const start = this.ends[id - 1]!;
    const end = start + (to - from);
    if (end > this.bytes.length) {
      const bigger = Buffer.alloc(Math.max(end, this.bytes.length * 2));
      bigger.set(this.bytes);
      this.bytes = bigger;
    }
    if (id + 1 > this.ends.length) {
      const bigger = new Uint32Array(Math.max(id + 1, this.ends.length * 2));
      bigger.set(this.ends);
      this.ends = bigger;
    }
    this.bytes.set(bytes.subarray(from, to), start);
    this.ends[id] = end;
    if (this.spaced.length > id) this.spaced[id] = bytes.subarray(from, to).includes(0x20) ? 1 : 0;
    if (hashed) {
      if (2 * this.count > this.slots.length) this.rehash();
      else this.place(id, hash);
    }
    return id;
  }

  private place(id: number, hash: number): void {
    const mask = this.slots.length - 1;
    let s = hash & mask;
    while (this.slots[s] !== 0) s = (s + 1) & mask;
    this.slots[s] = id;
  }

  /** Twice the slots, every id placed again. */
  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    for (let id = 1; id <= this.count; id++) {
      if (this.ends[id] === this.ends[id - 1] && this.isOdd(id)) continue;
      this.place(id, hashBytes(this.bytes, this.ends[id - 1]!, this.ends[id]!));
    }
  }

  private isOdd(id: number): boolean {
    if (this.oddIds === null) return false;
    const value = this.decoded[id];
    return value !== undefined && this.oddIds.get(value) === id;
  }

  private markSpaces(): void {
    const spaced = new Uint8Array(Math.max(64, this.count * 2));
    spaced.set(this.spaced.subarray(0, Math.min(this.spaced.length, spaced.length)));
    for (let id = Math.max(1, Math.min(this.spaced.length, this.count + 1)); id <= this.count; id++) spaced[id] = this.holdsSpace(id) ? 1 : 0;
    this.spaced = spaced;
  }

  /** Whether name `id`'s bytes hold a space: a plain loop, as a view and a native call per name cost more than the few bytes (a base marks every trigger). */
  private holdsSpace(id: number): boolean {
    const bytes = this.bytes;
    const to = this.ends[id]!;
    for (let i = this.ends[id - 1]!; i < to; i++) if (bytes[i] === 0x20) return true;
    return false;
  }
}
