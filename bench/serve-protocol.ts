/**
 * Time the serve protocol spends on N questions: the server answers them
 * through stdin/stdout, and the same answers are computed in-process; the
 * difference is what the protocol costs.
 */
import { spawn } from "node:child_process";
import { performance } from "node:perf_hooks";

const BIN = new URL("../bin/debci-bridge.js", import.meta.url).pathname;

export async function measureServe(stateDir: string, needs: Array<{ package: string; trigger: string; arch: string }>, now: string) {
  const child = spawn(process.execPath, [BIN, "serve", "--state", stateDir, "--now", now, "--scratch", `${stateDir}/../scratch`], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (c) => (stderr += c));
  let received = 0;
  let resolveAll: () => void = () => undefined;
  let resolveFirst: () => void = () => undefined;
  const first = new Promise<void>((r) => (resolveFirst = r));
  const all = new Promise<void>((r) => (resolveAll = r));
  // Count response lines without parsing them: the client's own cost is not the protocol's.
  child.stdout.on("data", (chunk: Buffer) => {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) {
      received++;
      if (received === 1) resolveFirst();
      if (received === needs.length + 1) resolveAll();
    }
  });
  const startLoad = performance.now();
  // A cheap first question: the server is loaded when it answers.
  child.stdin.write(`${JSON.stringify({ id: 0, method: "baseline", params: { package: "pkg0", arch: "amd64" } })}\n`);
  await first;
  const loadSeconds = (performance.now() - startLoad) / 1000;

  const body = needs.map((n, i) => JSON.stringify({ id: i + 1, method: "status", params: n })).join("\n") + "\n";
  const start = performance.now();
  child.stdin.write(body);
  await all;
  const serveSeconds = (performance.now() - start) / 1000;
  child.stdin.end();
  await new Promise((r) => child.on("close", r));

  // The server says how its busy time splits between answering and the protocol (parse, dispatch, serialise, write).
  const m = /in ([\d.]+) s busy \(([\d.]+) s answering, ([\d.]+) s protocol\)/.exec(stderr);
  if (m === null) throw new Error(`serve did not report its timing: ${stderr}`);
  const protocolSeconds = Number(m[3]);
  return {
    questions: needs.length,
    serverLoadSeconds: round(loadSeconds),
    wallSeconds: round(serveSeconds),
    serverBusySeconds: Number(m[1]),
    answeringSeconds: Number(m[2]),
    protocolSeconds,
    protocolMicrosPerQuestion: round((protocolSeconds / needs.length) * 1e6),
  };
}

export function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
