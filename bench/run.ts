/**
 * npm run bench: what a user pays, on a workload shaped like ci.debian.net's
 * (bench/debci-workload.ts), on the built package. Whole CLI processes,
 * start-up included, each the median of several runs, against the floor
 * (a process that only reads and JSON.parses the same results files)
 * measured in the same run; in-process phases for what a whole process
 * hides (base load alone, answering per need), and a committing plan
 * (britney2's own kind of run, no target). Prints one JSON line on stdout,
 * and the targets with their figures on stderr.
 *
 * Flags: --results N (1000000), --needs N (200000), --runs N (3),
 * --scaling (also at twice the results: the doubling ratio),
 * --huge (5,000,000 results).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { makeDebciWorkload } from "./debci-workload.js";
import { repeated, round, runNode } from "./measure.js";
import { measureServe } from "./serve-protocol.js";

const { values } = parseArgs({ options: { results: { type: "string" }, needs: { type: "string" }, runs: { type: "string" }, scaling: { type: "boolean" }, huge: { type: "boolean" } } });
const results = Number(values.results ?? (values.huge ? 5_000_000 : 1_000_000));
const needCount = Number(values.needs ?? 200_000);
const runs = Number(values.runs ?? 3);
const BIN = new URL("../bin/debci-bridge.js", import.meta.url).pathname;
const PHASE = new URL("./phase.ts", import.meta.url).pathname;
const DEMO = new URL("../testdata/demo/state", import.meta.url).pathname;
const NOW = "2026-11-25T12:00:00Z";

/** The floor: a plain node process that reads and JSON.parses every results file, nothing else. */
const FLOOR = `const fs=require("fs"),p=require("path"),d=process.argv[1];let n=0;for(const f of fs.readdirSync(d).sort()){if(f.startsWith("."))continue;n+=JSON.parse(fs.readFileSync(p.join(d,f),"utf8")).results.length}console.log(n)`;

/** An in-process phase (tsx driving the built package), for figures a whole process hides. */
function inProcess(name: string, dir: string): Record<string, number> {
  const out = execFileSync(process.execPath, ["--import", "tsx", PHASE, name, join(dir, "state"), join(dir, "needs.json"), join(dir, "scratch")], { encoding: "utf8", maxBuffer: 1 << 26, stdio: ["ignore", "pipe", "inherit"] });
  return JSON.parse(out.trim().split("\n").at(-1)!) as Record<string, number>;
}

async function measureAt(dir: string, count: number) {
  const say = (line: string) => process.stderr.write(`bench: ${line}\n`);
  say(`generating ${count} results...`);
  const w = makeDebciWorkload(join(dir, "state"), { results: count, needs: needCount });
  writeFileSync(join(dir, "needs.json"), JSON.stringify(w.needs));
  mkdirSync(join(dir, "scratch"), { recursive: true });
  const resultsMb = round(execFileSync("du", ["-sm", join(dir, "state", "results")], { encoding: "utf8" }).split("\t")[0] as unknown as number, 0);
  const plan = () => runNode([BIN, "plan", "--state", join(dir, "state"), "--needs", join(dir, "needs.json"), "--now", NOW, "--scratch", join(dir, "scratch")], { stdoutFile: join(dir, "answers.jsonl") });
  say("floor...");
  const floor = await repeated(runs, () => runNode(["-e", FLOOR, join(dir, "state", "results")]));
  say("plan from raw files...");
  const planRaw = await repeated(runs, plan);
  say("compact...");
  const compact = await repeated(1, () => runNode([BIN, "compact", "--state", join(dir, "state"), "--now", NOW]));
  say("plan from the base...");
  const planBase = await repeated(runs, plan);
  // britney2's own run commits: it writes the outbox batch and the ledger. Each run on a fresh
  // copy of the state (hard links: plan replaces files by rename and never writes into one).
  say("plan committing...");
  let copies = 0;
  const planCommit = await repeated(runs, () => {
    const copy = join(dir, `commit-${copies++}`);
    execFileSync("cp", ["-al", join(dir, "state"), copy]);
    return runNode([BIN, "plan", "--state", copy, "--needs", join(dir, "needs.json"), "--now", NOW], { stdoutFile: join(dir, "answers.jsonl") });
  });
  for (let i = 0; i < copies; i++) rmSync(join(dir, `commit-${i}`), { recursive: true, force: true });
  say("in-process phases...");
  const baseLoads = Array.from({ length: runs }, () => inProcess("baseLoad", dir).seconds!);
  // Answering is timed in process: the run with the median figure of several.
  const answers = Array.from({ length: runs }, () => inProcess("plan", dir)).sort((a, b) => a.answerMicrosPerNeed! - b.answerMicrosPerNeed!);
  const answer: Record<string, unknown> & { answerMicrosPerNeed: number } = { ...answers[answers.length >> 1]!, answerMicrosPerNeed: answers[answers.length >> 1]!.answerMicrosPerNeed!, answerMicrosPerNeedRuns: answers.map((a) => a.answerMicrosPerNeed!) };
  say("serve...");
  const serve = await measureServe(join(dir, "state"), w.needs, NOW);
  return { workload: { results: count, files: w.files, resultsMb, packages: w.packages, pendingSnapshot: w.pending, needs: needCount, baseMb: round(statSync(join(dir, "state", "compacted.base")).size / 2 ** 20, 0) }, floor, planRaw, compact, planBase, planCommit, baseLoadSeconds: round(baseLoads.sort((a, b) => a - b)[baseLoads.length >> 1]!), answer, serve };
}

const root = mkdtempSync(join(tmpdir(), "debci-bridge-bench-"));
try {
  const nodeStart = await repeated(5, () => runNode(["-e", "0"]));
  const help = await repeated(5, () => runNode([BIN, "--help"]));
  const status = await repeated(5, () => runNode([BIN, "status", "--state", DEMO, "--package", "baz", "--trigger", "glibc/2.41-7", "--arch", "amd64", "--now", NOW]));
  const main = await measureAt(join(root, "main"), results);
  const strip = (r: { seconds: number; runs: number[]; peakRssMb: number }) => ({ seconds: r.seconds, runs: r.runs, peakRssMb: r.peakRssMb });
  const report: Record<string, unknown> = {
    node: process.version,
    startup: { nodeE0: strip(nodeStart), help: strip(help), status: strip(status) },
    ...main,
    floor: strip(main.floor),
    planRaw: { ...strip(main.planRaw), ratioToFloor: round(main.planRaw.seconds / main.floor.seconds) },
    compact: strip(main.compact),
    planBase: { ...strip(main.planBase), ratioToFloor: round(main.planBase.seconds / main.floor.seconds) },
    planCommit: { ...strip(main.planCommit), ratioToFloor: round(main.planCommit.seconds / main.floor.seconds) },
    baseLoad: { seconds: main.baseLoadSeconds, ratioToFloor: round(main.baseLoadSeconds / main.floor.seconds) },
  };
  let doubling: number | null = null;
  if (values.scaling) {
    rmSync(join(root, "main"), { recursive: true, force: true });
    const twice = await measureAt(join(root, "twice"), results * 2);
    doubling = round(twice.planRaw.seconds / main.planRaw.seconds);
    report.scaling = { results: results * 2, planRaw: strip(twice.planRaw), peakRssMb: twice.planRaw.peakRssMb, doublingRatio: doubling };
  }
  console.log(JSON.stringify(report));

  const targets: Array<[string, string, boolean]> = [
    ["start-up of --help <= 200 ms (<= 2x node -e 0)", `${Math.round(help.seconds * 1000)} ms (${round(help.seconds / nodeStart.seconds, 1)}x node -e 0, ${Math.round(nodeStart.seconds * 1000)} ms)`, help.seconds <= 0.2 && help.seconds <= 2 * nodeStart.seconds],
    ["start-up of status on the demo state <= 200 ms", `${Math.round(status.seconds * 1000)} ms`, status.seconds <= 0.2],
    ["plan from raw files <= 1.5x the floor", `${main.planRaw.seconds} s = ${round(main.planRaw.seconds / main.floor.seconds, 2)}x (floor ${main.floor.seconds} s)`, main.planRaw.seconds <= 1.5 * main.floor.seconds],
    ["plan from the base <= 0.5x the floor", `${main.planBase.seconds} s = ${round(main.planBase.seconds / main.floor.seconds, 2)}x`, main.planBase.seconds <= 0.5 * main.floor.seconds],
    ["base load alone <= 0.1x the floor", `${main.baseLoadSeconds} s = ${round(main.baseLoadSeconds / main.floor.seconds, 2)}x`, main.baseLoadSeconds <= 0.1 * main.floor.seconds],
    ["answering <= 5 us per need, output line included", `${main.answer.answerMicrosPerNeed} us`, main.answer.answerMicrosPerNeed! <= 5],
    [`peak memory at ${results} results <= ${results >= 5_000_000 ? "3 GB" : "600 MB"}`, `${Math.max(main.planRaw.peakRssMb, main.planBase.peakRssMb)} MB (raw ${main.planRaw.peakRssMb}, base ${main.planBase.peakRssMb})`, Math.max(main.planRaw.peakRssMb, main.planBase.peakRssMb) <= (results >= 5_000_000 ? 3072 : 600)],
    ["serve pipelined <= 10 us per question in the server", `${round((main.serve.serverBusySeconds / main.serve.questions) * 1e6, 1)} us (protocol ${main.serve.protocolMicrosPerQuestion} us)`, (main.serve.serverBusySeconds / main.serve.questions) * 1e6 <= 10],
  ];
  if (doubling !== null) targets.push(["doubling the results <= 2.2x the time", `${doubling}x`, doubling <= 2.2]);
  process.stderr.write(`\nalso measured (no target): plan committing, from the base, writing the outbox and the ledger: ${main.planCommit.seconds} s = ${round(main.planCommit.seconds / main.floor.seconds, 2)}x the floor, peak ${main.planCommit.peakRssMb} MB\n`);
  process.stderr.write(`\n${"target".padEnd(58)} ${"measured".padEnd(50)} met\n`);
  for (const [target, measured, met] of targets) process.stderr.write(`${target.padEnd(58)} ${measured.padEnd(50)} ${met ? "yes" : "NO"}\n`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
