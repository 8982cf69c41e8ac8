/** Whole processes, timed as a user pays for them: wall time from spawn to exit, and peak RSS (VmHWM, Linux). */
import { spawn } from "node:child_process";
import { openSync, closeSync, readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

export interface ProcessRun {
  seconds: number;
  peakRssMb: number;
  peakRssBytes: number;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Runs `node ARGS`, stdout to `stdoutFile` (or kept), and samples its memory until it exits. */
export function runNode(args: string[], options: { stdoutFile?: string; stdin?: string; env?: Record<string, string> } = {}): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const out = options.stdoutFile === undefined ? "pipe" : openSync(options.stdoutFile, "w");
    const start = performance.now();
    const child = spawn(process.execPath, args, { stdio: ["pipe", out, "pipe"], env: { ...process.env, ...options.env } });
    let stdout = "";
    let stderr = "";
    let peak = 0;
    const sample = () => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (m) peak = Math.max(peak, Number(m[1]) * 1024);
      } catch {
        // exited
      }
    };
    const timer = setInterval(sample, 5);
    child.stdout?.on("data", (c) => (stdout += c));
    child.stderr!.on("data", (c) => (stderr += c));
    child.on("error", reject);
    child.on("exit", sample);
    child.on("close", (code, signal) => {
      clearInterval(timer);
      if (typeof out === "number") closeSync(out);
      resolve({ seconds: (performance.now() - start) / 1000, peakRssMb: Math.round(peak / 2 ** 20), peakRssBytes: peak, stdout, stderr, code, signal });
    });
    child.stdin!.end(options.stdin ?? "");
  });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Runs the same process `times` times: the median wall time and the highest peak. */
export async function repeated(times: number, make: () => Promise<ProcessRun>): Promise<{ seconds: number; runs: number[]; peakRssMb: number; last: ProcessRun }> {
  const runs: ProcessRun[] = [];
  for (let i = 0; i < times; i++) {
    const run = await make();
    if (run.code !== 0) throw new Error(`exit ${run.code}: ${run.stderr.slice(0, 2000)}`);
    runs.push(run);
  }
  return { seconds: round(median(runs.map((r) => r.seconds))), runs: runs.map((r) => round(r.seconds)), peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)), last: runs.at(-1)! };
}
