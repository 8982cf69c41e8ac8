import { accessSync, constants, readFileSync, statSync, type Stats } from "node:fs";
import { chmod, chown, mkdir, stat, type FileHandle } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { processUser } from "./process-user.js";

/**
 * One state, two users: britney2's user and the sync tools' user write the
 * same state directory. As git's `core.sharedRepository=group` does, a state
 * whose directory is group-writable is **shared**: every file and directory
 * debci-bridge creates in it is made group-readable and group-writable (files
 * gain 0o660, directories 0o2770: setgid, so what is made in them belongs to
 * the state's group), explicitly with chmod right after creation, whatever
 * the process's umask. A state that is not group-writable is left to the
 * umask, exactly as before.
 *
 * Which paths belong to a state: everything under its directory, under its
 * results and outbox directories, and its files (ledger, pending snapshot,
 * lock, base, ...) with their temporary files, wherever the flags put them.
 * Whether the state is shared comes from the one stat requireStateDir makes
 * of its directory anyway: no more stats than before for a state that is not
 * shared, and one stat and one chmod per new file or directory for one that is.
 */

/** A state directory as this process knows it. */
interface KnownState {
  dir: string;
  /** From the state directory's mode (group-writable); null until requireStateDir has looked. */
  shared: boolean | null;
  /** The state directory's group: new files and directories are given it when they did not inherit it. */
  gid: number;
  /** Directories of the state (results, outbox), wherever they are. */
  dirs: Set<string>;
  /** Files of the state (ledger, pending, lock, base, ...), wherever they are. */
  files: Set<string>;
}

const known = new Map<string, KnownState>();
/** How many known states are shared: none (the usual case) answers every path at once. */
let sharedCount = 0;

const within = (path: string, dir: string) => path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);

function stateFor(dir: string): KnownState {
  const key = resolve(dir);
  let state = known.get(key);
  if (state === undefined) known.set(key, (state = { dir: key, shared: null, gid: -1, dirs: new Set(), files: new Set() }));
  return state;
}

/** Records where a state's parts are (statePaths calls this): files written there are the state's. */
export function noteStateParts(stateDir: string, dirs: readonly string[], files: readonly string[]): void {
  const state = stateFor(stateDir);
  for (const d of dirs) if (!within(resolve(d), state.dir)) state.dirs.add(resolve(d));
  for (const f of files) if (!within(resolve(f), state.dir)) state.files.add(resolve(f));
}

/** Records the state directory's mode (requireStateDir calls this with the stat it made): shared when group-writable. */
export function noteStateDir(stateDir: string, info: Pick<Stats, "mode" | "gid">): void {
  const state = stateFor(stateDir);
  const shared = (info.mode & 0o020) !== 0;
  if (shared !== (state.shared === true)) sharedCount += shared ? 1 : -1;
  state.shared = shared;
  state.gid = info.gid;
}

/** Whether a path is one of a state's: under its directory or one of its directories, one of its files or their temporary files. */
function belongsTo(path: string, state: KnownState): boolean {
  if (within(path, state.dir)) return true;
  for (const d of state.dirs) if (within(path, d)) return true;
  for (const f of state.files) {
    if (path === f || path === dirname(f)) return true;
    if (dirname(path) === dirname(f) && basename(path).startsWith(`.${basename(f)}.`)) return true;
  }
  return false;
}

/** The state a path belongs to, shared or not (the innermost when states nest), or null. */
function owningState(path: string): KnownState | null {
  const p = resolve(path);
  let best: KnownState | null = null;
  for (const state of known.values()) if (belongsTo(p, state) && (best === null || state.dir.length > best.dir.length)) best = state;
  return best;
}

/** The shared state a path belongs to, or null: then nothing is changed. */
function sharedStateOf(path: string): KnownState | null {
  if (sharedCount === 0) return null;
  const state = owningState(path);
  return state?.shared === true ? state : null;
}

/**
 * What a worker thread needs to judge `paths` as this thread does (it has
 * its own module state): the states they belong to, as plain data.
 */
export function knownStatesOf(paths: readonly string[]): unknown {
  const states = new Set<KnownState>();
  for (const path of paths) {
    const state = owningState(path);
    if (state !== null) states.add(state);
  }
  return [...states].map((s) => ({ ...s, dirs: [...s.dirs], files: [...s.files] }));
}

export function adoptKnownStates(states: unknown): void {
  if (!Array.isArray(states)) return;
  for (const s of states as Array<{ dir: string; shared: boolean | null; gid: number; dirs: string[]; files: string[] }>) {
    const state = stateFor(s.dir);
    for (const d of s.dirs) state.dirs.add(d);
    for (const f of s.files) state.files.add(f);
    if (s.shared !== null) noteStateDir(s.dir, { mode: s.shared ? 0o020 : 0, gid: s.gid });
  }
}

/** Gives a new file or directory the state's group (when it did not inherit it) and the group's bits. */
async function share(path: string, state: KnownState, bits: number, handle?: FileHandle): Promise<void> {
  const info = handle === undefined ? await stat(path) : await handle.stat();
  if (state.gid >= 0 && info.gid !== state.gid) {
    // Only where the state directory is not setgid; a user not in the group keeps its own (the error messages say what to do).
    await (handle === undefined ? chown(path, -1, state.gid) : handle.chown(-1, state.gid)).catch(() => undefined);
  }
  const mode = (info.mode & 0o7777) | bits;
  // After chown: chown may clear the setgid bit.
  if (mode === (info.mode & 0o7777) && info.gid === state.gid) return;
  const change = (m: number) => (handle === undefined ? chmod(path, m) : handle.chmod(m));
  try {
    await change(mode);
  } catch (error) {
    // A sandbox that forbids setgid (systemd's RestrictSUIDSGID=): the group's bits still, and the group set above.
    if ((mode & 0o2000) === 0 || (error as NodeJS.ErrnoException).code !== "EPERM") throw error;
    await change(mode & ~0o2000);
  }
}

/**
 * Makes a file this process has just created group-readable and
 * group-writable when it belongs to a shared state; nothing otherwise. A
 * temporary file is shared before its rename, so no reader ever sees the
 * umask's mode. Pass the open handle when there is one.
 */
export async function shareNewFile(path: string, handle?: FileHandle): Promise<void> {
  const state = sharedStateOf(path);
  if (state !== null) await share(path, state, 0o660, handle);
}

/**
 * `mkdir -p`: each directory it creates that belongs to a shared state is
 * made group-writable and setgid (0o2770 added), so the state's group holds
 * everything made in it. Directories that existed are left as they are.
 */
export async function makeDirs(dir: string): Promise<void> {
  const target = resolve(dir);
  const first = await mkdir(target, { recursive: true });
  if (first === undefined) return;
  const state = sharedStateOf(target);
  if (state === null) return;
  let at = first;
  const below = relative(first, target).split(sep).filter((part) => part !== "");
  for (let i = 0; ; i++) {
    if (belongsTo(at, state)) await share(at, state, 0o2770);
    if (i >= below.length) break;
    at = join(at, below[i]!);
  }
}

/** The name /etc/passwd or /etc/group gives an id (its first field whose third is the id), or null. */
function nameIn(database: "/etc/passwd" | "/etc/group", id: number): string | null {
  try {
    for (const line of readFileSync(database, "utf8").split("\n")) {
      const [name, , field] = line.split(":");
      if (name !== undefined && name !== "" && Number(field) === id) return name;
    }
  } catch {
    // no such file (a minimal container): the number stands in
  }
  return null;
}

/** A group's name, or its number. */
const groupName = (gid: number) => nameIn("/etc/group", gid) ?? String(gid);
/** A user's name, or `uid N`. */
const ownerName = (uid: number) => nameIn("/etc/passwd", uid) ?? `uid ${uid}`;

const modeText = (mode: number) => `0${(mode & 0o7777).toString(8)}`;
const describe = (path: string, info: Stats) => `${path} (owner ${ownerName(info.uid)}, group ${groupName(info.gid)}, mode ${modeText(info.mode)})`;
const canAccess = (path: string, mode: number) => {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
};

const statOrNull = (path: string): Stats | null => {
  try {
    return statSync(path);
  } catch {
    return null;
  }
};

/**
 * The first place, from the state directory down to `path`, that stops this
 * user: a directory it may not enter, the file it may not read, or the
 * directory it may not change (the deepest that exists: a file is replaced by
 * renaming a new one over it, so writing needs its directory, not the file).
 */
function culprit(path: string, stateDir: string, action: "read" | "write"): { path: string; info: Stats } | null {
  const target = resolve(path);
  const chain: string[] = [];
  for (let p = target; ; p = dirname(p)) {
    chain.unshift(p);
    if (p === stateDir || p === dirname(p)) break;
  }
  const existing = chain.map((p) => ({ path: p, info: statOrNull(p) })).filter((e): e is { path: string; info: Stats } => e.info !== null);
  const changed = [...existing].reverse().find((e) => e.info.isDirectory());
  for (const e of existing) {
    let need = e.info.isDirectory() ? constants.X_OK : 0;
    if (action === "read" && e.path === target) need |= constants.R_OK;
    if (action === "write" && e === changed) need |= constants.W_OK;
    if (need !== 0 && !canAccess(e.path, need)) return e;
  }
  return null;
}

const README_SECTION = 'see "One state, two users" in the admin guide (docs/admin.md)';

/**
 * What to say when this user may not read or write `path` of a state, or
 * null when the path belongs to no state this process opened (the caller
 * keeps its usual message). Only called once something failed, so it may
 * look at the file system at leisure.
 */
export function permissionHelp(path: string, action: "read" | "write"): string | null {
  const state = owningState(path);
  if (state === null) return null;
  const user = processUser();
  const who = `permission denied for user ${user} (uid ${process.getuid?.() ?? "?"})`;
  let info: Stats;
  try {
    info = statSync(state.dir);
  } catch {
    return `${who}; a directory above the state ${state.dir} is closed to ${user}: each must let the user through (chmod o+x, or g+x with a group ${user} is in) — ${README_SECTION}`;
  }
  const group = groupName(info.gid);
  const dir = state.dir;
  const inGroup = new Set([...(process.getgroups?.() ?? []), process.getegid?.() ?? -1]).has(info.gid);
  const shareIt = `chgrp -R ${group} ${dir} && chmod -R g+rwX ${dir} && find ${dir} -type d -exec chmod g+s {} +`;
  if ((info.mode & 0o020) === 0) {
    const stop = culprit(path, dir, action);
    if (info.uid === process.geteuid?.() && stop !== null) {
      return `${who}; ${user} owns the state ${dir}, but not ${describe(stop.path, stop.info)}: give it back (chown -R ${user} ${dir}) — ${README_SECTION}`;
    }
    const addUser = inGroup ? "" : `add the user to its group (adduser ${user} ${group}) and `;
    return `${who}; the state ${describe(dir, info)} is not shared: not group-writable, so only its owner may write it. To share it with ${user}: ${addUser}make the state group-writable (${shareIt}); or run every command as one user — ${README_SECTION}`;
  }
  if (!inGroup) {
    return `${who}; the state ${dir} is shared through its group ${group}, which ${user} is not in: add the user to it (adduser ${user} ${group}; it counts from the user's next login or the service's next start) — ${README_SECTION}`;
  }
  const stop = culprit(path, dir, action);
  if (stop !== null) {
    return `${who}; the state ${dir} is shared through its group ${group}, but ${describe(stop.path, stop.info)} is not ${action === "read" ? "readable" : "writable"} by that group (made before the state was shared, by hand, or by an older debci-bridge): give the state to the group again (${shareIt}) — ${README_SECTION}`;
  }
  return `${who}; the state ${dir} is shared through its group ${group}: check the groups and modes in it (${shareIt}) — ${README_SECTION}`;
}

const PERMISSION_CODES = new Set(["EACCES", "EPERM"]);

/** Whether a file system error is a refused permission. */
export function isPermissionDenied(error: unknown): boolean {
  return PERMISSION_CODES.has((error as NodeJS.ErrnoException | null)?.code ?? "");
}

/** System calls that change the file system; anything else that is refused was a read. */
const WRITING_CALLS = new Set(["mkdir", "rename", "unlink", "link", "rmdir", "chmod", "fchmod", "chown", "fchown", "write", "symlink", "utime", "copyfile"]);

/**
 * One line for a refused permission thrown by Node (its `path` and
 * `syscall` say where and what), naming the file and the fix; null when it
 * is not one, or its path belongs to no state this process opened.
 */
export function permissionMessage(error: unknown): string | null {
  if (!isPermissionDenied(error)) return null;
  const e = error as NodeJS.ErrnoException & { dest?: unknown };
  if (typeof e.path !== "string") return null;
  const action = WRITING_CALLS.has(e.syscall ?? "") ? "write" : "read";
  // A rename or link out of a directory this user may change was refused at its destination.
  const path = typeof e.dest === "string" && canAccess(dirname(e.path), constants.W_OK | constants.X_OK) ? e.dest : e.path;
  const help = permissionHelp(path, action);
  return help === null ? null : `cannot ${action} ${path}: ${help}`;
}
