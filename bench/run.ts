/**
 * npm run bench: builds a synthetic workload shaped like ci.debian.net's and
 * measures, each phase in its own process (so its peak RSS is its own):
 *   floor     reading + JSON.parse of the same files, nothing else
 *   planRaw   the full plan (load, 200,000 needs answered, commit) from raw files
 *   compact   folding everything into the compacted base
 *   planBase  the full plan from the compacted base
 *   serve     the stdio protocol for 200,000 questions
 * and prints one JSON line with times, ratios to the floor and peak RSS.
 *
 * Flags: --results N (1000000), --files N (results/10000), --needs N (200000),
 * --scaling (also the plan at twice the results: the doubling ratio),
 * --huge (5,000,000 results).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { measureServe, round } from "./serve-protocol.js";
import { makeWorkload } from "./workload.js";

const { values } = parseArgs({ options: { results: { type: "string" }, files: { type: "string" }, needs: { type: "string" }, scaling: { type: "boolean" }, huge: { type: "boolean" } } });
const results = Number(values.results ?? (values.huge ? 5_000_000 : 1_000_000));
const files = Number(values.files ?? Math.max(1, Math.round(results / 10_000)));
const needCount = Number(values.needs ?? 200_000);
const PHASE = new URL("./phase.ts", import.meta.url).pathname;

interface Phase {
  seconds: number;
  peakRssMb: number;
  [k: string]: unknown;
}

function phase(name: string, dir: string): Phase {
  const out = execFileSync(process.execPath, ["--import", "tsx", PHASE, name, join(dir, "state"), join(dir, "needs.json"), join(dir, "scratch")], { encoding: "utf8", maxBuffer: 1 << 26, stdio: ["ignore", "pipe", "inherit"] });
  const { phase: _, ...rest } = JSON.parse(out.trim().split("\n").at(-1)!) as Phase & { phase: string };
  return rest;
}

function workload(dir: string, count: number) {
  const w = makeWorkload(join(dir, "state"), { results: count, files: Math.max(1, Math.round((files * count) / results)), needs: needCount });
  writeFileSync(join(dir, "needs.json"), JSON.stringify(w.needs));
  return w;
}

const root = mkdtempSync(join(tmpdir(), "debci-bridge-bench-"));
try {
  const dir = join(root, "main");
  const w = workload(dir, results);
  const floor = phase("floor", dir);
  const planRaw = phase("plan", dir);
  const compact = phase("compact", dir);
  const planBase = phase("plan", dir);
  const serve = await measureServe(join(dir, "state"), w.needs, "2026-11-25T12:00:00Z");
  const ratio = (p: Phase) => round(p.seconds / floor.seconds);
  const report: Record<string, unknown> = {
    results,
    files,
    needs: needCount,
    node: process.version,
    floor,
    planRaw: { ...planRaw, ratioToFloor: ratio(planRaw) },
    compact,
    planBase: { ...planBase, ratioToFloor: ratio(planBase) },
    serve,
  };
  if (values.scaling) {
    rmSync(dir, { recursive: true, force: true });
    const twice = join(root, "twice");
    workload(twice, results * 2);
    const planTwice = phase("plan", twice);
    report.scaling = { results: results * 2, planRaw: planTwice, doublingRatio: round(planTwice.seconds / planRaw.seconds) };
  }
  console.log(JSON.stringify(report));
} finally {
  rmSync(root, { recursive: true, force: true });
}
