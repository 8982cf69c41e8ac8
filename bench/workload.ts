/**
 * A synthetic state directory shaped like ci.debian.net's: result files as
 * `GET /api/v1/test?since=` bodies with repeats, null-then-final
 * re-deliveries, multi-trigger runs and ~7% still pending; plus needs.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { pick, seededRandom } from "../test/support/random.js";

export interface Workload {
  stateDir: string;
  results: number;
  files: number;
  needs: Array<{ package: string; trigger: string; arch: string }>;
}

const ARCHES = ["amd64", "arm64", "armhf", "i386", "ppc64el", "s390x", "riscv64"];
const STATUSES = ["pass", "pass", "pass", "pass", "pass", "fail", "neutral", "tmpfail"] as const;
const T0 = Date.UTC(2026, 9, 1) / 1000;

export function makeWorkload(dir: string, options: { results: number; files: number; needs: number; seed?: number }): Workload {
  const random = seededRandom(options.seed ?? 42);
  const packages = Array.from({ length: Math.max(50, Math.round(options.results / 250)) }, (_, i) => `pkg${i}`);
  const triggers = Array.from({ length: Math.max(20, Math.round(options.results / 100)) }, (_, i) => `src${i}/${1 + (i % 7)}.${i % 13}-${1 + (i % 3)}`);
  const resultsDir = join(dir, "results");
  mkdirSync(resultsDir, { recursive: true });
  const perFile = Math.ceil(options.results / options.files);
  const span = 55 * 86_400;
  let runId = 1;
  let written = 0;
  const known: Array<{ package: string; trigger: string; arch: string }> = [];
  for (let f = 0; f < options.files; f++) {
    const since = T0 + Math.floor((f * span) / options.files);
    const until = T0 + Math.floor(((f + 1) * span) / options.files);
    const records: unknown[] = [];
    while (records.length < perFile && written < options.results) {
      const time = since + Math.floor(random() * (until - since));
      const iso = new Date(time * 1000).toISOString();
      const multi = random() < 0.1;
      const trigger = multi ? `${pick(random, triggers)} ${pick(random, triggers)}` : random() < 0.03 ? null : pick(random, triggers);
      const record = { run_id: runId, trigger, package: pick(random, packages), arch: pick(random, ARCHES), suite: "testing", version: "1.0-1", status: null as string | null, created_at: iso, updated_at: iso, duration_seconds: 100, requestor: "britney" };
      if (trigger !== null && random() < 0.25) known.push({ package: record.package, trigger: trigger.split(" ")[0]!, arch: record.arch });
      const r = random();
      if (r < 0.07) {
        records.push(record); // still pending
      } else if (r < 0.2) {
        // Delivered queued, then finished: the same run twice.
        records.push(record);
        records.push({ ...record, status: pick(random, STATUSES), updated_at: new Date((time + 600) * 1000).toISOString() });
      } else {
        records.push({ ...record, status: pick(random, STATUSES) });
        if (random() < 0.05) records.push({ ...record, status: pick(random, STATUSES) }); // delivered twice
      }
      runId++;
      written = records.length + f * perFile;
    }
    writeFileSync(join(resultsDir, `results-${String(f).padStart(4, "0")}.json`), JSON.stringify({ since, until, results: records }));
  }
  // Most of what britney2 asks about has history; some is new.
  const needs = Array.from({ length: options.needs }, () => {
    if (random() < 0.8 && known.length > 0) {
      const k = pick(random, known);
      return { package: k.package, trigger: k.trigger, arch: k.arch };
    }
    return { package: pick(random, packages), trigger: pick(random, triggers), arch: pick(random, ARCHES) };
  });

  writeFileSync(join(dir, "pending.json"), JSON.stringify({ generated_at: new Date((T0 + span) * 1000).toISOString(), pending: [] }));
  return { stateDir: dir, results: options.results, files: options.files, needs };
}
