import { readFile, stat } from "node:fs/promises";
import type { Readable, Writable } from "node:stream";
import { InputError } from "../store/errors.js";
import { DEFAULT_MAX_FILE_BYTES } from "../store/read-json.js";

/** The streams a command talks through; tests pass their own. */
export interface CliIO {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

export const EXIT_OK = 0;
/** Bad input (in --strict mode) or unusable arguments. */
export const EXIT_BAD_INPUT = 1;
/** Another committing run holds the state directory's lock. */
export const EXIT_LOCKED = 2;

export function writeLine(stream: Writable, line: string): void {
  stream.write(`${line}\n`);
}

/** How much a LineBuffer gathers before it writes. */
const CHUNK_BYTES = 1 << 16;

/**
 * Lines gathered and written in chunks of 64 KiB: one write per answer cost
 * a fifth of a 60,000-need plan. Each line is encoded straight into the
 * chunk, not joined into a string and encoded again. Call `flush` at the end.
 */
/** How a kind of line is written as bytes: the most it takes, the writing, and the same line as a string (for one longer than a chunk). */
export interface LineWriter<T> {
  bound(value: T): number;
  /** Writes the line and its line feed at `at`; returns where they end. */
  write(value: T, buf: Buffer, at: number): number;
  line(value: T): string;
}

export class LineBuffer {
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private used = 0;

  constructor(private readonly stream: Writable) {}

  push(line: string): void {
    // A UTF-16 unit takes at most 3 bytes in UTF-8.
    const most = line.length * 3 + 1;
    if (this.used + most > CHUNK_BYTES) {
      this.flush();
      if (most > CHUNK_BYTES) {
        this.stream.write(`${line}\n`);
        return;
      }
    }
    this.used += this.chunk.write(line, this.used, "utf8");
    this.chunk[this.used++] = 10; // \n
  }

  /** A line written straight into the chunk as bytes by `writer` (its line feed included). */
  pushWritten<T>(value: T, writer: LineWriter<T>): void {
    const bound = writer.bound(value);
    if (this.used + bound > CHUNK_BYTES) {
      this.flush();
      if (bound > CHUNK_BYTES) {
        this.stream.write(`${writer.line(value)}\n`);
        return;
      }
    }
    this.used = writer.write(value, this.chunk, this.used);
  }

  flush(): void {
    if (this.used === 0) return;
    // The stream may hold the chunk until it is written: a new one for what follows.
    this.stream.write(this.chunk.subarray(0, this.used));
    this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    this.used = 0;
  }
}

/** All of a stream as text, refusing more than `maxBytes` (named by `what`) rather than holding it. */
export async function readAll(stream: Readable, what = "stdin", maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer);
    size += bytes.length;
    if (size > maxBytes) throw new InputError(`${what}: too large: over ${maxBytes} bytes`);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A whole input file as text (needs, an AMQP file), refusing one over `maxBytes`; errors name the file. */
export async function readTextFile(path: string, what: string, maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<string> {
  try {
    const { size } = await stat(path);
    if (size > maxBytes) throw new InputError(`${what}: too large: ${size} bytes, over ${maxBytes}`);
    return await readFile(path, "utf8");
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`${what}: ${code === "ENOENT" ? "no such file" : `cannot read (${code ?? (error as Error).message})`}`);
  }
}

/** Whether a stream is a terminal a person reads (Node's own streams say so; a pipe, a file or a test's stream does not). */
export function isTerminal(stream: unknown): boolean {
  return (stream as { isTTY?: boolean }).isTTY === true;
}

/** Colour on a terminal, unless NO_COLOR (https://no-color.org) is set to anything. */
export function colourWanted(): boolean {
  return process.env.NO_COLOR === undefined || process.env.NO_COLOR === "";
}
