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

export async function serveLines(input: Readable, output: Writable, dispatcher: Dispatcher): Promise<ServeStats> {
  let pending = "";
  let lineNumber = 0;
  let busyMs = 0;
  for await (const chunk of input) {
    const started = performance.now();
    pending += typeof chunk === "string" ? chunk : (chunk as Buffer).toString("utf8");
    const lines = pending.split("\n");
    pending = lines.pop()!;
    const out: string[] = [];
    for (const line of lines) {
      lineNumber++;
      if (line.trim() === "") continue;
      const response = dispatcher.handle(line, lineNumber);
      out.push(typeof response === "string" ? response : await response);
    }
    if (out.length > 0) output.write(`${out.join("\n")}\n`);
    busyMs += performance.now() - started;
  }
  if (pending.trim() !== "") output.write(`${await dispatcher.handle(pending, ++lineNumber)}\n`);
  return { lines: lineNumber, busyMs };
}
