import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { PassThrough } from "node:stream";
import { main } from "../../src/cli/main.js";

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  signal?: NodeJS.Signals | null;
}

/** Runs the CLI in this process (fast), with its own streams. */
export async function runCli(args: string[], stdin = ""): Promise<CliResult> {
  const input = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = "";
  let err = "";
  stdout.on("data", (c) => (out += c));
  stderr.on("data", (c) => (err += c));
  input.end(stdin);
  const code = await main(args, { stdin: input, stdout, stderr });
  return { code, stdout: out, stderr: err };
}

export const BIN = new URL("../../bin/debci-bridge.js", import.meta.url).pathname;

/** Runs the real CLI as its own process: for crashes, locks and races. */
export function spawnCli(args: string[], env: Record<string, string> = {}, stdin = ""): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, stdout, stderr, signal }));
    child.stdin.end(stdin);
  });
}

export function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * Runs the real CLI as its own process and samples its peak resident memory
 * (VmHWM in /proc/PID/status, Linux) until it exits: what a cron job pays.
 */
export function spawnCliMeasured(args: string[], env: Record<string, string> = {}): Promise<CliResult & { peakRssBytes: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let peak = 0;
    const sample = () => {
      try {
        const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (m) peak = Math.max(peak, Number(m[1]) * 1024);
      } catch {
        // gone already
      }
    };
    const timer = setInterval(sample, 10);
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("error", reject);
    child.on("exit", sample);
    child.on("close", (code, signal) => {
      clearInterval(timer);
      resolve({ code, stdout, stderr, signal, peakRssBytes: peak });
    });
    child.stdin.end();
  });
}
