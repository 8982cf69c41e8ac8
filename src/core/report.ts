import { factsFor } from "./answer.js";
import { isoTime } from "./iso-time.js";
import { coverageGaps, type CoverageWindow } from "./coverage.js";
import type { KnowledgeIndex } from "./knowledge.js";
import { maxOf, minOf } from "./numbers.js";
import { formatKey } from "./test-key.js";
import type { Settings } from "./types.js";

/** What the loader says of each file (see store/load-state.ts). */
export interface FileOutcome {
  path: string;
  kind: string;
  status: "read" | "skipped";
  problem?: string;
  records?: number;
  skippedRecords?: number;
}

const iso = (t: number | null | undefined): string | null => (t == null ? null : isoTime(t));

/** The state as a person checking it wants to see it. Pure: built from loaded data only. */
export function buildReport(
  index: KnowledgeIndex,
  settings: Settings,
  now: number,
  files: readonly FileOutcome[],
  coverage: readonly CoverageWindow[],
  repairedBatches: readonly string[],
  base: { path: string; compactedAt: number; runs: number; folded: number; foldedOnDisk: number } | null = null,
) {
  const { knowledge } = index;
  const byStatus = { pass: 0, fail: 0, neutral: 0, tmpfail: 0, running: 0 };
  let withoutTrigger = 0;
  for (const run of knowledge.runs.values()) {
    byStatus[run.status ?? "running"]++;
    if (run.trigger === null) withoutTrigger++;
  }
  const snapshot = knowledge.pending;
  const created = snapshot?.entries.map((e) => e.createdAt).filter((t): t is number => t !== null) ?? [];
  const lost = knowledge.ledger.entries
    .filter((entry) => factsFor(index, entry, settings, index.place(entry), now).answer.lost)
    .map((entry) => ({ key: formatKey(entry), requestedAt: iso(entry.requestedAt), batch: entry.batch }));
  // Refusals that still stand (no later request replaced them): what a person must look at.
  const refused = knowledge.refusals
    .filter((r) => factsFor(index, r, settings, index.place(r), now).refusal === r)
    .map((r) => ({ key: formatKey(r), message: r.message, refusedAt: iso(r.refusedAt), batch: r.batch }));
  const unsent = knowledge.outbox
    .filter((b) => b.place === "outbox")
    .map((b) => ({ name: b.name, huge: b.huge, tests: b.body?.reduce((n, g) => n + g.tests.length * g.arch.length, 0) ?? null }));
  const resultFiles = files.filter((f) => f.kind === "results");
  return {
    files: {
      results: resultFiles.filter((f) => f.status === "read").length,
      skipped: files.filter((f) => f.status === "skipped").map((f) => ({ path: f.path, kind: f.kind, problem: f.problem })),
      skippedRecords: resultFiles.reduce((n, f) => n + (f.skippedRecords ?? 0), 0),
      withSkippedRecords: resultFiles
        .filter((f) => (f.skippedRecords ?? 0) > 0)
        .map((f) => ({ path: f.path, skippedRecords: f.skippedRecords, firstProblem: f.problem })),
    },
    runs: { total: knowledge.runs.size, ...byStatus, withoutTrigger },
    base: base === null ? null : { ...base, compactedAt: iso(base.compactedAt) },
    keys: index.countKeys(),
    pending:
      snapshot === null
        ? null
        : { generatedAt: iso(snapshot.generatedAt), count: snapshot.entries.length, oldestCreatedAt: iso(minOf(created)) },
    requests: { ledgerEntries: knowledge.ledger.entries.length, lost, refused, repairedBatches: [...repairedBatches] },
    outbox: { unsent, rejected: knowledge.outbox.filter((b) => b.place === "rejected").map((b) => b.name) },
    coverage: {
      windows: coverage.length,
      from: iso(minOf(coverage.map((w) => w.since))),
      to: iso(maxOf(coverage.map((w) => w.until))),
      gaps: coverageGaps(coverage).map((g) => ({ from: iso(g.from), to: iso(g.to) })),
    },
  };
}

export type Report = ReturnType<typeof buildReport>;
