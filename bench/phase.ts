/**
 * One measured phase, run in its own process so its peak RSS is its own:
 *   tsx bench/phase.ts PHASE STATE_DIR NEEDS_FILE SCRATCH_DIR
 * Prints {"phase", "seconds", "peakRssMb", ...} as one JSON line.
 */
import { readFileSync, readdirSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { gunzipSync } from "node:zlib";
// The built package, as users run it (npm run bench builds it first).
import { openSession } from "../dist/index.js";
import { compact } from "../dist/session/maintenance.js";
import { toNeed, type NeedInput } from "../dist/formats/needs-input.js";
import { answerLineBound, writeAnswerLine } from "../dist/formats/answer-bytes.js";
import { readBase } from "../dist/store/base-file.js";
import { RunStore } from "../dist/core/run-store.js";
import { answerKernel, type KernelOrder } from "./answer-kernel.js";

const [phase, stateDir, needsFile, scratch] = process.argv.slice(2) as [string, string, string, string];
const NOW = Date.parse("2026-11-25T12:00:00Z");

async function floor(): Promise<Record<string, unknown>> {
  // Reading and JSON.parse of the same files, and nothing else: what no loader can beat.
  const dir = join(stateDir, "results");
  let records = 0;
  for (const name of readdirSync(dir).filter((n) => !n.startsWith(".")).sort()) {
    let bytes = await readFile(join(dir, name));
    if (name.endsWith(".gz")) bytes = gunzipSync(bytes);
    records += (JSON.parse(bytes.toString("utf8")) as { results: unknown[] }).results.length;
  }
  return { records };
}

async function plan(): Promise<Record<string, unknown>> {
  const needs = (JSON.parse(readFileSync(needsFile, "utf8")) as NeedInput[]).map((n) => toNeed(n, "testing"));
  const loadStart = performance.now();
  const session = await openSession({ stateDir, mode: "scratch", scratchDir: scratch, now: NOW });
  const loadSeconds = (performance.now() - loadStart) / 1000;
  const counts: Record<string, number> = {};
  // The answer line is part of what a need costs: written as plan writes it, as bytes into its output buffer.
  const out = Buffer.allocUnsafe(1 << 16);
  let used = 0;
  let bytes = 0;
  const answerStart = performance.now();
  for (const need of needs) {
    const a = session.need(need);
    if (used + answerLineBound(a) > out.length) {
      bytes += used;
      used = 0;
    }
    used = writeAnswerLine(a, out, used);
    counts[a.state] = (counts[a.state] ?? 0) + 1;
  }
  bytes += used;
  const answerSeconds = (performance.now() - answerStart) / 1000;
  const commitStart = performance.now();
  const result = await session.commit();
  const commitSeconds = (performance.now() - commitStart) / 1000;
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return { loadSeconds: r(loadSeconds), answerSeconds: r(answerSeconds), answerMicrosPerNeed: r((answerSeconds / needs.length) * 1e6), outputMb: r(bytes / 2 ** 20), commitSeconds: r(commitSeconds), runs: session.loaded.knowledge.runs.size, answers: counts, requests: result.requests };
}

async function compactPhase(): Promise<Record<string, unknown>> {
  const result = await compact({ stateDir, now: NOW, suite: "testing" });
  return { runs: result.runs, folded: result.folded.length, baseMb: Math.round(statSync(join(stateDir, "compacted.base")).size / 2 ** 20) };
}

/** Loading the compacted base alone: reading it into a run store, nothing else. */
async function baseLoad(): Promise<Record<string, unknown>> {
  const store = new RunStore();
  const header = await readBase(join(stateDir, "compacted.base"), store);
  return { runs: store.size, folded: header?.folded.length ?? 0 };
}

/** Issue 25's design at its least (answer-kernel.ts), in one order: eight passes, the first cold. */
function kernel(order: KernelOrder): () => Promise<Record<string, unknown>> {
  return () => answerKernel(stateDir, needsFile, order, 8);
}

const phases: Record<string, () => Promise<Record<string, unknown>>> = { floor, plan, compact: compactPhase, baseLoad, kernelInput: kernel("input"), kernelGroup: kernel("group") };
const start = performance.now();
const extra = await phases[phase]!();
const seconds = (performance.now() - start) / 1000;
console.log(JSON.stringify({ phase, seconds: Math.round(seconds * 1000) / 1000, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), ...extra }));
