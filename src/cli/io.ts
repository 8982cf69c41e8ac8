import type { Readable, Writable } from "node:stream";

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

export async function readAll(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString("utf8");
}
