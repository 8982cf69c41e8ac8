import { isMainThread } from "node:worker_threads";

/**
 * Named points where fault tests kill the process for real (SIGKILL: no
 * cleanup, no finally), to prove a crash there leaves a usable state.
 * Inert unless DEBCI_BRIDGE_CRASH_AT names the point.
 */
export type CrashPoint = "after-batch" | "after-ledger-temp" | "after-ledger" | "compact-before-rename" | "prune-midway" | "submit-after-post" | "results-worker-midway";

/** In a worker thread, only the thread ends (process.exit there ends the thread): its work is lost, the process goes on. */
export function crashPoint(point: CrashPoint): void {
  if (process.env.DEBCI_BRIDGE_CRASH_AT !== point) return;
  if (isMainThread) process.kill(process.pid, "SIGKILL");
  else process.exit(70);
}
