import { realpath, stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { InputError } from "./errors.js";
import { isPermissionDenied, noteStateDir, noteStateParts, permissionHelp } from "./shared-mode.js";

/** Where each part of a state directory lives; every path can be overridden on its own. */
export interface StatePaths {
  stateDir: string;
  results: string;
  pending: string;
  ledger: string;
  outbox: string;
  rejectList: string;
  settings: string;
  lock: string;
  /** The compacted base: every run folded from earlier results files. */
  base: string;
  /** Where the older JSON-lines base lived (compacted.jsonl): read while no new base exists, removed by the next compact. */
  legacyBase: string | null;
}

export function statePaths(stateDir: string, overrides: Partial<Omit<StatePaths, "stateDir" | "legacyBase">> = {}): StatePaths {
  const dir = resolve(stateDir);
  const paths: StatePaths = {
    stateDir: dir,
    results: resolve(overrides.results ?? join(dir, "results")),
    pending: resolve(overrides.pending ?? join(dir, "pending.json")),
    ledger: resolve(overrides.ledger ?? join(dir, "requested.json")),
    outbox: resolve(overrides.outbox ?? join(dir, "outbox")),
    rejectList: resolve(overrides.rejectList ?? join(dir, "reject-list.json")),
    settings: resolve(overrides.settings ?? join(dir, "debci-bridge.json")),
    lock: resolve(overrides.lock ?? join(dir, "debci-bridge.lock")),
    base: resolve(overrides.base ?? join(dir, "compacted.base")),
    legacyBase: overrides.base === undefined ? join(dir, "compacted.jsonl") : null,
  };
  // Where this state's parts are, wherever the flags put them: files made there are the state's (shared-mode.ts).
  noteStateParts(dir, [paths.results, paths.outbox], [paths.pending, paths.ledger, paths.rejectList, paths.settings, paths.lock, paths.base]);
  return paths;
}

/**
 * The state directory must exist and be a directory: a typo in --state must
 * not look like an empty state (everything missing) or fail with a cryptic
 * ENOENT. An empty directory is a valid fresh state.
 */
export async function requireStateDir(dir: string): Promise<void> {
  let info;
  try {
    info = await stat(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Said of the state directory, not of a flag: the library reports it too, where there are no flags.
    const denied = isPermissionDenied(error) ? permissionHelp(dir, "read") : null;
    if (denied !== null) throw new InputError(`state directory ${dir}: cannot be read: ${denied}`);
    throw new InputError(`state directory ${dir}: ${code === "ENOENT" ? "no such directory (an empty directory is a fresh state; create it first)" : `cannot be read (${code})`}`);
  }
  if (!info.isDirectory()) throw new InputError(`state directory ${dir}: not a directory`);
  // The one look at the state directory's mode: group-writable means shared between users (shared-mode.ts).
  noteStateDir(dir, info);
}

const real = (path: string) => realpath(path).catch(() => resolve(path));
const within = (path: string, dir: string) => path === dir || path.startsWith(dir + sep);

/**
 * A scratch outbox must lie outside the state: batches written inside it
 * (its outbox above all) would be sent by submit with no ledger entry, and
 * an ad-hoc run must change nothing.
 */
export async function checkScratchDir(scratch: string, paths: StatePaths): Promise<void> {
  const target = await real(scratch);
  for (const dir of [paths.stateDir, paths.results, paths.outbox]) {
    if (within(target, await real(dir))) throw new InputError(`--scratch ${scratch}: inside the state (${dir}); an ad-hoc run must write outside it`);
  }
  for (const file of [paths.pending, paths.ledger, paths.rejectList, paths.settings, paths.lock, paths.base]) {
    if (target === (await real(file))) throw new InputError(`--scratch ${scratch}: is the state's ${file}`);
  }
}
