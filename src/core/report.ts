import { factsFor } from "./answer.js";
import { isoTime } from "./iso-time.js";
import { batchRequests } from "./batches.js";
import { coverageGaps, type CoverageWindow } from "./coverage.js";
import { keyNumber, type KeyPlace } from "./key-numbers.js";
import type { KnowledgeIndex } from "./knowledge.js";
import { maxOf, minOf } from "./numbers.js";
import { humanAge, stalenessWarning, stateAges, type DataAges } from "./staleness.js";
import { formatKey } from "./test-key.js";
import { splitTriggers } from "./trigger.js";
import type { Settings, TestKey } from "./types.js";

/** What the loader says of each file (see store/load-state.ts). */
export interface FileOutcome {
  path: string;
  kind: string;
  status: "read" | "skipped";
  problem?: string;
  records?: number;
  skippedRecords?: number;
}

/** What `compact` left: the base's file, its time and size (see Session.report). */
export interface BaseSummary {
  path: string;
  compactedAt: number;
  runs: number;
  folded: number;
  foldedOnDisk: number;
}

/** How many entries each list shows unless asked for all (`report --full`). */
export const REPORT_LIMIT = 20;

export interface ReportOptions {
  /** The most entries each list shows, oldest first; Infinity for all (`--full`). Default REPORT_LIMIT. */
  limit?: number;
}

/**
 * A list too long to print whole: how many there are, how many are shown,
 * and those shown, oldest first (lists without a time: by name, which for
 * results files and batches is their time).
 */
export interface Capped<T> {
  count: number;
  shown: number;
  oldest: T[];
}

/** How long the keys in flight have been waiting, counted from their earliest evidence (answer.pendingSince). */
export const AGE_BUCKETS = [
  { name: "<1h", below: 3_600_000 },
  { name: "1-6h", below: 6 * 3_600_000 },
  { name: "6-24h", below: 24 * 3_600_000 },
  { name: "1-3d", below: 3 * 86_400_000 },
  { name: ">3d", below: Number.POSITIVE_INFINITY },
] as const;
export type AgeBucket = (typeof AGE_BUCKETS)[number]["name"] | "unknown";

export interface InFlightKey {
  key: string;
  suite: string;
  arch: string;
  package: string;
  trigger: string;
  /** When it went in flight (the earliest evidence); null when nothing says. */
  since: string | null;
  age: string | null;
  /** Why it counts as in flight: snapshot, queued-run, request, unsent (see InFlightEvidence). */
  evidence: string[];
  runId: number | null;
}

export interface LostRequest {
  key: string;
  /** When the lost attempt was made: the ledger's request, or else the lost run's creation. */
  requestedAt: string;
  /** The batch that carried the request; null when the ledger no longer holds it. */
  batch: string | null;
  /** The run that was overtaken, when that is how it was lost. */
  overtaken?: number;
}

export interface RefusedKey {
  key: string;
  message: string;
  refusedAt: string;
  batch: string;
}

export interface ArchRow {
  suite: string;
  arch: string;
  /** Every key the state knows of on this suite and arch, and their answers' states. */
  keys: number;
  pass: number;
  fail: number;
  pending: number;
  missing: number;
  /** Keys with a run or request under way (a pass or fail may be re-running). */
  inFlight: number;
  /** Keys answered lost: their newest request or run is lost and no result came. */
  lost: number;
  /** Keys whose latest request the CI service refused, while no later request replaced it. */
  refused: number;
  /** Keys the reject list names. */
  rejectListed: number;
}

const iso = (t: number | null | undefined): string | null => (t == null ? null : isoTime(t));

/**
 * Keeps the `limit` oldest of what it is given, ordered by time, then by a
 * tie-breaking name (made only when the times are equal). With an infinite
 * limit it keeps everything and sorts once at the end.
 */
class Oldest<K, T> {
  count = 0;
  private readonly kept: Array<{ t: number; k: K; tie: string | null; value: T | null }> = [];

  constructor(
    private readonly limit: number,
    private readonly tieOf: (k: K) => string,
    private readonly make: (k: K) => T,
  ) {}

  private compare(a: { t: number; k: K; tie: string | null }, b: { t: number; k: K; tie: string | null }): number {
    if (a.t !== b.t) return a.t < b.t ? -1 : 1;
    a.tie ??= this.tieOf(a.k);
    b.tie ??= this.tieOf(b.k);
    return a.tie < b.tie ? -1 : a.tie > b.tie ? 1 : 0;
  }

  /** `t` null (no time known) sorts after every time. */
  add(t: number | null, k: K): void {
    this.count++;
    const item = { t: t ?? Number.POSITIVE_INFINITY, k, tie: null, value: null };
    if (this.limit === Number.POSITIVE_INFINITY) {
      this.kept.push(item);
      return;
    }
    if (this.limit <= 0) return;
    const kept = this.kept;
    if (kept.length === this.limit && this.compare(item, kept[kept.length - 1]!) >= 0) return;
    let lo = 0;
    let hi = kept.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compare(kept[mid]!, item) <= 0) lo = mid + 1;
      else hi = mid;
    }
    kept.splice(lo, 0, item);
    if (kept.length > this.limit) kept.pop();
  }

  done(): Capped<T> {
    if (this.limit === Number.POSITIVE_INFINITY) this.kept.sort((a, b) => this.compare(a, b));
    const oldest = this.kept.map((item) => item.value ?? this.make(item.k));
    return { count: this.count, shown: oldest.length, oldest };
  }
}

/** A list capped as the report caps lists, when its order is already known (names, paths). */
function capList<T>(items: readonly T[], limit: number, order?: (a: T, b: T) => number): Capped<T> {
  const sorted = order === undefined ? items : [...items].sort(order);
  const oldest = sorted.slice(0, Math.max(0, Math.min(limit, sorted.length)));
  return { count: items.length, shown: oldest.length, oldest };
}

const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function bucketOf(ageMs: number | null): AgeBucket {
  if (ageMs === null) return "unknown";
  for (const bucket of AGE_BUCKETS) if (ageMs < bucket.below) return bucket.name;
  return ">3d";
}

/** The data ages as a person reads them: ISO times and spoken ages, and the warning every command gives when stale. */
function agesView(ages: DataAges) {
  return {
    snapshotAt: iso(ages.snapshotAt),
    snapshotAge: ages.snapshotAgeMs === null ? null : humanAge(ages.snapshotAgeMs),
    snapshotAgeMs: ages.snapshotAgeMs,
    resultsUntil: iso(ages.resultsUntil),
    resultsAge: ages.resultsAgeMs === null ? null : humanAge(ages.resultsAgeMs),
    resultsAgeMs: ages.resultsAgeMs,
    stale: ages.stale,
    staleAfterMs: ages.staleAfterMs,
    staleAfterHours: ages.staleAfterMs / 3_600_000,
    warning: stalenessWarning(ages),
  };
}

/**
 * The state as a person checking it wants to see it: data ages and counts
 * first, then each part, every list capped to its `limit` oldest entries
 * with its full count beside it. Pure: built from loaded data and `now`
 * only. Every key is answered once (runs' keys found by number, then the
 * keys only the snapshot, ledger, outbox or refusals mention), so the cost
 * is one answer per key plus one pass over the runs.
 */
export function buildReport(
  index: KnowledgeIndex,
  settings: Settings,
  now: number,
  files: readonly FileOutcome[],
  coverage: readonly CoverageWindow[],
  repairedBatches: readonly string[],
  base: BaseSummary | null = null,
  options: ReportOptions = {},
) {
  const limit = options.limit ?? REPORT_LIMIT;
  const { knowledge } = index;
  const store = knowledge.runs;
  const ages = stateAges(knowledge.pending, coverage, now, settings.staleAfterMs);

  // Per (suite, arch): found by group number for keys of the runs, by name otherwise.
  const rows = new Map<string, ArchRow>();
  const rowByGroup: Array<ArchRow | undefined> = [];
  const rowFor = (suite: string, arch: string, group: number): ArchRow => {
    let row = group >= 0 ? rowByGroup[group] : undefined;
    if (row !== undefined) return row;
    const name = `${suite.length}:${suite}${arch}`;
    row = rows.get(name);
    if (row === undefined) {
      row = { suite, arch, keys: 0, pass: 0, fail: 0, pending: 0, missing: 0, inFlight: 0, lost: 0, refused: 0, rejectListed: 0 };
      rows.set(name, row);
    }
    if (group >= 0) rowByGroup[group] = row;
    return row;
  };

  const states = { pass: 0, fail: 0, pending: 0, missing: 0 };
  let rejectListed = 0;
  const byAge: Record<AgeBucket, number> = { "<1h": 0, "1-6h": 0, "6-24h": 0, "1-3d": 0, ">3d": 0, unknown: 0 };
  const inFlight = new Oldest<{ key: TestKey; since: number | null; evidence: string[]; runId: number | null }, InFlightKey>(
    limit,
    (k) => formatKey(k.key),
    (k) => ({
      key: formatKey(k.key),
      suite: k.key.suite,
      arch: k.key.arch,
      package: k.key.package,
      trigger: k.key.trigger,
      since: iso(k.since),
      age: k.since === null ? null : humanAge(Math.max(0, now - k.since)),
      evidence: k.evidence,
      runId: k.runId,
    }),
  );
  const lost = new Oldest<{ key: TestKey; requestedAt: number; batch: string | null; overtaken: number | undefined }, LostRequest>(
    limit,
    (k) => formatKey(k.key),
    (k) => ({ key: formatKey(k.key), requestedAt: isoTime(k.requestedAt), batch: k.batch, ...(k.overtaken === undefined ? {} : { overtaken: k.overtaken }) }),
  );
  const refused = new Oldest<{ key: TestKey; message: string; refusedAt: number; batch: string }, RefusedKey>(
    limit,
    (k) => formatKey(k.key),
    (k) => ({ key: formatKey(k.key), message: k.message, refusedAt: isoTime(k.refusedAt), batch: k.batch }),
  );

  /** Answers one key (each exactly once: the callers see to that) and counts it everywhere it counts. */
  const visit = (key: TestKey, place: KeyPlace, row: ArchRow) => {
    const facts = factsFor(index, key, settings, place, now);
    const { answer } = facts;
    row.keys++;
    row[answer.state]++;
    states[answer.state]++;
    if (answer.rejected) {
      row.rejectListed++;
      rejectListed++;
    }
    if (answer.inFlight) {
      row.inFlight++;
      let since: number | null = null;
      let runId: number | null = null;
      const evidence: string[] = [];
      for (const e of facts.evidence) {
        if (e.since !== null && (since === null || e.since < since)) since = e.since;
        if (runId === null && e.runId !== undefined) runId = e.runId;
        if (!evidence.includes(e.kind)) evidence.push(e.kind);
      }
      byAge[bucketOf(since === null ? null : Math.max(0, now - since))]++;
      inFlight.add(since, { key, since, evidence, runId });
    }
    if (answer.lost) {
      // The list follows the answers: every lost answer, with its request where the ledger still has it.
      const request = index.record(place)?.request;
      const at = request?.requestedAt ?? facts.lostAttempt!.at;
      row.lost++;
      lost.add(at, { key, requestedAt: at, batch: request?.batch ?? null, overtaken: answer.overtaken });
    }
    if (facts.refusal !== null) {
      row.refused++;
      const r = facts.refusal;
      refused.add(r.refusedAt, { key: r, message: r.message, refusedAt: r.refusedAt, batch: r.batch });
    }
  };

  // One pass over the runs, a (suite, arch, package) group at a time: statuses, and each key the
  // group's runs answer, once (a run counts for every trigger it names). Rows are put in group order
  // by a counting sort, and their columns taken in that order: no object per run.
  const byStatus = { pass: 0, fail: 0, neutral: 0, tmpfail: 0, running: 0 };
  const STATUS_NAMES = ["running", "pass", "fail", "neutral", "tmpfail"] as const;
  let withoutTrigger = 0;
  const numbers = index.numbers;
  const size = store.size;
  const groupOf = new Uint32Array(size);
  const counts: number[] = [];
  for (let r = 0; r < size; r++) {
    const g = numbers.groupOfRow(r);
    groupOf[r] = g;
    while (counts.length <= g) counts.push(0);
    counts[g]!++;
  }
  const starts = new Uint32Array(counts.length + 1);
  for (let g = 0; g < counts.length; g++) starts[g + 1] = starts[g]! + counts[g]!;
  const order = new Uint32Array(size);
  const fill = starts.slice(0, counts.length);
  for (let r = 0; r < size; r++) order[fill[groupOf[r]!]!++] = r;
  // Statuses by row, taken in row order (sequential reads; a column taken in group order costs several times more).
  const statuses = store.columnsInOrder(Uint32Array.from({ length: size }, (_, r) => r)).statuses;
  const triggersSeen = new Set<number>();
  for (let g = 0; g < counts.length; g++) {
    const from = starts[g]!;
    const to = starts[g + 1]!;
    if (from === to) continue;
    const first = store.observation(order[from]!);
    const row = rowFor(first.suite, first.arch, g);
    triggersSeen.clear();
    for (let at = from; at < to; at++) {
      const r = order[at]!;
      byStatus[STATUS_NAMES[statuses[r]!]!]++;
      const id = store.triggerIdOf(r);
      if (id === 0) {
        withoutTrigger++;
        continue;
      }
      if (!store.isMultiTrigger(id)) {
        if (triggersSeen.has(id)) continue;
        triggersSeen.add(id);
        const trigger = store.triggersOf(r)[0];
        if (trigger !== undefined) visit({ suite: first.suite, arch: first.arch, package: first.package, trigger }, { group: g, trigger: id, key: keyNumber(g, id) }, row);
        continue;
      }
      for (const trigger of store.triggersOf(r)) {
        const place = numbers.placeInGroup(g, trigger);
        if (triggersSeen.has(place.trigger)) continue;
        triggersSeen.add(place.trigger);
        visit({ suite: first.suite, arch: first.arch, package: first.package, trigger }, place, row);
      }
    }
  }
  // Keys no run answers, which only the snapshot, the ledger, the outbox or a refusal mention (each once).
  const seen = new Set<number>();
  const visitNamed = (suite: string, arch: string, pkg: string, trigger: string) => {
    const key = { suite, arch, package: pkg, trigger };
    const place = index.place(key);
    if (place.key >= 0) {
      if (seen.has(place.key)) return;
      seen.add(place.key);
    }
    if (index.runsFor(key, place).length > 0) return; // a key of the runs: answered above
    visit(key, place, rowFor(suite, arch, place.group));
  };
  for (const entry of knowledge.pending?.entries ?? []) for (const trigger of splitTriggers(entry.trigger)) visitNamed(entry.suite, entry.arch, entry.package, trigger);
  for (const entry of knowledge.ledger.entries) visitNamed(entry.suite, entry.arch, entry.package, entry.trigger);
  for (const batch of knowledge.outbox) {
    if (batch.place !== "outbox" || batch.body === null) continue;
    for (const request of batchRequests(batch.body, batch.huge)) visitNamed(request.suite, request.arch, request.package, request.trigger);
  }
  for (const refusal of knowledge.refusals) visitNamed(refusal.suite, refusal.arch, refusal.package, refusal.trigger);

  const snapshot = knowledge.pending;
  const created = snapshot?.entries.map((e) => e.createdAt).filter((t): t is number => t !== null) ?? [];
  const unsentBatches = knowledge.outbox
    .filter((b) => b.place === "outbox")
    .map((b) => ({ name: b.name, huge: b.huge, tests: b.body?.reduce((n, g) => n + g.tests.length * g.arch.length, 0) ?? null }));
  const rejectedBatches = knowledge.outbox.filter((b) => b.place === "rejected").map((b) => b.name);
  const resultFiles = files.filter((f) => f.kind === "results");
  const skipped = files.filter((f) => f.status === "skipped").map((f) => ({ path: f.path, kind: f.kind, problem: f.problem }));
  const withSkippedRecords = resultFiles
    .filter((f) => (f.skippedRecords ?? 0) > 0)
    .map((f) => ({ path: f.path, skippedRecords: f.skippedRecords, firstProblem: f.problem }));
  const skippedRecords = resultFiles.reduce((n, f) => n + (f.skippedRecords ?? 0), 0);
  const gaps = coverageGaps(coverage).map((g) => ({ from: isoTime(g.from), to: isoTime(g.to) }));
  const inFlightList = inFlight.done();
  const lostList = lost.done();
  const refusedList = refused.done();
  const arches = [...rows.values()].sort((a, b) => byName(a.suite, b.suite) || byName(a.arch, b.arch));
  const keysKnown = states.pass + states.fail + states.pending + states.missing;

  return {
    now: isoTime(now),
    ages: agesView(ages),
    summary: {
      runs: store.size,
      keys: keysKnown,
      pass: states.pass,
      fail: states.fail,
      pending: states.pending,
      missing: states.missing,
      inFlight: inFlightList.count,
      lost: lostList.count,
      refused: refusedList.count,
      unsentBatches: unsentBatches.length,
      rejectedBatches: rejectedBatches.length,
      skippedFiles: skipped.length,
      skippedRecords,
      coverageGaps: gaps.length,
    },
    /** The most entries a list shows (null: every entry, --full). */
    limit: limit === Number.POSITIVE_INFINITY ? null : limit,
    files: {
      results: resultFiles.filter((f) => f.status === "read").length,
      skipped: capList(skipped, limit, (a, b) => byName(a.path, b.path)),
      skippedRecords,
      withSkippedRecords: capList(withSkippedRecords, limit, (a, b) => byName(a.path, b.path)),
    },
    runs: { total: store.size, ...byStatus, withoutTrigger },
    base: base === null ? null : { ...base, compactedAt: isoTime(base.compactedAt) },
    keys: {
      /** Distinct test keys the runs answer. */
      withRuns: index.countKeys(),
      /** Every key the runs, the snapshot, the ledger, the outbox or a refusal mention; answered as plan would. */
      known: keysKnown,
      ...states,
      rejectListed,
    },
    inFlight: { count: inFlightList.count, byAge, shown: inFlightList.shown, oldest: inFlightList.oldest },
    arches,
    pending:
      snapshot === null
        ? null
        : { generatedAt: isoTime(snapshot.generatedAt), since: iso(snapshot.since), count: snapshot.entries.length, oldestCreatedAt: iso(minOf(created)) },
    requests: {
      ledgerEntries: knowledge.ledger.entries.length,
      lost: lostList,
      refused: refusedList,
      repairedBatches: capList(repairedBatches, limit, byName),
    },
    outbox: {
      unsent: capList(unsentBatches, limit, (a, b) => byName(a.name, b.name)),
      rejected: capList(rejectedBatches, limit, byName),
    },
    coverage: {
      windows: coverage.length,
      from: iso(minOf(coverage.map((w) => w.since))),
      to: iso(maxOf(coverage.map((w) => w.until))),
      gaps: capList(gaps, limit),
    },
  };
}

export type Report = ReturnType<typeof buildReport>;
