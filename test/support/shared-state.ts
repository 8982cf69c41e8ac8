import { spawn } from "node:child_process";
import { chmodSync, chownSync, lstatSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { BIN, collected, type CliResult } from "./cli.js";

/** One entry of a tree, as stat(2) sees it. */
export interface TreeEntry {
  /** Relative to the tree's root ("." for the root itself). */
  path: string;
  dir: boolean;
  /** The permission bits, setgid included (mode & 0o7777). */
  mode: number;
  uid: number;
  gid: number;
}

/** Every file and directory under `root`, the root and dot-files (temporary files, locks) included. */
export function treeEntries(root: string): TreeEntry[] {
  const out: TreeEntry[] = [];
  const walk = (p: string) => {
    const info = lstatSync(p);
    out.push({ path: relative(root, p) || ".", dir: info.isDirectory(), mode: info.mode & 0o7777, uid: info.uid, gid: info.gid });
    if (info.isDirectory()) for (const name of readdirSync(p).sort()) walk(join(p, name));
  };
  walk(root);
  return out;
}

export const octal = (mode: number) => `0${mode.toString(8)}`;

/**
 * What is wrong with a tree that two users share through a group: each entry
 * not of group `gid`, a file without group read and write, a directory
 * without group read, write and search or without setgid. Empty when all is well.
 */
export function unsharedEntries(root: string, gid?: number): string[] {
  return treeEntries(root)
    .filter((e) => (gid !== undefined && e.gid !== gid) || (e.dir ? (e.mode & 0o2770) !== 0o2770 : (e.mode & 0o660) !== 0o660))
    .map((e) => `${e.path} (${e.dir ? "directory" : "file"} ${octal(e.mode)}, uid ${e.uid}, gid ${e.gid})`);
}

/**
 * Makes an existing tree a shared state, as an admin would: group `gid`
 * (when given), group-readable and -writable, directories setgid, and the
 * root 2770.
 */
export function shareTree(root: string, gid?: number): void {
  for (const e of treeEntries(root)) {
    const p = join(root, e.path);
    if (gid !== undefined) chownSync(p, e.uid, gid);
    chmodSync(p, e.dir ? e.mode | 0o2770 : e.mode | 0o660);
  }
  chmodSync(root, 0o2770);
  if ((statSync(root).mode & 0o7777) !== 0o2770) throw new Error(`${root}: could not be made 2770`);
}

export interface SpawnAs {
  /** The umask the CLI runs under, e.g. "077". */
  umask: string;
  /** Runs it as this user, with its groups (setpriv --reuid/--regid/--init-groups; root only). */
  user?: string;
  /** With `user`: no supplementary groups (setpriv --clear-groups), as a user not yet added to a group. */
  clearGroups?: boolean;
  /** The CLI to run (default this checkout's bin/debci-bridge.js). */
  bin?: string;
  env?: Record<string, string>;
  stdin?: string;
}

/** A CLI process started by startCliAs: the child, to signal, and its end. */
export interface StartedCli {
  pid: number;
  kill(signal: NodeJS.Signals): void;
  done: Promise<CliResult>;
}

/**
 * Starts the real CLI as its own process under a umask (and as another
 * user): `sh -c 'umask U; exec node BIN "$@"'`, the way a cron job or a unit
 * with its own UMask= runs it.
 */
export function startCliAs(options: SpawnAs, args: string[]): StartedCli {
  const shell = ["sh", "-c", `umask ${options.umask}; exec "$0" "$@"`, process.execPath, options.bin ?? BIN, ...args];
  const command = options.user === undefined ? shell : ["setpriv", `--reuid=${options.user}`, `--regid=${options.user}`, options.clearGroups ? "--clear-groups" : "--init-groups", ...shell];
  const child = spawn(command[0]!, command.slice(1), { env: { ...process.env, ...(options.env ?? {}) }, stdio: ["pipe", "pipe", "pipe"], cwd: "/" });
  return { pid: child.pid!, kill: (signal) => void child.kill(signal), done: collected(child, options.stdin ?? "") };
}

/** startCliAs, waited for. */
export function spawnCliAs(options: SpawnAs, args: string[]): Promise<CliResult> {
  return startCliAs(options, args).done;
}
