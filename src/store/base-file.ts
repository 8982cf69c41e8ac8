import { createReadStream } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { Readable } from "node:stream";
import { RunStore, TABLE_NAMES, type TableName } from "../core/run-store.js";
import { BASE_FORMAT, baseHeaderSchema, baseTableLineSchema, binaryBaseHeaderSchema, isEncodedRun, storedBaseHeaderSchema, type BaseHeader } from "../formats/base-file.js";
import type { StringTableParts } from "../core/string-table.js";
import { firstProblem } from "../formats/problems.js";
import { writeFileAtomic } from "./atomic-write.js";
import { InputError } from "./errors.js";
import { LineSplitter } from "./line-splitter.js";
import type { StatePaths } from "./state-paths.js";

/**
 * The compacted base, binary and columnar (`debci-bridge-base/3`), laid out
 * as the run store holds it in memory, so loading is one read and views of
 * its bytes: no row parsed, no name hashed or decoded.
 *
 *   "DBBASE3\n"                    8 bytes, the magic
 *   header length H                 4 bytes, little-endian
 *   header                          H bytes of JSON: format, compactedAt, runs,
 *                                   until, folded, and each string table's
 *                                   sizes (bytes, names, slots) and odd names
 *   zero padding to a multiple of 8
 *   for each table (suites, arches, packages, versions, triggers), each part
 *   padded to a multiple of 8:
 *     bytes                         the names' UTF-8 end to end
 *     ends                          (names + 1) x 4 bytes, uint32 LE
 *     slots                         slots x 4 bytes, int32 LE: the hash index
 *   runIds, created, updated        runs x 8 bytes each, float64 LE (NaN: null)
 *   suites, arches, packages,
 *   versions, triggers              runs x 4 bytes each, uint32 LE (0: null)
 *   statuses                        runs x 1 byte (0 null, 1 pass, 2 fail, 3 neutral, 4 tmpfail)
 *
 * Rows are in run-id order. `debci-bridge-base/2` ("DBBASE2\n": the same
 * columns, the tables as JSON string arrays in the header) is still read.
 * `debci-bridge dump-base` shows either as JSON lines.
 */
const MAGIC = Buffer.from("DBBASE3\n");
const MAGIC_V2 = Buffer.from("DBBASE2\n");
const FLOAT_COLUMNS = ["runIds", "created", "updated"] as const;
const ID_COLUMNS = ["suites", "arches", "packages", "versions", "triggers"] as const;

const padTo8 = (n: number) => (8 - (n % 8)) % 8;

/** The bytes of a typed array, little-endian as this machine (x86, arm) keeps them. */
const bytesOf = (a: Float64Array | Uint32Array | Int32Array | Uint8Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

function* storedBase(store: RunStore, header: BaseHeader): Generator<Buffer> {
  const parts = store.tableParts();
  const tables = Object.fromEntries(TABLE_NAMES.map((name) => [name, { bytes: parts[name].bytes.length, names: parts[name].ends.length - 1, slots: parts[name].slots.length, odd: parts[name].odd }]));
  const json = Buffer.from(JSON.stringify({ ...header, format: BASE_FORMAT, tables }));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  yield Buffer.concat([MAGIC, length, json, Buffer.alloc(padTo8(MAGIC.length + 4 + json.length))]);
  for (const name of TABLE_NAMES) {
    for (const part of [parts[name].bytes, parts[name].ends, parts[name].slots]) {
      yield bytesOf(part);
      yield Buffer.alloc(padTo8(part.byteLength));
    }
  }
  const columns = store.columnsInOrder(store.rowsByRunId());
  for (const name of FLOAT_COLUMNS) yield bytesOf(columns[name]);
  for (const name of ID_COLUMNS) yield bytesOf(columns[name]);
  yield bytesOf(columns.statuses);
}

/** Writes the compacted base atomically (see the format above). */
export async function writeBase(path: string, store: RunStore, header: BaseHeader): Promise<void> {
  await writeFileAtomic(path, Readable.from(storedBase(store, header)), "compact-before-rename");
}

const damagedBase = (path: string, problem: string) => new InputError(`${path}: ${problem}; the compacted base is damaged (restore it, or remove it and re-fetch the results it folded)`);

/** The header of a binary base (either version): its JSON, parsed, and where the bytes after it start. */
function binaryHeaderJson(path: string, bytes: Buffer): { value: unknown; end: number } {
  if (bytes.length < 12) throw damagedBase(path, "cut short in its header");
  const length = bytes.readUInt32LE(8);
  if (12 + length > bytes.length) throw damagedBase(path, "cut short in its header");
  try {
    return { value: JSON.parse(bytes.subarray(12, 12 + length).toString("utf8")), end: 12 + length + padTo8(12 + length) };
  } catch (error) {
    throw damagedBase(path, `header is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * Reads a `debci-bridge-base/3` into an empty run store: every table and
 * column a view of the file's bytes (copied once only when the read left
 * them unaligned), then checked as a whole, never row by row into maps.
 */
function readStoredBase(path: string, file: Buffer, store: RunStore): BaseHeader {
  // Typed-array views need their offsets aligned to their element size: the file's bytes at an offset of 0 mod 8.
  const bytes = file.byteOffset % 8 === 0 ? file : Buffer.from(new Uint8Array(file));
  const { value, end } = binaryHeaderJson(path, bytes);
  const parsed = storedBaseHeaderSchema.safeParse(value);
  if (!parsed.success) throw damagedBase(path, `header: ${firstProblem(parsed.error)}`);
  const { tables, ...header } = parsed.data;
  const n = header.runs;
  const tableBytes = TABLE_NAMES.reduce((sum, name) => {
    const t = tables[name];
    return sum + t.bytes + padTo8(t.bytes) + (t.names + 1) * 4 + padTo8((t.names + 1) * 4) + t.slots * 4 + padTo8(t.slots * 4);
  }, 0);
  const expected = end + tableBytes + n * (8 * FLOAT_COLUMNS.length + 4 * ID_COLUMNS.length + 1);
  if (bytes.length !== expected) throw damagedBase(path, `${bytes.length} bytes where its header says ${expected} (cut short?)`);
  let at = end;
  const view = <T>(make: (buffer: ArrayBufferLike, offset: number, length: number) => T, length: number, width: number): T => {
    const made = make(bytes.buffer, bytes.byteOffset + at, length);
    at += length * width;
    at += padTo8(at);
    return made;
  };
  const parts = {} as Record<TableName, StringTableParts>;
  for (const name of TABLE_NAMES) {
    const t = tables[name];
    const names = view((b, o, l) => new Uint8Array(b, o, l), t.bytes, 1);
    const ends = view((b, o, l) => new Uint32Array(b, o, l), t.names + 1, 4);
    const slots = view((b, o, l) => new Int32Array(b, o, l), t.slots, 4);
    parts[name] = { bytes: names, ends, slots, odd: t.odd };
  }
  if (!store.adoptTableParts(parts)) throw damagedBase(path, "a string table that does not hold together");
  store.sealTables();
  // Columns follow one another unpadded, as v2 lays them: 8-byte ones first, so each starts aligned to its width.
  const column = <T>(make: (buffer: ArrayBufferLike, offset: number, length: number) => T, width: number): T => {
    const made = make(bytes.buffer, bytes.byteOffset + at, n);
    at += n * width;
    return made;
  };
  const floats = FLOAT_COLUMNS.map(() => column((b, o, l) => new Float64Array(b as ArrayBuffer, o, l), 8));
  const ids = ID_COLUMNS.map(() => column((b, o, l) => new Uint32Array(b as ArrayBuffer, o, l), 4));
  const statuses = column((b, o, l) => new Uint8Array(b as ArrayBuffer, o, l), 1);
  const problem = store.adoptColumns({ runIds: floats[0]!, created: floats[1]!, updated: floats[2]!, suites: ids[0]!, arches: ids[1]!, packages: ids[2]!, versions: ids[3]!, triggers: ids[4]!, statuses });
  if (problem !== null) throw damagedBase(path, problem);
  return header;
}

/** Reads a `debci-bridge-base/2` into an empty run store: the tables adopted from its header, the columns copied whole. */
function readBinaryBase(path: string, bytes: Buffer, store: RunStore): BaseHeader {
  const { value, end } = binaryHeaderJson(path, bytes);
  const parsed = binaryBaseHeaderSchema.safeParse(value);
  if (!parsed.success) throw damagedBase(path, `header: ${firstProblem(parsed.error)}`);
  const { tables, ...header } = parsed.data;
  const n = header.runs;
  let at = end;
  if (bytes.length !== at + n * (8 * FLOAT_COLUMNS.length + 4 * ID_COLUMNS.length + 1)) throw damagedBase(path, `${bytes.length} bytes where ${header.runs} runs need ${at + n * 45} (cut short?)`);
  // Copies into fresh buffers: aligned whatever the file's buffer, and the file's bytes can go.
  const take = <T>(make: (b: ArrayBuffer) => T, width: number): T => {
    const copy = new ArrayBuffer(n * width);
    new Uint8Array(copy).set(bytes.subarray(at, at + n * width));
    at += n * width;
    return make(copy);
  };
  const floats = FLOAT_COLUMNS.map(() => take((b) => new Float64Array(b), 8));
  const ids = ID_COLUMNS.map(() => take((b) => new Uint32Array(b), 4));
  const statuses = take((b) => new Uint8Array(b), 1);
  for (const name of TABLE_NAMES) if (!store.adoptTable(name, tables[name])) throw damagedBase(path, `the ${name} table names one name twice`);
  store.sealTables();
  const problem = store.adoptColumns({ runIds: floats[0]!, created: floats[1]!, updated: floats[2]!, suites: ids[0]!, arches: ids[1]!, packages: ids[2]!, versions: ids[3]!, triggers: ids[4]!, statuses });
  if (problem !== null) throw damagedBase(path, problem);
  return header;
}

/** Which binary base a file is by its magic: 3, 2, or 0 for the older JSON lines; null when there is no file. */
async function binaryVersion(path: string): Promise<number | null> {
  let handle;
  try {
    handle = await open(path, "r");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  try {
    const first = Buffer.alloc(MAGIC.length);
    await handle.read(first, 0, MAGIC.length, 0);
    return first.equals(MAGIC) ? 3 : first.equals(MAGIC_V2) ? 2 : 0;
  } finally {
    await handle.close();
  }
}

/** The longest line of a base: string tables come in chunks of 10,000 names, and the header lists folded files. */
const MAX_BASE_LINE_BYTES = 64 << 20;

/**
 * Reads a compacted base into an empty run store, line by line (no string
 * limit applies however large it grows). A damaged base is an error, never
 * skipped: its folded files may have been pruned, and answering without
 * them would ask for everything again.
 */
export async function readBase(path: string, store: RunStore): Promise<BaseHeader | null> {
  const version = await binaryVersion(path);
  if (version === null) return null;
  if (version === 3) return readStoredBase(path, await readFile(path), store);
  if (version === 2) return readBinaryBase(path, await readFile(path), store);
  return readJsonlBase(path, store);
}

/** The older base (`debci-bridge-base/1`): JSON lines, one run per line, still read. */
async function readJsonlBase(path: string, store: RunStore): Promise<BaseHeader | null> {
  const damaged = (line: number, problem: string) => new InputError(`${path} line ${line}: ${problem}; the compacted base is damaged (restore it, or remove it and re-fetch the results it folded)`);
  let header: BaseHeader | null = null;
  let runs = 0;
  let sealed = false;
  let lineNumber = 0;
  const handle = (line: string) => {
    lineNumber++;
    if (line === "") return;
    if (header === null) {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw damaged(lineNumber, `not valid JSON: ${(error as Error).message}`);
      }
      const parsed = baseHeaderSchema.safeParse(value);
      if (!parsed.success) throw damaged(lineNumber, firstProblem(parsed.error));
      header = parsed.data;
      store.reserve(parsed.data.runs);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw damaged(lineNumber, `not valid JSON: ${(error as Error).message}`);
    }
    if (Array.isArray(value)) {
      if (!sealed) {
        store.sealTables();
        sealed = true;
      }
      if (!isEncodedRun(value) || !store.fitsTables(value)) throw damaged(lineNumber, "not a run of this base");
      // A base is written from one run store, a run id once: one met twice as two runs is damage.
      if (!store.mergeEncoded(value)) throw damaged(lineNumber, `run ${value[0]} again, as another run`);
      runs++;
      return;
    }
    const table = baseTableLineSchema.safeParse(value);
    if (!table.success || sealed) throw damaged(lineNumber, table.success ? "a string table after the runs" : firstProblem(table.error));
    if (!store.adoptTable(table.data.table as TableName, table.data.values)) throw damaged(lineNumber, `the ${table.data.table} table names one name twice`);
  };
  const splitter = new LineSplitter(MAX_BASE_LINE_BYTES);
  const take = (line: string | null) => {
    if (line === null) throw damaged(lineNumber + 1, `a line longer than ${MAX_BASE_LINE_BYTES} bytes`);
    handle(line);
  };
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) for (const line of splitter.push(chunk as Buffer)) take(line);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  const rest = splitter.end();
  if (rest !== undefined) take(rest);
  if (header === null) throw damaged(1, "empty file");
  if (!sealed) store.sealTables();
  const expected = (header as BaseHeader).runs;
  if (runs !== expected) throw damaged(lineNumber, `holds ${runs} runs where its header says ${expected} (cut short?)`);
  return header;
}

/** Only the base's first line, the header: what the watermark needs, without loading millions of runs. */
export async function readBaseHeader(path: string): Promise<BaseHeader | null> {
  const version = await binaryVersion(path);
  if (version === null) return null;
  if (version !== 0) return binaryHeader(path, version);
  return jsonlHeader(path);
}

/** A binary base's header, read alone: the watermark and prune need only the folded files. */
async function binaryHeader(path: string, version: number): Promise<BaseHeader> {
  const handle = await open(path, "r");
  try {
    const head = Buffer.alloc(12);
    await handle.read(head, 0, 12, 0);
    const length = head.readUInt32LE(8);
    if (length > MAX_BASE_LINE_BYTES) throw new InputError(`${path}: a header of ${length} bytes; the compacted base is damaged`);
    const json = Buffer.alloc(length);
    const { bytesRead } = await handle.read(json, 0, length, 12);
    let value: unknown;
    try {
      value = JSON.parse(json.subarray(0, bytesRead).toString("utf8"));
    } catch (error) {
      throw new InputError(`${path}: header is not valid JSON: ${(error as Error).message}; the compacted base is damaged`);
    }
    const parsed = (version === 3 ? storedBaseHeaderSchema : binaryBaseHeaderSchema).safeParse(value);
    if (!parsed.success) throw new InputError(`${path}: header: ${firstProblem(parsed.error)}; the compacted base is damaged`);
    const { tables: _tables, ...header } = parsed.data;
    return header;
  } finally {
    await handle.close();
  }
}

async function jsonlHeader(path: string): Promise<BaseHeader | null> {
  let first: string | null | undefined;
  try {
    const splitter = new LineSplitter(MAX_BASE_LINE_BYTES);
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 16 })) {
      first = splitter.push(chunk as Buffer)[0];
      if (first !== undefined) break;
    }
    if (first === undefined) first = splitter.end() ?? "";
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  if (first === null) throw new InputError(`${path} line 1: longer than ${MAX_BASE_LINE_BYTES} bytes; the compacted base is damaged`);
  let value: unknown;
  try {
    value = JSON.parse(first);
  } catch (error) {
    throw new InputError(`${path} line 1: not valid JSON: ${(error as Error).message}; the compacted base is damaged`);
  }
  const parsed = baseHeaderSchema.safeParse(value);
  if (!parsed.success) throw new InputError(`${path} line 1: ${firstProblem(parsed.error)}; the compacted base is damaged`);
  return parsed.data;
}

/** Where a state's base is: the binary one, else the older JSON-lines one while it is the only one. */
type BasePaths = Pick<StatePaths, "base" | "legacyBase">;

/** Reads a state's base into an empty run store (see BasePaths); null when it has none. */
export async function readStateBase(paths: BasePaths, store: RunStore): Promise<BaseHeader | null> {
  return (await readBase(paths.base, store)) ?? (paths.legacyBase === null ? null : readBase(paths.legacyBase, store));
}

/** A state's base header alone (see BasePaths). */
export async function readStateBaseHeader(paths: BasePaths): Promise<BaseHeader | null> {
  return (await readBaseHeader(paths.base)) ?? (paths.legacyBase === null ? null : readBaseHeader(paths.legacyBase));
}
