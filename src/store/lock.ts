import { link, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { LockHeldError, WriteError, type LockHolder } from "./errors.js";
import { tempPathFor } from "./atomic-write.js";
import { isAlive } from "./process-alive.js";
import { shareNewFile } from "./shared-mode.js";

export interface HeldLock {
  path: string;
  release(): Promise<void>;
}

async function readHolder(path: string): Promise<{ text: string; holder: LockHolder | null } | null> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  try {
    const holder = JSON.parse(text) as LockHolder;
    return { text, holder: typeof holder.pid === "number" ? holder : null };
  } catch {
    return { text, holder: null };
  }
}

/** A lock left by a process of this host that no longer exists. */
function isStale(holder: LockHolder | null): boolean {
  return holder !== null && holder.hostname === hostname() && holder.pid !== process.pid && !isAlive(holder.pid);
}

/**
 * Moves a dead holder's lock aside. The rename is atomic, so of two runs
 * racing to take over, one gets the file; if what it got is not the dead
 * holder's lock (a live run took over first), it puts it back.
 */
async function takeOver(path: string, staleText: string): Promise<void> {
  const aside = `${path}.stale.${process.pid}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  const got = await readFile(aside, "utf8");
  if (got !== staleText) await link(aside, path).catch(() => undefined);
  await unlink(aside);
}

/** How often a waiting run looks at the lock again. */
const WAIT_STEP_MS = 250;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Takes the lock, waiting up to `waitMs` for a live holder to finish (a
 * britney2 run should wait out a cron job's compaction, not fail), then
 * throws LockHeldError naming the holder. Counted in steps, not read from
 * the clock.
 */
export async function acquireLock(path: string, command: string, now: number, waitMs = 0): Promise<HeldLock> {
  for (let waited = 0; ; waited += WAIT_STEP_MS) {
    try {
      return await tryLock(path, command, now);
    } catch (error) {
      if (!(error instanceof LockHeldError) || waited >= waitMs) throw error;
      await sleep(Math.min(WAIT_STEP_MS, waitMs - waited));
    }
  }
}

/**
 * Takes the state directory's lock for a committing run (`now`, the run's
 * time, is recorded as when it started), or throws
 * LockHeldError naming the holder. Created by link(2), which fails if the
 * lock exists, so the file is never seen half-written.
 */
async function tryLock(path: string, command: string, now: number): Promise<HeldLock> {
  const mine = `${JSON.stringify({ pid: process.pid, hostname: hostname(), command, startedAt: new Date(now).toISOString() })}\n`;
  const temp = tempPathFor(path);
  try {
    await writeFile(temp, mine);
    // In a shared state the other user must be able to read, take over and remove it: group-writable before it is the lock.
    await shareNewFile(temp);
  } catch (error) {
    await unlink(temp).catch(() => undefined); // a full disk leaves an empty file behind otherwise
    throw new WriteError(path, error);
  }
  try {
    for (let attempt = 0; attempt < 5; attempt++) {
      try {
        await link(temp, path);
        return { path, release: () => releaseLock(path, mine) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw new WriteError(path, error);
      }
      const current = await readHolder(path);
      if (current === null) continue; // released meanwhile
      if (!isStale(current.holder)) throw new LockHeldError(path, current.holder);
      await takeOver(path, current.text);
    }
    const last = await readHolder(path);
    throw new LockHeldError(path, last?.holder ?? null);
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

async function releaseLock(path: string, mine: string): Promise<void> {
  const current = await readHolder(path);
  if (current !== null && current.text === mine) await unlink(path);
}
