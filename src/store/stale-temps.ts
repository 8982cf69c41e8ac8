import { readdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import { isAlive } from "./process-alive.js";

/** `.NAME.PID.HEX.tmp`, as tempPathFor names them. */
const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/**
 * Removes temporary files that a writer killed before its rename left behind.
 * Only files whose writer is gone: a live writer's file is its work in progress.
 * Called by committing runs, under the lock.
 */
export async function removeStaleTemps(dirs: readonly string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      const m = TEMP_NAME.exec(name);
      if (m === null || isAlive(Number(m[1]))) continue;
      await unlink(join(dir, name)).catch(() => undefined);
      removed.push(join(dir, name));
    }
  }
  return removed;
}
