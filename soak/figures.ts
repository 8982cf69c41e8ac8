/**
 * The soak's figures, from what it recorded: the CI service's jobs and what
 * the workers did with them, who asked for each, the final run's answers,
 * every command's exit, and the faults. `format` is the table for people;
 * the object itself is `--json`.
 */
import type { JobFate } from "../test/support/debci-workers.js";
import type { Job } from "../test/support/fake-debci.js";
import { crashed, hasStackTrace, type CommandRun } from "./commands.js";
import { FAULT_KINDS, type FaultKind } from "./faults.js";
import type { AttributedJob, LedgerOfJobs } from "./ledger-of-jobs.js";
import type { SoakOptions } from "./options.js";
import type { Upload } from "./workload.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export interface SoakRecord {
  options: SoakOptions;
  start: number;
  end: number;
  /** The final submit's time (the final fetch and plan are at `end`). */
  finalAt: number;
  uploads: readonly Upload[];
  jobs: readonly Job[];
  fates: ReadonlyMap<number, JobFate>;
  ledger: LedgerOfJobs;
  runs: readonly CommandRun[];
  /** Measured at the end of each simulated day. */
  stateBytesByDay: number[];
  finalAnswers: Array<Record<string, unknown>>;
  /** The keys the final needs held. */
  finalNeeded: ReadonlySet<string>;
  /** Keys in a batch still in the outbox after the final submit. */
  outboxKeysAtEnd: ReadonlySet<string>;
  /** Answers with a result that said lost, over every plan run. */
  lostWithResultAllRuns: number;
  faults: Record<FaultKind, { due: number; injected: number }>;
  outageHours: number;
  locksLeft: string[];
  wallSeconds: number;
}

export interface Figures {
  seed: number;
  profile: string;
  days: number;
  simulated: { from: string; to: string };
  wallSeconds: number;
  settings: { workersPerArch: number; workersByArch: Record<string, number>; dropRate: number; uploadsPerDay: number; maxRdeps: number; maxWaitDays: number; retentionDays: number };
  workload: { uploads: number; huge: number; migrated: number; expired: number; waitingAtEnd: number; keysAsked: number };
  jobs: { total: number; pass: number; fail: number; neutral: number; tmpfail: number; queuedAtEnd: number; runningAtEnd: number; dropped: number; neverQueued: number; keys: number; perKeyMean: number; perKeyMax: number; byCause: Record<string, number> };
  needlessDuplicates: { total: number; byCause: Record<string, number> };
  stuckAtEnd: { count: number; afterDrop: number; other: number; examples: string[] };
  dropToReRequest: { drops: number; reRequested: number; medianHours: number | null; p90Hours: number | null; maxHours: number | null; neverReRequested: number; neverReRequestedStillNeeded: number; neverReRequestedMedianAgeHours: number | null; neverReRequestedMaxAgeHours: number | null };
  reRequestsThatRanAfterAll: { total: number; byCause: Record<string, number> };
  lostWithResult: { finalRun: number; allRuns: number };
  /** Keys the final needs held whose final answer is neither pass/fail, nor in flight, nor asked for now. */
  unanswered: { count: number; examples: string[] };
  perDay: Array<{ day: number; stateBytes: number; planMedianSeconds: number | null; plans: number; uploads: number; jobsCreated: number; jobsFinished: number; queueWaitMedianHours: number | null; queueWaitMaxHours: number | null; waitingAtDayEnd: number }>;
  faults: Record<FaultKind, { due: number; injected: number }>;
  outageHours: number;
  commands: Record<string, { runs: number; killed: number; medianSeconds: number; exits: Record<string, number> }>;
  crashes: Array<{ command: string; at: string; code: number | null; signal: string | null; stackTrace: boolean; stderr: string }>;
  locksLeft: string[];
}

const iso = (t: number) => new Date(t).toISOString();
const round = (x: number, digits = 2) => Math.round(x * 10 ** digits) / 10 ** digits;
const add = (counts: Record<string, number>, key: string, n = 1) => void (counts[key] = (counts[key] ?? 0) + n);

function quantile(values: number[], q: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** A job that, at time t, is still going to run: not dropped nor never queued, and not finished by then. */
function goingToRun(job: Job, fate: JobFate | undefined, t: number): boolean {
  if (fate === undefined || fate.dropped || job.lostByWorker || job.priority === undefined) return false;
  return fate.finishedAt === null || fate.finishedAt > t;
}

export function computeFigures(r: SoakRecord): Figures {
  const attributed = r.ledger.attribute(r.jobs);
  const byKey = new Map<string, AttributedJob[]>();
  for (const a of attributed) {
    const list = byKey.get(a.key) ?? [];
    list.push(a);
    byKey.set(a.key, list);
  }

  const jobs = { total: r.jobs.length, pass: 0, fail: 0, neutral: 0, tmpfail: 0, queuedAtEnd: 0, runningAtEnd: 0, dropped: 0, neverQueued: 0, keys: byKey.size, perKeyMean: 0, perKeyMax: 0, byCause: {} as Record<string, number> };
  for (const a of attributed) {
    const fate = r.fates.get(a.job.run_id);
    add(jobs.byCause, a.cause);
    if (a.job.status !== null) jobs[a.job.status]++;
    else if (fate?.dropped) jobs.dropped++;
    else if (a.job.lostByWorker || a.job.priority === undefined) jobs.neverQueued++;
    else if (fate?.startedAt != null) jobs.runningAtEnd++;
    else jobs.queuedAtEnd++;
  }
  const perKey = [...byKey.values()].map((l) => l.length);
  jobs.perKeyMean = perKey.length === 0 ? 0 : round(perKey.reduce((a, b) => a + b, 0) / perKey.length, 3);
  jobs.perKeyMax = perKey.length === 0 ? 0 : Math.max(...perKey);

  // A second job for a key while an earlier one of the key was still going to run, by what asked for it.
  const needlessDuplicates = { total: 0, byCause: {} as Record<string, number> };
  // A request for a key whose earlier job finished after the request after all.
  const reRequestsThatRanAfterAll = { total: 0, byCause: {} as Record<string, number> };
  for (const list of byKey.values()) {
    for (let i = 1; i < list.length; i++) {
      const later = list[i]!;
      const earlier = list.slice(0, i);
      if (earlier.some((e) => goingToRun(e.job, r.fates.get(e.job.run_id), later.job.created_at))) {
        needlessDuplicates.total++;
        add(needlessDuplicates.byCause, later.cause);
      }
      if (earlier.some((e) => (r.fates.get(e.job.run_id)?.finishedAt ?? -Infinity) > later.askedAt)) {
        reRequestsThatRanAfterAll.total++;
        add(reRequestsThatRanAfterAll.byCause, later.cause);
      }
    }
  }

  // From a dropped job to the next request for its key.
  const hours: number[] = [];
  let neverReRequested = 0;
  let neverStillNeeded = 0;
  const neverAges: number[] = [];
  for (const a of attributed) {
    if (!r.fates.get(a.job.run_id)?.dropped) continue;
    const next = r.ledger.requestsOf(a.key).find((q) => q.at > a.job.created_at);
    if (next !== undefined) hours.push((next.at - a.job.created_at) / HOUR);
    else {
      neverReRequested++;
      neverAges.push((r.end - a.job.created_at) / HOUR);
      if (r.finalNeeded.has(a.key)) neverStillNeeded++;
    }
  }

  const answers = new Map<string, Record<string, unknown>>();
  for (const a of r.finalAnswers) answers.set(`${String(a.suite)}/${String(a.arch)} ${String(a.package)} ${String(a.trigger)}`, a);
  const stuck: string[] = [];
  let afterDrop = 0;
  const unanswered: string[] = [];
  for (const key of r.finalNeeded) {
    const answer = answers.get(key);
    const answered = answer?.state === "pass" || answer?.state === "fail";
    if (!answered && !(answer?.inFlight === true || typeof answer?.request === "string")) unanswered.push(key);
    if (answered) continue;
    const list = byKey.get(key) ?? [];
    // In flight as of the final fetch (r.end), whose data the final answers stand on: a job that ran after
    // it, or that the final submit made, will give the key a result.
    const live = list.some((a) => goingToRun(a.job, r.fates.get(a.job.run_id), r.end));
    if (live || r.outboxKeysAtEnd.has(key)) continue;
    stuck.push(key);
    const last = list.at(-1);
    if (last !== undefined && (r.fates.get(last.job.run_id)?.dropped || last.job.lostByWorker)) afterDrop++;
  }

  const perDay: Figures["perDay"] = [];
  for (let d = 0; d < r.options.days; d++) {
    const from = r.start + d * DAY;
    const inDay = (t: number | null | undefined) => t != null && t >= from && t < from + DAY;
    // How long the jobs a worker took this day had waited in the queue, and how many waited at the day's end.
    const waits: number[] = [];
    let waitingAtDayEnd = 0;
    for (const job of r.jobs) {
      const fate = r.fates.get(job.run_id);
      if (fate === undefined || fate.dropped || job.priority === undefined || job.lostByWorker) continue;
      if (inDay(fate.startedAt)) waits.push((fate.startedAt! - job.created_at) / HOUR);
      if (job.created_at < from + DAY && (fate.startedAt === null || fate.startedAt >= from + DAY)) waitingAtDayEnd++;
    }
    const plans = r.runs.filter((run) => run.command === "plan" && inDay(run.at) && !run.killed && run.code === 0);
    perDay.push({
      day: d + 1,
      stateBytes: r.stateBytesByDay[d] ?? 0,
      planMedianSeconds: plans.length === 0 ? null : round(median(plans.map((p) => p.seconds))!, 3),
      plans: plans.length,
      uploads: r.uploads.filter((u) => inDay(u.arrivedAt)).length,
      jobsCreated: r.jobs.filter((j) => inDay(j.created_at)).length,
      jobsFinished: r.jobs.filter((j) => j.status !== null && inDay(j.date)).length,
      queueWaitMedianHours: waits.length === 0 ? null : round(median(waits)!, 1),
      queueWaitMaxHours: waits.length === 0 ? null : round(Math.max(...waits), 1),
      waitingAtDayEnd,
    });
  }

  const commands: Figures["commands"] = {};
  for (const run of r.runs) {
    const c = (commands[run.command] ??= { runs: 0, killed: 0, medianSeconds: 0, exits: {} });
    c.runs++;
    if (run.killed) c.killed++;
    else add(c.exits, run.signal ?? String(run.code));
  }
  for (const [name, c] of Object.entries(commands)) c.medianSeconds = round(median(r.runs.filter((run) => run.command === name && !run.killed).map((run) => run.seconds)) ?? 0, 3);

  return {
    seed: r.options.seed,
    profile: r.options.profile,
    days: r.options.days,
    simulated: { from: iso(r.start), to: iso(r.end) },
    wallSeconds: round(r.wallSeconds, 1),
    settings: {
      workersPerArch: r.options.workersPerArch,
      workersByArch: r.options.workersByArch,
      dropRate: r.options.dropRate,
      uploadsPerDay: r.options.uploadsPerDay,
      maxRdeps: r.options.maxRdeps,
      maxWaitDays: r.options.maxWaitDays,
      retentionDays: r.options.retentionDays,
    },
    workload: {
      uploads: r.uploads.length,
      huge: r.uploads.filter((u) => u.huge).length,
      migrated: r.uploads.filter((u) => u.left === "answered").length,
      expired: r.uploads.filter((u) => u.left === "expired").length,
      waitingAtEnd: r.uploads.filter((u) => u.left === null).length,
      keysAsked: new Set(r.ledger.requests.map((q) => q.key)).size,
    },
    jobs,
    needlessDuplicates,
    stuckAtEnd: { count: stuck.length, afterDrop, other: stuck.length - afterDrop, examples: stuck.slice(0, 5) },
    dropToReRequest: {
      drops: hours.length + neverReRequested,
      reRequested: hours.length,
      medianHours: hours.length === 0 ? null : round(median(hours)!, 1),
      p90Hours: hours.length === 0 ? null : round(quantile(hours, 0.9)!, 1),
      maxHours: hours.length === 0 ? null : round(Math.max(...hours), 1),
      neverReRequested,
      neverReRequestedStillNeeded: neverStillNeeded,
      neverReRequestedMedianAgeHours: neverAges.length === 0 ? null : round(median(neverAges)!, 1),
      neverReRequestedMaxAgeHours: neverAges.length === 0 ? null : round(Math.max(...neverAges), 1),
    },
    reRequestsThatRanAfterAll,
    lostWithResult: { finalRun: r.finalAnswers.filter((a) => (a.state === "pass" || a.state === "fail") && a.lost === true).length, allRuns: r.lostWithResultAllRuns },
    unanswered: { count: unanswered.length, examples: unanswered.slice(0, 5) },
    perDay,
    faults: r.faults,
    outageHours: r.outageHours,
    commands,
    crashes: r.runs.filter(crashed).map((run) => ({ command: run.command, at: iso(run.at), code: run.code, signal: run.signal, stackTrace: hasStackTrace(run.stderr) || hasStackTrace(run.stdout), stderr: run.stderr.slice(-600) })),
    locksLeft: r.locksLeft,
  };
}

const causes = (counts: Record<string, number>) => (Object.keys(counts).length === 0 ? "" : ` (${Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(", ")})`);
const orDash = (x: number | null, unit = "") => (x === null ? "-" : `${x}${unit}`);
const mib = (bytes: number) => `${round(bytes / 2 ** 20, 2)} MiB`;

/** The figures as a table for people. */
export function formatFigures(f: Figures): string {
  const rows: Array<[string, string]> = [
    ["simulated", `${f.simulated.from} .. ${f.simulated.to} (${f.days} day(s), profile ${f.profile}, seed ${f.seed}); wall ${f.wallSeconds} s`],
    ["settings", `${f.settings.workersPerArch} worker(s)/arch${Object.keys(f.settings.workersByArch).length === 0 ? "" : ` ${JSON.stringify(f.settings.workersByArch)}`}, drop rate ${f.settings.dropRate}, ${f.settings.uploadsPerDay} uploads/day, <= ${f.settings.maxRdeps} rdeps, uploads leave after ${f.settings.maxWaitDays} d, prune --older-than ${f.settings.retentionDays}`],
    ["uploads", `${f.workload.uploads} (${f.workload.huge} huge): ${f.workload.migrated} answered and left, ${f.workload.expired} left unanswered after ${f.settings.maxWaitDays} d, ${f.workload.waitingAtEnd} waiting at the end; ${f.workload.keysAsked} keys asked for`],
    ["jobs", `${f.jobs.total}: pass ${f.jobs.pass}, fail ${f.jobs.fail}, neutral ${f.jobs.neutral}, tmpfail ${f.jobs.tmpfail}, queued ${f.jobs.queuedAtEnd}, running ${f.jobs.runningAtEnd}, dropped ${f.jobs.dropped}, never queued ${f.jobs.neverQueued}`],
    ["jobs by request reason", causes(f.jobs.byCause).slice(2, -1) || "-"],
    ["jobs per key", `mean ${f.jobs.perKeyMean}, max ${f.jobs.perKeyMax} (${f.jobs.keys} keys)`],
    ["needless duplicate jobs", `${f.needlessDuplicates.total}${causes(f.needlessDuplicates.byCause)}`],
    ["stuck keys at the end", `${f.stuckAtEnd.count} (after a drop ${f.stuckAtEnd.afterDrop}, other ${f.stuckAtEnd.other})${f.stuckAtEnd.examples.length === 0 ? "" : `: ${f.stuckAtEnd.examples.join("; ")}`}`],
    ["drop -> re-request (hours)", `median ${orDash(f.dropToReRequest.medianHours)}, p90 ${orDash(f.dropToReRequest.p90Hours)}, max ${orDash(f.dropToReRequest.maxHours)}, count ${f.dropToReRequest.reRequested} of ${f.dropToReRequest.drops} drops; never re-requested ${f.dropToReRequest.neverReRequested} (${f.dropToReRequest.neverReRequestedStillNeeded} still needed at the end; dropped a median ${orDash(f.dropToReRequest.neverReRequestedMedianAgeHours)} h, at most ${orDash(f.dropToReRequest.neverReRequestedMaxAgeHours)} h before the end)`],
    ["re-requests that ran after all", `${f.reRequestsThatRanAfterAll.total}${causes(f.reRequestsThatRanAfterAll.byCause)}`],
    ["answers with a result saying lost", `${f.lostWithResult.finalRun} in the final run, ${f.lostWithResult.allRuns} over every run`],
    ["needed keys neither answered nor in flight", `${f.unanswered.count}${f.unanswered.examples.length === 0 ? "" : `: ${f.unanswered.examples.join("; ")}`}`],
  ];
  for (const d of f.perDay) rows.push([`day ${d.day}`, `state ${mib(d.stateBytes)}, plan median ${orDash(d.planMedianSeconds, " s")} (${d.plans} runs), ${d.uploads} uploads, ${d.jobsCreated} jobs created, ${d.jobsFinished} finished; queue wait median ${orDash(d.queueWaitMedianHours, " h")}, max ${orDash(d.queueWaitMaxHours, " h")}, ${d.waitingAtDayEnd} waiting at its end`]);
  for (const kind of FAULT_KINDS) rows.push([`fault ${kind}`, `${f.faults[kind].injected} injected (${f.faults[kind].due} due)`]);
  rows.push(["outage hours", String(f.outageHours)]);
  for (const [name, c] of Object.entries(f.commands)) rows.push([`command ${name}`, `${c.runs} runs, median ${c.medianSeconds} s, exits ${Object.entries(c.exits).map(([k, v]) => `${k}: ${v}`).join(", ")}${c.killed === 0 ? "" : `, killed ${c.killed}`}`]);
  rows.push(["crashes", f.crashes.length === 0 ? "0" : `${f.crashes.length}: ${f.crashes.map((c) => `${c.command} at ${c.at} exit ${c.signal ?? c.code}${c.stackTrace ? " (stack trace)" : ""}`).join("; ")}`]);
  rows.push(["locks left behind", f.locksLeft.length === 0 ? "none" : f.locksLeft.join(", ")]);
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}
