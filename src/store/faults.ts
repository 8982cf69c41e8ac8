/**
 * Named points where fault tests kill the process for real (SIGKILL: no
 * cleanup, no finally), to prove a crash there leaves a usable state.
 * Inert unless DEBCI_BRIDGE_CRASH_AT names the point.
 */
export type CrashPoint = "after-batch" | "after-ledger-temp" | "after-ledger" | "compact-before-rename" | "prune-midway" | "submit-after-post";

export function crashPoint(point: CrashPoint): void {
  if (process.env.DEBCI_BRIDGE_CRASH_AT === point) process.kill(process.pid, "SIGKILL");
}
