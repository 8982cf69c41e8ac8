import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { PassThrough } from "node:stream";
import { main } from "../../src/cli/main.js";
import { runNode } from "../../bench/measure.js";

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

/** A child's exit and everything it printed, once it has ended; `stdin` is written and closed first. */
export function collected(child: ChildProcessWithoutNullStreams, stdin = ""): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code, stdout, stderr, signal }));
    child.stdin.end(stdin);
  });
}

/** Runs the real CLI as its own process: for crashes, locks and races. */
export function spawnCli(args: string[], env: Record<string, string> = {}, stdin = ""): Promise<CliResult> {
  return collected(spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ["pipe", "pipe", "pipe"] }), stdin);
}

export function jsonLines(text: string): Array<Record<string, unknown>> {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/**
 * Runs the real CLI as its own process and samples its peak resident memory
 * (VmHWM, as the benchmark does) until it exits: what a cron job pays.
 */
export async function spawnCliMeasured(args: string[], env: Record<string, string> = {}): Promise<CliResult & { peakRssBytes: number }> {
  const run = await runNode([BIN, ...args], { env });
  return { code: run.code, stdout: run.stdout, stderr: run.stderr, signal: run.signal, peakRssBytes: run.peakRssBytes };
}
