/**
 * bench:compare's measuring process (see compare-builds.ts): loads two
 * builds, then round after round each opens a fresh scratch session on its
 * own compacted state and answers every need, the two taking turns and
 * alternating which goes first. Prints one JSON line and a summary.
 *   tsx bench/compare-worker.ts WORKDIR ROUNDS NOW BASE_DIR HEAD_DIR
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { median } from "./measure.js";

const [work, rounds, now, ...dirs] = process.argv.slice(2) as [string, string, string, string, string];
const names = ["base", "head"] as const;
type Name = (typeof names)[number];

interface Build {
  openSession(options: Record<string, unknown>): Promise<{ need(need: unknown): unknown; close(): Promise<void> }>;
  toNeed(input: unknown, suite: string): unknown;
  answerLineBound(answer: unknown): number;
  writeAnswerLine(answer: unknown, buf: Buffer, at: number): number;
}

async function load(dir: string): Promise<Build> {
  // Each build's own modules (a module is one per path): its session, its need reader, its answer line.
  const index = (await import(join(dir, "dist/index.js"))) as { openSession: Build["openSession"] };
  const needs = (await import(join(dir, "dist/formats/needs-input.js"))) as { toNeed: Build["toNeed"] };
  const line = (await import(join(dir, "dist/formats/answer-bytes.js"))) as Pick<Build, "answerLineBound" | "writeAnswerLine">;
  return { openSession: index.openSession, toNeed: needs.toNeed, answerLineBound: line.answerLineBound, writeAnswerLine: line.writeAnswerLine };
}

/** plan's own output piece size (cli/io.ts). */
const PIECE_BYTES = 1 << 16;

const builds = { base: await load(dirs[0]), head: await load(dirs[1]) } as Record<Name, Build>;
const text = readFileSync(join(work, "needs.json"), "utf8");
const times: Record<Name, { open: number[]; answer: number[] }> = { base: { open: [], answer: [] }, head: { open: [], answer: [] } };
const digests: Record<Name, string> = { base: "", head: "" };
let sameAnswers = true;
for (let round = 0; round < Number(rounds); round++) {
  for (const name of round % 2 === 0 ? names : ([...names].reverse() as Name[])) {
    const build = builds[name];
    const needs = (JSON.parse(text) as unknown[]).map((n) => build.toNeed(n, "testing"));
    const opened = performance.now();
    const session = await build.openSession({ stateDir: join(work, `state-${name}`), mode: "scratch", scratchDir: join(work, `scratch-${name}`), now: Date.parse(now) });
    // The lines written as plan writes them, into pieces kept aside: hashed after the clock stops, so the
    // comparison weighs answering and writing alone.
    const pieces: Buffer[] = [];
    let piece = Buffer.allocUnsafe(PIECE_BYTES);
    let used = 0;
    const start = performance.now();
    for (const need of needs) {
      const answer = session.need(need);
      if (used + build.answerLineBound(answer) > piece.length) {
        pieces.push(piece.subarray(0, used));
        piece = Buffer.allocUnsafe(PIECE_BYTES);
        used = 0;
      }
      used = build.writeAnswerLine(answer, piece, used);
    }
    pieces.push(piece.subarray(0, used));
    times[name].answer.push(performance.now() - start);
    times[name].open.push(start - opened);
    const hash = createHash("sha256");
    for (const p of pieces) hash.update(p);
    digests[name] = hash.digest("hex");
    await session.close();
  }
  // Both builds answered this round: their lines must agree every round, not only in the last.
  if (digests.base !== digests.head) sameAnswers = false;
}
const summary = Object.fromEntries(names.map((name) => [name, { openMs: Math.round(median(times[name].open)), answerMs: Math.round(median(times[name].answer)), answerRounds: times[name].answer.map(Math.round) }]));
console.log(JSON.stringify({ ...summary, sameAnswers }));
const change = (a: number, b: number) => `${b < a ? "" : "+"}${Math.round(((b - a) / a) * 1000) / 10}%`;
console.log(`answering: base ${summary.base!.answerMs} ms, head ${summary.head!.answerMs} ms (${change(summary.base!.answerMs, summary.head!.answerMs)}); opening: ${summary.base!.openMs} and ${summary.head!.openMs} ms; answer lines ${sameAnswers ? "the same" : "DIFFER"}`);
