import { isPermissionDenied, permissionHelp } from "./shared-mode.js";

/** Bad input that the user must fix: the message names the file (or argument) and the problem. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

/**
 * A write that failed (a full disk, a read-only file system, no permission):
 * the message names the file being written, which Node's own (`ENOSPC: no
 * space left on device, write`) does not. The code is kept for callers.
 */
export class WriteError extends Error {
  readonly code: string | undefined;

  /** The file being written (not `path`: an error with `path` reads as Node's own to the CLI's permission messages). */
  readonly file: string;

  constructor(path: string, cause: unknown) {
    const e = cause as NodeJS.ErrnoException;
    // A permission refused in a state: who was refused, and what the host's admin does about it (shared-mode.ts).
    const denied = isPermissionDenied(cause) ? permissionHelp(path, "write") : null;
    super(denied !== null ? `cannot write ${path}: ${denied}` : `cannot write ${path}: ${e.code ?? "error"} (${(e.message ?? String(cause)).replace(/^[A-Z]+: /, "")}); nothing of it was left behind`);
    this.name = "WriteError";
    this.code = e.code;
    this.file = path;
  }
}

export interface LockHolder {
  pid: number;
  hostname: string;
  command: string;
  startedAt: string;
}

/** Another committing run holds the state directory. */
export class LockHeldError extends Error {
  constructor(
    readonly lockPath: string,
    readonly holder: LockHolder | null,
  ) {
    super(
      holder === null
        ? `state directory is locked: ${lockPath} exists but cannot be read; remove it if no debci-bridge run is active`
        : `state directory is locked by pid ${holder.pid} on ${holder.hostname} (${holder.command}) since ${holder.startedAt}: ${lockPath}`,
    );
    this.name = "LockHeldError";
  }
}
