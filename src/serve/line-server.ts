import { performance } from "node:perf_hooks";
import type { Readable, Writable } from "node:stream";
import type { Dispatcher } from "./dispatch.js";

/**
 * Reads request lines from `input` and writes one response line each, in
 * order. Responses to all the lines of one chunk of input go out in one
 * write: cheap when a client pipelines thousands of questions, immediate
 * when it asks one at a time.
 */
export interface ServeStats {
  lines: number;
  /** Time spent handling input (parsing, answering, writing), not waiting for it. */
  busyMs: number;
}

/** The longest request line read: a question is a few hundred bytes, so this only stops a runaway client. */
export const MAX_LINE_BYTES = 1 << 20;

/**
 * Splits bytes into lines in linear time: each chunk is searched once for
 * newlines, and a line's bytes are decoded only when it is whole, so a UTF-8
 * character split across reads stays one character. A line longer than
 * `maxBytes` is dropped as it streams (never held) and reported as such.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private overflow = false;

  constructor(private readonly maxBytes: number) {}

  /** The complete lines in this chunk: text, or `null` for a line over the limit. */
  push(chunk: Buffer): Array<string | null> {
    const lines: Array<string | null> = [];
    let from = 0;
    for (let nl = chunk.indexOf(0x0a, from); nl !== -1; nl = chunk.indexOf(0x0a, from)) {
      this.keep(chunk.subarray(from, nl));
      lines.push(this.take());
      from = nl + 1;
    }
    if (from < chunk.length) this.keep(chunk.subarray(from));
    return lines;
  }

  /** What is left after the input ended, if anything. */
  end(): string | null | undefined {
    if (this.size === 0 && !this.overflow) return undefined;
    return this.take();
  }

  private keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.size += bytes.length;
    if (this.size > this.maxBytes) {
      this.overflow = true;
      this.parts = [];
      return;
    }
    if (!this.overflow) this.parts.push(Buffer.from(bytes)); // a copy: the stream may reuse its buffer
  }

  private take(): string | null {
    const line = this.overflow ? null : Buffer.concat(this.parts).toString("utf8");
    this.parts = [];
    this.size = 0;
    this.overflow = false;
    return line;
  }
}

export async function serveLines(input: Readable, output: Writable, dispatcher: Dispatcher, maxLineBytes = MAX_LINE_BYTES): Promise<ServeStats> {
  const splitter = new LineSplitter(maxLineBytes);
  let lineNumber = 0;
  let busyMs = 0;
  // Synchronous unless the dispatcher answers with a promise (commit): no promise per question.
  const answer = (line: string | null): string | Promise<string> | null => {
    lineNumber++;
    if (line === null) return JSON.stringify({ id: null, error: { message: `line ${lineNumber}: longer than ${maxLineBytes} bytes: not read` } });
    if (line.trim() === "") return null;
    return dispatcher.handle(line, lineNumber);
  };
  for await (const chunk of input) {
    const started = performance.now();
    const out: string[] = [];
    for (const line of splitter.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : (chunk as Buffer))) {
      const response = answer(line);
      if (response !== null) out.push(typeof response === "string" ? response : await response);
    }
    if (out.length > 0) output.write(`${out.join("\n")}\n`);
    busyMs += performance.now() - started;
  }
  const rest = splitter.end();
  if (rest !== undefined) {
    const response = answer(rest);
    if (response !== null) output.write(`${typeof response === "string" ? response : await response}\n`);
  }
  return { lines: lineNumber, busyMs };
}
