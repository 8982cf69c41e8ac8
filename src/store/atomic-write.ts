import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { WriteError } from "./errors.js";
import { crashPoint, type CrashPoint } from "./faults.js";

/** Temporary files start with a dot, which every reader of the state directory skips. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`);
}

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes a file so that a reader sees the old content or the new, never a
 * mix: write a temporary file beside it, flush it to disk, rename it over.
 */
export async function writeFileAtomic(path: string, content: string | Readable, crashBeforeRename?: CrashPoint): Promise<void> {
  await mkdir(dirname(path), { recursive: true }).catch((error: unknown) => {
    throw new WriteError(path, error);
  });
  const temp = tempPathFor(path);
  try {
    await pipeline(typeof content === "string" ? Readable.from([content]) : content, createWriteStream(temp));
    await fsyncPath(temp);
    if (crashBeforeRename !== undefined) crashPoint(crashBeforeRename);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error instanceof WriteError ? error : new WriteError(path, error);
  }
  await fsyncPath(dirname(path)).catch(() => undefined); // make the rename itself durable where the platform allows
}
