import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { JsonStreamStringify } from "json-stream-stringify";
import { RunStore, TABLE_NAMES, type TableName } from "../core/run-store.js";
import { baseHeaderSchema, baseTableLineSchema, isEncodedRun, type BaseHeader } from "../formats/base-file.js";
import { firstProblem } from "../formats/problems.js";
import { writeFileAtomic } from "./atomic-write.js";
import { InputError } from "./errors.js";
import { LineSplitter } from "./line-splitter.js";

const TABLE_CHUNK = 10_000;
const RUNS_PER_WRITE = 5_000;

/** The base's lines, produced as they are written: never one string of the whole file. */
async function* baseLines(store: RunStore, header: BaseHeader): AsyncGenerator<string> {
  for await (const chunk of new JsonStreamStringify(header)) yield chunk as string;
  yield "\n";
  const tables = store.tables();
  for (const table of TABLE_NAMES) {
    const values = tables[table];
    for (let i = 0; i < values.length; i += TABLE_CHUNK) yield `${JSON.stringify({ table, values: values.slice(i, i + TABLE_CHUNK) })}\n`;
  }
  let lines: string[] = [];
  for (const row of store.rowsByRunId()) {
    lines.push(JSON.stringify(store.encodedRow(row)));
    if (lines.length === RUNS_PER_WRITE) {
      yield `${lines.join("\n")}\n`;
      lines = [];
    }
  }
  if (lines.length > 0) yield `${lines.join("\n")}\n`;
}

/** Writes the compacted base atomically: header, string tables, one run per line. */
export async function writeBase(path: string, store: RunStore, header: BaseHeader): Promise<void> {
  await writeFileAtomic(path, Readable.from(baseLines(store, header)), "compact-before-rename");
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
      store.mergeEncoded(value);
      runs++;
      return;
    }
    const table = baseTableLineSchema.safeParse(value);
    if (!table.success || sealed) throw damaged(lineNumber, table.success ? "a string table after the runs" : firstProblem(table.error));
    store.adoptTable(table.data.table as TableName, table.data.values);
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
