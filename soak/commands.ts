/**
 * The CLI as a release host runs it: `node bin/debci-bridge.js COMMAND ...`,
 * each its own process, timed; optionally killed with SIGKILL after a delay.
 * Every run is kept, so the figures can say which exited how, and whether
 * any printed a stack trace.
 */
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";

export const BIN = new URL("../bin/debci-bridge.js", import.meta.url).pathname;

export interface CommandRun {
  command: string;
  /** The simulated time it ran at (its --now). */
  at: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The soak killed it (SIGKILL), on purpose. */
  killed: boolean;
  seconds: number;
  stdout: string;
  stderr: string;
}

/** Exit codes a command may end with in the soak: 3 is the sync tools' "the CI service stayed unavailable". */
export const EXPECTED_EXITS: Record<string, number[]> = { fetch: [0, 3], submit: [0, 3], plan: [0], compact: [0], prune: [0] };

/** A line of a V8 stack trace ("    at f (file.js:1:2)"). */
const STACK_LINE = /^\s+at .*(:\d+:\d+\)?|\(native\))$/m;

export function hasStackTrace(text: string): boolean {
  return STACK_LINE.test(text);
}

/** Whether a run ended as the soak allows: an expected exit, no stack trace; a killed run is the soak's own doing. */
export function crashed(run: CommandRun): boolean {
  if (run.killed) return false;
  return run.signal !== null || !(EXPECTED_EXITS[run.command] ?? [0]).includes(run.code ?? -1) || hasStackTrace(run.stderr) || hasStackTrace(run.stdout);
}

export function runCommand(command: string, args: string[], at: number, killAfterMs: number | null = null): Promise<CommandRun> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(process.execPath, [BIN, command, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let killed = false;
    const timer =
      killAfterMs === null
        ? null
        : setTimeout(() => {
            killed = child.exitCode === null && child.signalCode === null && child.kill("SIGKILL");
          }, killAfterMs);
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (timer !== null) clearTimeout(timer);
      resolve({ command, at, code, signal, killed: killed && signal === "SIGKILL", seconds: (performance.now() - start) / 1000, stdout, stderr });
    });
  });
}
