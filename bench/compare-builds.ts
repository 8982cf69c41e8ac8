/**
 * npm run bench:compare -- --base REV: is this checkout's answering faster
 * or slower than REV's, on a host too noisy for whole processes to tell?
 *
 * REV's source is taken with `git archive` and built beside this one (the
 * same node_modules); the benchmark's workload (bench/debci-workload.ts,
 * many triggers unless --shape debci) is made once and compacted by each
 * build into its own state. Then one process loads both builds and, round
 * after round, each opens a fresh scratch session and answers every need,
 * the order of the two alternating, so a slow minute on the host slows
 * both. It prints the median open and answer times of each, and whether
 * the two wrote the same answer lines.
 *
 * Flags: --base REV (required), --rounds N (6), --shape debci|many-triggers,
 * --results N (1000000), --needs N (200000).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { makeDebciWorkload, type WorkloadShape } from "./debci-workload.js";

const { values } = parseArgs({ options: { base: { type: "string" }, rounds: { type: "string" }, shape: { type: "string" }, results: { type: "string" }, needs: { type: "string" } } });
if (values.base === undefined) {
  process.stderr.write("usage: npm run bench:compare -- --base REV [--rounds N] [--shape debci|many-triggers] [--results N] [--needs N]\n");
  process.exit(2);
}
const ROOT = new URL("..", import.meta.url).pathname;
const NOW = "2026-11-25T12:00:00Z";
const say = (line: string) => process.stderr.write(`bench:compare: ${line}\n`);

const work = mkdtempSync(join(tmpdir(), "debci-bridge-compare-"));
try {
  say(`building ${values.base} beside this checkout...`);
  const base = join(work, "base");
  mkdirSync(base);
  // The revision's tracked files only, as a fresh clone has them; its dependencies are this checkout's.
  execFileSync("sh", ["-c", `git -C "$1" archive "$2" | tar -x -C "$3"`, "sh", ROOT, values.base, base], { stdio: ["ignore", "ignore", "inherit"] });
  symlinkSync(join(ROOT, "node_modules"), join(base, "node_modules"));
  execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(base, "tsconfig.build.json")], { stdio: "inherit" });
  execFileSync(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(ROOT, "tsconfig.build.json")], { stdio: "inherit" });

  const shape = (values.shape ?? "many-triggers") as WorkloadShape;
  say(`making the ${shape} workload...`);
  const w = makeDebciWorkload(join(work, "state"), { results: Number(values.results ?? 1_000_000), needs: Number(values.needs ?? 200_000), shape });
  writeFileSync(join(work, "needs.json"), JSON.stringify(w.needs));
  const builds = { base, head: ROOT };
  for (const [name, dir] of Object.entries(builds)) {
    // Each build compacts its own copy (hard links: the results files are not copied), in its own base format.
    execFileSync("cp", ["-al", join(work, "state"), join(work, `state-${name}`)]);
    mkdirSync(join(work, `scratch-${name}`));
    // Its warnings (the workload's data is hours old at NOW) are not news; a failure still throws with them.
    execFileSync(process.execPath, [join(dir, "bin/debci-bridge.js"), "compact", "--state", join(work, `state-${name}`), "--now", NOW], { stdio: ["ignore", "ignore", "pipe"] });
  }
  say(`answering ${w.needs.length} needs, ${values.rounds ?? 6} rounds, the two builds taking turns in one process...`);
  const worker = new URL("./compare-worker.ts", import.meta.url).pathname;
  const out = execFileSync(process.execPath, ["--max-old-space-size=4096", "--import", "tsx", worker, work, values.rounds ?? "6", NOW, base, ROOT], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 20 });
  process.stdout.write(out);
} finally {
  rmSync(work, { recursive: true, force: true });
}
