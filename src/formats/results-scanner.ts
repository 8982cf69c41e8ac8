import type { StringTable } from "../core/string-table.js";
import { parseIsoTimeBytes } from "./fast-iso-time.js";
import { CLOSE_BRACE, CLOSE_BRACKET, COLON, JsonCursor, LETTER_N, LITERAL_NULL, NOT_SURE, OPEN_BRACE, OPEN_BRACKET, QUOTE, plainWholeNumber } from "./json-cursor.js";
import { MAX_UNIX_SECONDS } from "./timestamps.js";

/**
 * A results file (a body of debci's `GET /api/v1/test`) read straight from
 * its bytes: no JSON.parse, no object or string per record. The fields the
 * run store keeps go into columns, names interned from their bytes (a
 * string is made once per distinct name, see StringTable).
 *
 * Exactness comes first. The scanner answers only when it is sure it reads
 * what JSON.parse and the record checks (results-file.ts) would:
 * - anything not valid JSON, a key twice at the top, a top-level value it
 *   does not read as the loader does (a `since` of the wrong type or range):
 *   the whole file goes to the exact path (scanResults returns null), which
 *   words the problem as it always has;
 * - a record it is not sure of (an escape or a non-ASCII byte in a field it
 *   keeps, a field twice, a run id or time in another form, a missing
 *   field, an unknown status, anything but an object): that record alone
 *   is marked EXACT with its byte range, and the caller hands exactly those
 *   bytes to JSON.parse and the checks, in its place in the file's order.
 * A fuzz test and a property test hold the two paths equal, record for record.
 */

/**
 * A field's name in the record before, as its range in this file's bytes
 * and its id: comparing a few bytes in cache costs less than hashing them
 * and probing the table.
 */
class LastName {
  private from = 0;
  private to = -1;
  private id = 0;

  forget(): void {
    this.to = -1;
  }

  /**
   * Where a string whose content starts at `at` ends (its closing quote)
   * when it is this name again, else -1. This name's bytes were read as a
   * plain string (no quote, escape, control or non-ASCII byte), so the same
   * bytes then a quote are the same plain string: nothing else need be read.
   */
  endIfRepeated(b: Buffer, at: number, end: number): number {
    const n = this.to - this.from;
    if (n < 0 || at + n >= end) return -1;
    for (let k = 0; k < n; k++) if (b[at + k] !== b[this.from + k]) return -1;
    return b[at + n] === QUOTE ? at + n : -1;
  }

  intern(table: StringTable, b: Buffer, from: number, to: number): number {
    const n = to - from;
    if (n === this.to - this.from) {
      let k = 0;
      while (k < n && b[from + k] === b[this.from + k]) k++;
      if (k === n) return this.id;
    }
    this.from = from;
    this.to = to;
    return (this.id = table.internBytes(b, from, to));
  }
}

/** `kind` of a scanned record. */
export const SCANNED = 0;
export const EXACT = 1;

/** Records as columns, reused from file to file (grown, never shrunk). */
export class ScannedRecords {
  count = 0;
  kinds = new Uint8Array(1024);
  runIds = new Float64Array(1024);
  suites = new Uint32Array(1024);
  arches = new Uint32Array(1024);
  packages = new Uint32Array(1024);
  versions = new Uint32Array(1024);
  triggers = new Uint32Array(1024);
  statuses = new Uint8Array(1024);
  created = new Float64Array(1024);
  updated = new Float64Array(1024);
  /** An EXACT record's bytes: [starts[i], ends[i]). */
  starts = new Uint32Array(1024);
  ends = new Uint32Array(1024);

  /** The next record's index, with room made for it. */
  next(): number {
    if (this.count === this.kinds.length) this.grow();
    return this.count++;
  }

  private grow(): void {
    const n = this.kinds.length * 2;
    const widen = <T extends Uint8Array | Uint32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (size: number) => T)(n);
      b.set(a);
      return b;
    };
    this.kinds = widen(this.kinds);
    this.runIds = widen(this.runIds);
    this.suites = widen(this.suites);
    this.arches = widen(this.arches);
    this.packages = widen(this.packages);
    this.versions = widen(this.versions);
    this.triggers = widen(this.triggers);
    this.statuses = widen(this.statuses);
    this.created = widen(this.created);
    this.updated = widen(this.updated);
    this.starts = widen(this.starts);
    this.ends = widen(this.ends);
  }
}

/** What a scanned file says besides its records: its window, seconds as written (undefined when absent, null when null). */
export interface ScannedFile {
  since: number | null | undefined;
  until: number | null | undefined;
  records: ScannedRecords;
}

export interface ScanTables {
  suites: StringTable;
  arches: StringTable;
  packages: StringTable;
  versions: StringTable;
  triggers: StringTable;
}

/** The fields the store keeps; a bit each, so a field met twice is seen. */
const F_RUN_ID = 1;
const F_TRIGGER = 2;
const F_PACKAGE = 4;
const F_ARCH = 8;
const F_SUITE = 16;
const F_VERSION = 32;
const F_STATUS = 64;
const F_CREATED = 128;
const F_UPDATED = 256;

const NO_VIEW = new DataView(new ArrayBuffer(0));

/** Keys remembered by their position in a record: debci's records have about twenty. */
const MAX_KNOWN_KEYS = 64;

/** Status codes as the run store numbers them (0 is null). */
const STATUS_PASS = 1;
const STATUS_FAIL = 2;
const STATUS_NEUTRAL = 3;
const STATUS_TMPFAIL = 4;

export class ResultsScanner extends JsonCursor {
  readonly records = new ScannedRecords();
  // The record being read: its kept fields' ranges, and the fields seen.
  private seen = 0;
  private unsure = false;
  private runId = 0;
  private triggerNull = false;
  private trigFrom = 0;
  private trigTo = 0;
  private pkgFrom = 0;
  private pkgTo = 0;
  private archFrom = 0;
  private archTo = 0;
  private suiteFrom = 0;
  private suiteTo = 0;
  private versionFrom = 0;
  private versionTo = 0;
  private status = 0;
  private created = Number.NaN;
  private updated = Number.NaN;

  private tables!: ScanTables;
  /** By position in a record: the bytes of the key met there last (see fieldKey), and which key they are. */
  private readonly keyBytes: Buffer[] = [];
  private readonly keyIds = new Int32Array(MAX_KNOWN_KEYS);
  /** The same bytes as little-endian 32-bit words (what fits), compared through `view`. */
  private readonly keyWords: Int32Array[] = [];
  /** The file's bytes as a DataView, for reading four at a time. */
  private view: DataView<ArrayBufferLike> = NO_VIEW;
  // The name each field had in the record before: an upload's runs come together, so the next record mostly repeats it.
  private readonly lastSuite = new LastName();
  private readonly lastPackage = new LastName();
  private readonly lastVersion = new LastName();
  private readonly lastTrigger = new LastName();

  constructor(private readonly defaultSuite: string) {
    super();
  }

  /** Reads a whole results file, names interned into `tables`, or returns null when the exact path must (see the top of this file). */
  scan(bytes: Buffer, tables: ScanTables): ScannedFile | null {
    this.tables = tables;
    this.begin(bytes);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.records.count = 0;
    this.lastSuite.forget();
    this.lastPackage.forget();
    this.lastVersion.forget();
    this.lastTrigger.forget();
    try {
      return this.file();
    } catch (error) {
      if (error === NOT_SURE) return null;
      throw error;
    } finally {
      this.release();
      this.view = NO_VIEW;
    }
  }

  private file(): ScannedFile {
    this.ws();
    this.expect(OPEN_BRACE);
    let since: number | null | undefined;
    let until: number | null | undefined;
    let sawSince = false;
    let sawUntil = false;
    let sawResults = false;
    this.ws();
    if (this.peek() === CLOSE_BRACE) throw NOT_SURE; // no results: the exact path words it
    for (;;) {
      this.ws();
      const key = this.key();
      // An escaped key may be "results" in disguise.
      if (key === KEY_ODD) throw NOT_SURE;
      if (key === KEY_RESULTS) {
        if (sawResults) throw NOT_SURE;
        sawResults = true;
        this.results();
      } else if (key === KEY_SINCE || key === KEY_UNTIL) {
        if (key === KEY_SINCE ? sawSince : sawUntil) throw NOT_SURE;
        const value = this.windowValue();
        if (key === KEY_SINCE) {
          sawSince = true;
          since = value;
        } else {
          sawUntil = true;
          until = value;
        }
      } else this.skipValue(0);
      if (this.endOfList(CLOSE_BRACE)) break;
    }
    this.ws();
    if (this.pos !== this.end || !sawResults) throw NOT_SURE;
    return { since, until, records: this.records };
  }

  /** since or until: null, or a number the loader takes as it is (isWindowValue in load-results.ts); anything else is for zod to word. */
  private windowValue(): number | null {
    if (this.peek() === LETTER_N) {
      this.literal(LITERAL_NULL);
      return null;
    }
    const from = this.pos;
    this.skipNumber();
    const value = Number(latin1(this.b, from, this.pos));
    if (!Number.isFinite(value) || value < 0 || value > MAX_UNIX_SECONDS) throw NOT_SURE;
    return value;
  }

  private results(): void {
    if (this.peek() !== OPEN_BRACKET) throw NOT_SURE;
    if (this.opened(CLOSE_BRACKET)) return;
    for (;;) {
      this.ws();
      this.record();
      if (this.endOfList(CLOSE_BRACKET)) return;
    }
  }

  /** One element of `results`: its kept fields into the columns, or marked EXACT with its bytes. */
  private record(): void {
    const from = this.pos;
    const i = this.records.next();
    if (this.peek() !== OPEN_BRACE) {
      this.skipValue(0);
      this.markExact(i, from);
      return;
    }
    this.seen = 0;
    this.unsure = false;
    this.status = 0;
    this.versionFrom = this.versionTo = 0;
    this.created = Number.NaN;
    this.updated = Number.NaN;
    if (this.opened(CLOSE_BRACE)) {
      this.markExact(i, from);
      return;
    }
    for (let f = 0; ; f++) {
      this.ws();
      this.field(f);
      if (this.endOfList(CLOSE_BRACE)) break;
    }
    const required = F_RUN_ID | F_TRIGGER | F_PACKAGE | F_ARCH | F_STATUS;
    if (this.unsure || (this.seen & required) !== required) this.markExact(i, from);
    else this.keep(i);
  }

  private markExact(i: number, from: number): void {
    const r = this.records;
    r.kinds[i] = EXACT;
    r.starts[i] = from;
    r.ends[i] = this.pos;
  }

  /** The record's kept fields into row i, names interned. */
  private keep(i: number): void {
    const r = this.records;
    const t = this.tables;
    const b = this.b;
    r.kinds[i] = SCANNED;
    r.runIds[i] = this.runId;
    r.suites[i] = (this.seen & F_SUITE) !== 0 ? this.lastSuite.intern(t.suites, b, this.suiteFrom, this.suiteTo) : t.suites.intern(this.defaultSuite);
    r.arches[i] = t.arches.internBytes(b, this.archFrom, this.archTo);
    r.packages[i] = this.lastPackage.intern(t.packages, b, this.pkgFrom, this.pkgTo);
    r.versions[i] = this.versionTo > this.versionFrom ? this.lastVersion.intern(t.versions, b, this.versionFrom, this.versionTo) : 0;
    r.triggers[i] = this.triggerNull ? 0 : this.lastTrigger.intern(t.triggers, b, this.trigFrom, this.trigTo);
    r.statuses[i] = this.status;
    r.created[i] = this.created;
    r.updated[i] = this.updated;
  }

  /** The record's f-th key and its value. */
  private field(f: number): void {
    const key = this.fieldKey(f);
    if (key <= 0 || key > F_UPDATED) {
      // A field the store drops (or a key it cannot read, such as one with an escape: it might be a kept field in disguise).
      if (key === KEY_ODD) this.unsure = true;
      this.skipValue(0);
      return;
    }
    if ((this.seen & key) !== 0) this.unsure = true; // JSON.parse keeps the last; the exact path decides
    this.seen |= key;
    switch (key) {
      case F_RUN_ID:
        return this.runIdValue();
      case F_TRIGGER:
        return this.triggerValue();
      case F_STATUS:
        return this.statusValue();
      case F_CREATED:
        this.created = this.timeValue();
        return;
      case F_UPDATED:
        this.updated = this.timeValue();
        return;
      default:
        return this.nameValue(key);
    }
  }

  private runIdValue(): void {
    const from = this.pos;
    this.skipNumber();
    // Digits alone, as debci writes them; any other form of a number is the exact path's.
    const value = plainWholeNumber(this.b, from, this.pos);
    if (value < 0) return this.doubt();
    this.runId = value;
  }

  /** A key and its colon: which kept field it is (an F_ bit), KEY_OTHER, KEY_ODD (an escape or a non-ASCII byte), or a top-level key. */
  private key(): number {
    const from = this.pos + 1;
    const to = this.keyThenColon();
    return this.odd ? KEY_ODD : keyOf(this.b, from, to);
  }

  /**
   * The f-th key of a record and its colon, as key() reads it. debci writes
   * every record's keys in one order, so the bytes the f-th key had in the
   * record before (quotes and colon included) are tried first: when they
   * are there byte for byte, the key is the same key, with no escape, and
   * nothing else need be read. Anything else is read as key() reads it, and
   * learnt when it is a plain key straight before its colon.
   */
  private fieldKey(f: number): number {
    const known = this.keyBytes[f];
    if (known !== undefined && this.startsWith(known, this.keyWords[f]!)) {
      this.pos += known.length;
      this.ws();
      return this.keyIds[f]!;
    }
    const start = this.pos;
    const to = this.keyThenColon();
    if (this.odd) return KEY_ODD;
    const key = keyOf(this.b, start + 1, to);
    // Learnt only when the colon follows the closing quote at once, so the bytes end with it.
    if (this.b[to + 1] === COLON && f < MAX_KNOWN_KEYS) {
      const bytes = Buffer.from(this.b.subarray(start, to + 2)); // a copy: the file's bytes are let go after the scan
      const words = new Int32Array(bytes.length >>> 2);
      for (let w = 0; w < words.length; w++) words[w] = bytes.readInt32LE(4 * w);
      this.keyBytes[f] = bytes;
      this.keyWords[f] = words;
      this.keyIds[f] = key;
    }
    return key;
  }

  /** Whether the input at the cursor starts with `bytes`: four bytes a read, then the rest one by one. */
  private startsWith(bytes: Buffer, words: Int32Array): boolean {
    const b = this.b;
    const at = this.pos;
    if (at + bytes.length > this.end) return false;
    const view = this.view;
    for (let w = 0; w < words.length; w++) if (view.getInt32(at + 4 * w, true) !== words[w]) return false;
    for (let k = 4 * words.length; k < bytes.length; k++) if (b[at + k] !== bytes[k]) return false;
    return true;
  }

  private doubt(): void {
    this.unsure = true;
  }

  /** A kept string's end, as keptString finds it; tried first as `last` again, as an upload's runs come together. */
  private nameString(last: LastName): number {
    const to = last.endIfRepeated(this.b, this.pos + 1, this.end);
    if (to < 0) return this.keptString();
    this.odd = false;
    this.pos = to + 1;
    return to;
  }

  private triggerValue(): void {
    if (this.peek() === QUOTE) {
      this.triggerNull = false;
      this.trigFrom = this.pos + 1;
      this.trigTo = this.nameString(this.lastTrigger);
      if (this.odd) this.doubt();
      return;
    }
    if (this.peek() === LETTER_N) {
      this.literal(LITERAL_NULL);
      this.triggerNull = true;
      return;
    }
    this.doubt();
    this.skipValue(0);
  }

  /** package, arch, suite, version: a non-empty string (version also null). */
  private nameValue(key: number): void {
    if (this.peek() !== QUOTE) {
      if (key === F_VERSION && this.peek() === LETTER_N) {
        this.literal(LITERAL_NULL);
        this.versionFrom = this.versionTo = 0;
        return;
      }
      this.doubt();
      this.skipValue(0);
      return;
    }
    const from = this.pos + 1;
    const last = key === F_PACKAGE ? this.lastPackage : key === F_SUITE ? this.lastSuite : key === F_VERSION ? this.lastVersion : null;
    const to = last === null ? this.keptString() : this.nameString(last);
    if (to === from || this.odd) this.doubt(); // empty: zod's to refuse
    if (key === F_PACKAGE) {
      this.pkgFrom = from;
      this.pkgTo = to;
    } else if (key === F_ARCH) {
      this.archFrom = from;
      this.archTo = to;
    } else if (key === F_SUITE) {
      this.suiteFrom = from;
      this.suiteTo = to;
    } else {
      this.versionFrom = from;
      this.versionTo = to;
    }
  }

  private statusValue(): void {
    const c = this.peek();
    if (c === LETTER_N) {
      this.literal(LITERAL_NULL);
      this.status = 0;
      return;
    }
    if (c !== QUOTE) {
      this.doubt();
      this.skipValue(0);
      return;
    }
    const from = this.pos + 1;
    const to = this.keptString();
    this.status = this.odd ? 0 : statusCode(this.b, from, to);
    if (this.status === 0) this.doubt();
  }

  /** A time field: null (NaN), or the CI service's own format; another form is the exact path's. */
  private timeValue(): number {
    const c = this.peek();
    if (c === LETTER_N) {
      this.literal(LITERAL_NULL);
      return Number.NaN;
    }
    if (c !== QUOTE) {
      this.doubt();
      this.skipValue(0);
      return Number.NaN;
    }
    const from = this.pos + 1;
    // debci's own form, 24 characters then the quote: a time that parses is digits and separators alone, so a plain string.
    if (from + 24 < this.end && this.b[from + 24] === QUOTE) {
      const t = parseIsoTimeBytes(this.b, from, from + 24);
      if (!Number.isNaN(t)) {
        this.pos = from + 25;
        return t;
      }
    }
    const to = this.keptString();
    const t = this.odd ? Number.NaN : parseIsoTimeBytes(this.b, from, to);
    if (Number.isNaN(t)) this.doubt();
    return t;
  }

}


/** Keys that are not kept fields: any other key (0), one the scanner cannot read, and the three top-level keys. */
const KEY_OTHER = 0;
const KEY_ODD = -1;
const KEY_RESULTS = 1 << 10;
const KEY_SINCE = 1 << 11;
const KEY_UNTIL = 1 << 12;

const word = (text: string) => Buffer.from(text, "latin1");
const W_ARCH = word("arch");
const W_SUITE = word("suite");
const W_SINCE = word("since");
const W_UNTIL = word("until");
const W_RUN_ID = word("run_id");
const W_STATUS = word("status");
const W_TRIGGER = word("trigger");
const W_PACKAGE = word("package");
const W_VERSION = word("version");
const W_RESULTS = word("results");
const W_CREATED = word("created_at");
const W_UPDATED = word("updated_at");

/** Whether bytes[from, from + w.length) are the word w (the caller has checked the length). */
function is(b: Uint8Array, from: number, w: Buffer): boolean {
  for (let k = 0; k < w.length; k++) if (b[from + k] !== w[k]) return false;
  return true;
}

/**
 * Which known key bytes[from, to) is (KEY_OTHER when none): by length, then
 * one telling byte, then the whole word. Every record has about twenty keys,
 * so this runs twenty million times on a million results.
 */
function keyOf(b: Uint8Array, from: number, to: number): number {
  switch (to - from) {
    case 4:
      return is(b, from, W_ARCH) ? F_ARCH : KEY_OTHER;
    case 5: {
      const c = b[from];
      if (c === 0x73) return is(b, from, W_SUITE) ? F_SUITE : is(b, from, W_SINCE) ? KEY_SINCE : KEY_OTHER;
      return c === 0x75 && is(b, from, W_UNTIL) ? KEY_UNTIL : KEY_OTHER;
    }
    case 6: {
      const c = b[from];
      if (c === 0x72) return is(b, from, W_RUN_ID) ? F_RUN_ID : KEY_OTHER;
      return c === 0x73 && is(b, from, W_STATUS) ? F_STATUS : KEY_OTHER;
    }
    case 7: {
      const c = b[from];
      if (c === 0x74) return is(b, from, W_TRIGGER) ? F_TRIGGER : KEY_OTHER;
      if (c === 0x70) return is(b, from, W_PACKAGE) ? F_PACKAGE : KEY_OTHER;
      if (c === 0x76) return is(b, from, W_VERSION) ? F_VERSION : KEY_OTHER;
      return c === 0x72 && is(b, from, W_RESULTS) ? KEY_RESULTS : KEY_OTHER;
    }
    case 10: {
      const c = b[from];
      if (c === 0x63) return is(b, from, W_CREATED) ? F_CREATED : KEY_OTHER;
      return c === 0x75 && is(b, from, W_UPDATED) ? F_UPDATED : KEY_OTHER;
    }
    default:
      return KEY_OTHER;
  }
}

const W_PASS = word("pass");
const W_FAIL = word("fail");
const W_NEUTRAL = word("neutral");
const W_TMPFAIL = word("tmpfail");

/** The status code of bytes[from, to), 0 when not one of debci's four. */
function statusCode(b: Uint8Array, from: number, to: number): number {
  const n = to - from;
  if (n === 4) return is(b, from, W_PASS) ? STATUS_PASS : is(b, from, W_FAIL) ? STATUS_FAIL : 0;
  if (n === 7) return is(b, from, W_NEUTRAL) ? STATUS_NEUTRAL : is(b, from, W_TMPFAIL) ? STATUS_TMPFAIL : 0;
  return 0;
}

function latin1(b: Uint8Array, from: number, to: number): string {
  return Buffer.from(b.buffer, b.byteOffset + from, to - from).toString("latin1");
}
