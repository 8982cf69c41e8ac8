/** Whole processes, timed as a user pays for them: wall time from spawn to exit, and peak RSS (VmHWM, Linux). */
import { spawn } from "node:child_process";
import { openSync, closeSync, readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";

export interface ProcessRun {
  seconds: number;
  /** The process's own CPU time (user and system, every thread), as last sampled before it exited. */
  cpuSeconds: number;
  /** The share of both vCPUs' time the hypervisor gave to others while it ran (/proc/stat "steal"): wall times on a shared host stretch with it. */
  stealShare: number;
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
    let cpuTicks = 0;
    const hostBefore = hostTicks();
    const sample = () => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (m) peak = Math.max(peak, Number(m[1]) * 1024);
        cpuTicks = Math.max(cpuTicks, processTicks(child.pid!));
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
      const host = hostTicks();
      const total = host.total - hostBefore.total;
      const seconds = (performance.now() - start) / 1000;
      resolve({ seconds, cpuSeconds: cpuTicks / CLOCK_TICKS, stealShare: total > 0 ? (host.steal - hostBefore.steal) / total : 0, peakRssMb: Math.round(peak / 2 ** 20), peakRssBytes: peak, stdout, stderr, code, signal });
    });
    child.stdin!.end(options.stdin ?? "");
  });
}

/** Linux counts CPU time in ticks of 1/100 s (USER_HZ, which `getconf CLK_TCK` prints). */
const CLOCK_TICKS = 100;

/** A process's user and system ticks, from /proc/PID/stat (fields 14 and 15, after the command name in parentheses). */
function processTicks(pid: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

/** All vCPUs' ticks so far, and how many of them the hypervisor stole (/proc/stat's first line; zeros where there is none). */
function hostTicks(): { total: number; steal: number } {
  try {
    const fields = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
    return { total: fields.reduce((a, b) => a + b, 0), steal: fields[7] ?? 0 };
  } catch {
    return { total: 0, steal: 0 };
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Runs the same process `times` times: the median wall and CPU times, the host's mean steal, and the highest peak. */
export async function repeated(times: number, make: () => Promise<ProcessRun>): Promise<{ seconds: number; runs: number[]; cpuSeconds: number; stealShare: number; peakRssMb: number; last: ProcessRun }> {
  const runs: ProcessRun[] = [];
  for (let i = 0; i < times; i++) {
    const run = await make();
    if (run.code !== 0) throw new Error(`exit ${run.code}: ${run.stderr.slice(0, 2000)}`);
    runs.push(run);
  }
  return { seconds: round(median(runs.map((r) => r.seconds))), runs: runs.map((r) => round(r.seconds)), cpuSeconds: round(median(runs.map((r) => r.cpuSeconds))), stealShare: meanSteal(runs), peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)), last: runs.at(-1)! };
}

/** The host's steal over a set of runs, as a share of all vCPU time (rounded to a tenth of a percent). */
export function meanSteal(runs: readonly ProcessRun[]): number {
  return round(runs.reduce((sum, r) => sum + r.stealShare, 0) / Math.max(1, runs.length), 3);
}
