import { userInfo } from "node:os";

/** This process's user, for messages that say who cannot read or write a file: `britney` or `uid 1001`. */
export function processUser(): string {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry (a container's arbitrary uid): the number is all there is.
    return `uid ${process.getuid?.() ?? "?"}`;
  }
}
