/** Bad input that the user must fix: the message names the file (or argument) and the problem. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
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
