import { performance } from "node:perf_hooks";
import type { Readable, Writable } from "node:stream";
import { LineSplitter } from "../store/line-splitter.js";
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
