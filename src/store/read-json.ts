import { lstat, open, readFile, realpath, type FileHandle } from "node:fs/promises";
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
 * Two buffers lent in turn, for a reader that reads the next file while it
 * works on this one and lets each go before the one after (loadClaimed): a
 * results file's bytes are never kept once it is folded. A fresh buffer
 * per 5 MB file counted as external memory and set off a full collection
 * every few files, whose marking took a core from the other thread.
 */
export class AlternateBuffers {
  private readonly buffers = [Buffer.alloc(0), Buffer.alloc(0)];
  private turn = 0;

  /** `size` bytes, in the buffer not lent last time. */
  take(size: number): Buffer {
    this.turn ^= 1;
    let buffer = this.buffers[this.turn]!;
    // An eighth more than asked: results files differ by a few kilobytes, and each would otherwise grow it again.
    if (buffer.length < size) this.buffers[this.turn] = buffer = Buffer.allocUnsafeSlow(size + (size >>> 3));
    return buffer.subarray(0, size);
  }
}

/**
 * A file's bytes in one read into a buffer of its size: one request to the
 * thread pool (readFile reads in 512 KiB steps, each waiting for this
 * thread to be idle). The returned promise settles once that read is
 * handed to the pool, so a caller that then works on the file before has
 * the next one copied meanwhile; `done` is the bytes, or the size when it
 * is over `maxBytes`. A file that grew since its size was taken is read to
 * its end as readFile would.
 */
async function startWhole(path: string, maxBytes: number, buffers: AlternateBuffers | null): Promise<{ done: Promise<Buffer | number> }> {
  const handle = await open(path, "r");
  let size: number;
  try {
    ({ size } = await handle.stat());
  } catch (error) {
    await handle.close();
    throw error;
  }
  if (size > maxBytes) {
    await handle.close();
    return { done: Promise.resolve(size) };
  }
  const bytes = buffers === null ? Buffer.allocUnsafeSlow(size) : buffers.take(size);
  // An empty file asks for nothing: only the probe for growth below.
  return { done: finishWhole(path, maxBytes, handle, bytes, size === 0 ? null : handle.read(bytes, 0, size, 0)) };
}

async function finishWhole(path: string, maxBytes: number, handle: FileHandle, bytes: Buffer, first: Promise<{ bytesRead: number }> | null): Promise<Buffer | number> {
  try {
    let filled = 0;
    for (let read = first; read !== null; ) {
      const { bytesRead } = await read;
      if (bytesRead === 0) return bytes.subarray(0, filled); // shorter than its size said: what is there, as readFile gives
      filled += bytesRead;
      read = filled < bytes.length ? handle.read(bytes, filled, bytes.length - filled, filled) : null;
    }
    const probe = Buffer.alloc(1);
    if ((await handle.read(probe, 0, 1, bytes.length)).bytesRead === 0) return bytes;
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
export async function readFileBytes(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES, buffers: AlternateBuffers | null = null): Promise<BytesRead> {
  return (await readFileBytesAhead(path, maxBytes, buffers)).result;
}

/**
 * readFileBytes in two steps: this settles once the file's one large read
 * is under way (or its outcome is known), and `result` then never rejects.
 * A caller folding the file before gets the next one copied meanwhile.
 */
export async function readFileBytesAhead(path: string, maxBytes = DEFAULT_MAX_FILE_BYTES, buffers: AlternateBuffers | null = null): Promise<{ result: Promise<BytesRead> }> {
  try {
    const link = await linkProblem(path);
    if (link !== null) return { result: Promise.resolve({ ok: false, missing: false, problem: link }) };
    const { done } = await startWhole(path, maxBytes, buffers);
    return { result: done.then((whole) => finishBytes(path, whole, maxBytes), (error: unknown) => readProblem(path, error)) };
  } catch (error) {
    return { result: Promise.resolve(readProblem(path, error)) };
  }
}

/** A file that could not be read, worded for a person. */
function readProblem(path: string, error: unknown): BytesRead {
  const code = (error as NodeJS.ErrnoException).code;
  // A file of a state this user may not read: who, and what the host's admin does about it (shared-mode.ts).
  const denied = isPermissionDenied(error) ? permissionHelp(path, "read") : null;
  if (denied !== null) return { ok: false, missing: false, problem: `cannot read: ${denied}` };
  return { ok: false, missing: code === "ENOENT", problem: code === "ENOENT" ? "no such file" : `cannot read: ${code ?? (error as Error).message}` };
}

/** The bytes read (or the size over the limit), gunzipped when the name says so. */
function finishBytes(path: string, whole: Buffer | number, maxBytes: number): BytesRead {
  if (typeof whole === "number") return { ok: false, missing: false, problem: tooLarge(`${whole} bytes,`, maxBytes) };
  let bytes = whole;
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
