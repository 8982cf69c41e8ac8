import { lstat, open, readFile, realpath } from "node:fs/promises";
import { dirname, sep } from "node:path";
import { gunzipSync } from "node:zlib";
import { isPermissionDenied, permissionHelp } from "./shared-mode.js";

export type JsonRead = { ok: true; value: unknown } | { ok: false; missing: boolean; problem: string };

/** The largest file (after gunzip) any reader takes by default: far above a real one, far below what exhausts memory. */
export const DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024;

const tooLarge = (what: string, max: number) => `too large: ${what} over the limit of ${max} bytes (maxFileBytes in debci-bridge.json)`;

/**
 * Where a file may be read from: a symbolic link may lead elsewhere within
 * its own directory, never out of it (so no warning ever quotes a file
 * outside the state). Returns the problem, or null.
 */
async function linkProblem(path: string): Promise<string | null> {
  const info = await lstat(path);
  if (!info.isSymbolicLink()) return null;
  const [target, home] = await Promise.all([realpath(path), realpath(dirname(path))]);
  return target.startsWith(home + sep) ? null : "a symbolic link to a file outside its directory: not read";
}

/**
 * A file's bytes in one read into a buffer of its size: one request to the
 * thread pool, which finishes while the caller works on the file before
 * (readFile reads in 512 KiB steps, each waiting for this thread to be
 * idle, so a read started before a long synchronous scan barely moved).
 * Returns the size instead when it is over `maxBytes`. A file that grew
 * since its size was taken is read to its end as readFile would.
 */
async function readWhole(path: string, maxBytes: number): Promise<Buffer | number> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    if (size > maxBytes) return size;
    const bytes = Buffer.allocUnsafeSlow(size);
    let filled = 0;
    while (filled < size) {
      const { bytesRead } = await handle.read(bytes, filled, size - filled, filled);
      if (bytesRead === 0) return bytes.subarray(0, filled); // shorter than its size said: what is there, as readFile gives
      filled += bytesRead;
    }
    const probe = Buffer.alloc(1);
    if ((await handle.read(probe, 0, 1, size)).bytesRead === 0) return bytes;
  } finally {
    await handle.close();
  }
  const grown = await readFile(path);
  return grown.length > maxBytes ? grown.length : grown;
}

export type BytesRead = { ok: true; bytes: Buffer } | { ok: false; missing: boolean; problem: string };

/**
 * Reads a file whole (gunzipped when it ends in .gz); never throws for bad
 * content. At most `maxBytes` are read or decompressed: a gzip bomb is
 * reported as too large, not unpacked.
 */
export async function readFileBytes(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<BytesRead> {
  let bytes: Buffer;
  try {
    const link = await linkProblem(path);
    if (link !== null) return { ok: false, missing: false, problem: link };
    const whole = await readWhole(path, maxBytes);
    if (typeof whole === "number") return { ok: false, missing: false, problem: tooLarge(`${whole} bytes,`, maxBytes) };
    bytes = whole;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A file of a state this user may not read: who, and what the host's admin does about it (shared-mode.ts).
    const denied = isPermissionDenied(error) ? permissionHelp(path, "read") : null;
    if (denied !== null) return { ok: false, missing: false, problem: `cannot read: ${denied}` };
    return { ok: false, missing: code === "ENOENT", problem: code === "ENOENT" ? "no such file" : `cannot read: ${code ?? (error as Error).message}` };
  }
  if (path.endsWith(".gz")) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: maxBytes });
    } catch (error) {
      const e = error as NodeJS.ErrnoException;
      if (e.code === "ERR_BUFFER_TOO_LARGE" || e instanceof RangeError) return { ok: false, missing: false, problem: tooLarge("decompresses to", maxBytes) };
      return { ok: false, missing: false, problem: `not valid gzip (truncated download?): ${e.message}` };
    }
  }
  return { ok: true, bytes };
}

/** A file's bytes parsed as JSON (UTF-8, as JSON.parse of its text): the value, or the problem worded for a person. */
export function parseJsonBytes(bytes: Buffer): JsonRead {
  try {
    return { ok: true, value: JSON.parse(bytes.toString("utf8")) };
  } catch (error) {
    // Only an end that comes too soon looks like a cut-off download; anything else is a file written wrong.
    const message = (error as Error).message;
    return { ok: false, missing: false, problem: /Unexpected end of JSON input|Unterminated string/.test(message) ? `not valid JSON (cut short: a truncated download?): ${message}` : `not valid JSON: ${message}` };
  }
}

/** Reads and parses a JSON file (see readFileBytes and parseJsonBytes). */
export async function readJsonFile(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES): Promise<JsonRead> {
  const read = await readFileBytes(path, maxBytes);
  return read.ok ? parseJsonBytes(read.bytes) : read;
}
