import { randomBytes } from "node:crypto";
import { open, rename, unlink } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { WriteError } from "./errors.js";
import { crashPoint, type CrashPoint } from "./faults.js";
import { makeDirs, shareNewFile } from "./shared-mode.js";

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
 * Writes `content` to a new temporary file beside `path` and flushes it; the
 * caller renames it into place. In a shared state the file is made
 * group-writable as soon as it exists (shared-mode.ts), long before the rename.
 */
async function writeTemp(path: string, content: string | Readable): Promise<string> {
  await makeDirs(dirname(path)).catch((error: unknown) => {
    throw new WriteError(path, error);
  });
  const temp = tempPathFor(path);
  try {
    const handle = await open(temp, "w");
    try {
      await shareNewFile(temp, handle);
    } catch (error) {
      await handle.close();
      throw error;
    }
    await pipeline(typeof content === "string" ? Readable.from([content]) : content, handle.createWriteStream());
    await fsyncPath(temp);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw new WriteError(path, error);
  }
  return temp;
}

/**
 * Writes a file so that a reader sees the old content or the new, never a
 * mix: write a temporary file beside it, flush it to disk, rename it over.
 */
export async function writeFileAtomic(path: string, content: string | Readable, crashBeforeRename?: CrashPoint): Promise<void> {
  const temp = await writeTemp(path, content);
  try {
    if (crashBeforeRename !== undefined) crashPoint(crashBeforeRename);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error instanceof WriteError ? error : new WriteError(path, error);
  }
  await fsyncPath(dirname(path)).catch(() => undefined); // make the rename itself durable where the platform allows
}

/**
 * Writes several files that are read together (britney2's results cache,
 * pending file and debci.json): every one is written and flushed beside its
 * place before any is renamed, so a file that cannot be written leaves all
 * of them as they were rather than half a picture.
 */
export async function writeFilesTogether(files: readonly { path: string; content: string | Readable }[]): Promise<void> {
  const temps: string[] = [];
  try {
    for (const file of files) temps.push(await writeTemp(file.path, file.content));
    for (const [i, file] of files.entries()) {
      await rename(temps[i]!, file.path).catch((error: unknown) => {
        throw new WriteError(file.path, error);
      });
    }
  } finally {
    await Promise.all(temps.map((t) => unlink(t).catch(() => undefined)));
  }
  await Promise.all(files.map((f) => fsyncPath(dirname(f.path)).catch(() => undefined)));
}
