/**
 * The soak: the whole loop as a release host runs it, for simulated days.
 * Every simulated hour: the CI side's workers play the hour, then `fetch`,
 * a committing `plan` on the needs of the uploads still waiting, and
 * `submit`, each the real CLI in its own process with `--now` the simulated
 * time, against the test fake of debci; once a simulated day, `compact`
 * then `prune` after the fetch. Faults are injected along the way. A last,
 * fault-free cycle at the end gives the final answers the figures judge.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { DebciWorkers } from "../test/support/debci-workers.js";
import { FakeDebci } from "../test/support/fake-debci.js";
import { runCommand, type CommandRun } from "./commands.js";
import { Faults } from "./faults.js";
import { computeFigures, type Figures, type SoakRecord } from "./figures.js";
import { LedgerOfJobs, parseAnswers } from "./ledger-of-jobs.js";
import type { SoakOptions } from "./options.js";
import { Workload } from "./workload.js";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** The hour of the simulated day the maintenance (compact, then prune) runs, after that hour's fetch. */
const MAINTENANCE_HOUR = 3;
/** The sync tools' HTTP flags: real seconds and milliseconds, kept short so hangs cost little wall time. */
const HTTP_FLAGS = ["--timeout", "1", "--retries", "2", "--backoff", "20"];

export interface SoakResult {
  figures: Figures;
  record: SoakRecord;
  fake: FakeDebci;
  workers: DebciWorkers;
  /** Where the state was (removed after the run unless --keep). */
  root: string;
}

const iso = (t: number) => new Date(t).toISOString();

function dirSize(dir: string): number {
  let total = 0;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    total += st.isDirectory() ? dirSize(path) : st.size;
  }
  return total;
}

function outboxBatches(state: string): Array<Array<{ suite: string; arch: string[]; tests: Array<{ package: string; trigger: string }> }>> {
  const outbox = join(state, "outbox");
  if (!existsSync(outbox)) return [];
  return readdirSync(outbox)
    .filter((name) => !name.startsWith(".") && name.endsWith(".json"))
    .map((name) => JSON.parse(readFileSync(join(outbox, name), "utf8")) as Array<{ suite: string; arch: string[]; tests: Array<{ package: string; trigger: string }> }>);
}

/** The POSTs submit will make: one per element (suite and arch) of each batch waiting in the outbox. */
function postsInOutbox(state: string): number {
  return outboxBatches(state).reduce((n, batch) => n + batch.length, 0);
}

function outboxKeys(state: string): Set<string> {
  const keys = new Set<string>();
  for (const batch of outboxBatches(state)) for (const e of batch) for (const arch of e.arch) for (const t of e.tests) keys.add(`${e.suite}/${arch} ${t.package} ${t.trigger.split(" ")[0]}`);
  return keys;
}

export async function runSoak(options: SoakOptions, progress: (line: string) => void = () => {}): Promise<SoakResult> {
  const wallStart = performance.now();
  const start = Date.parse(options.start);
  const end = start + options.days * DAY;
  const root = options.keep ?? mkdtempSync(join(tmpdir(), "debci-bridge-soak-"));
  mkdirSync(root, { recursive: true });
  const state = join(root, "state");
  if (existsSync(state) && readdirSync(state).length > 0) throw new Error(`${state} is not empty: --keep needs a new or empty directory`);
  mkdirSync(state, { recursive: true });
  const needsFile = join(root, "needs.jsonl");
  const keyFile = join(root, "api-key");

  const fake = await new FakeDebci().start();
  fake.now = start;
  // A release host's settings: Debian's defaults (britney.conf: ADT_BASELINE = reference,
  // ADT_RETRY_OLDER_THAN = 1, ADT_REFERENCE_MAX_AGE = 7), and what the CI service runs.
  writeFileSync(join(state, "debci-bridge.json"), `${JSON.stringify({ suite: "testing", baseline: "reference", retryOlderThanDays: 1, referenceMaxAgeDays: 7, serviceSuites: fake.suites, serviceArches: fake.arches }, null, 2)}\n`);
  writeFileSync(keyFile, `${fake.apiKey}\n`);
  chmodSync(keyFile, 0o600);
  const sync = ["--state", state, "--url", fake.url, "--key-file", keyFile, ...HTTP_FLAGS];

  const workers = new DebciWorkers(fake, { seed: options.seed, workersPerArch: options.workersPerArch, dropRate: options.dropRate });
  for (const [arch, n] of Object.entries(options.workersByArch)) workers.setWorkers(arch, n);
  const workload = new Workload({ seed: options.seed, uploadsPerDay: options.uploadsPerDay, maxRdeps: options.maxRdeps, maxWaitDays: options.maxWaitDays, arches: options.arches });
  const faults = new Faults(options.faults, options.seed);
  const ledger = new LedgerOfJobs();
  const runs: CommandRun[] = [];
  const stateBytesByDay: number[] = [];
  let lostWithResultAllRuns = 0;
  let finalAnswers: Array<Record<string, unknown>> = [];

  const typical = (command: string, fallback: number) => {
    const done = runs.filter((r) => r.command === command && !r.killed).slice(-10).map((r) => r.seconds * 1000).sort((a, b) => a - b);
    return done.length === 0 ? fallback : done[done.length >> 1]!;
  };
  const run = async (command: string, args: string[], at: number, killAfterMs: number | null = null) => {
    const result = await runCommand(command, [...args, "--now", iso(at)], at, killAfterMs);
    runs.push(result);
    return result;
  };
  /** The service as it is at `t`: down during an outage (only when faults are on). */
  const serviceAt = async (t: number, withFaults: boolean) => {
    const outage = withFaults ? faults.outageAt(t) : null;
    await fake.setOutage(outage?.kind ?? null);
    if (outage !== null) faults.met(outage);
    fake.now = t;
    return outage;
  };

  const cycle = async (t: number, withFaults: boolean, maintenance: boolean) => {
    workers.serve(t);
    // fetch
    if ((await serviceAt(t, withFaults)) === null && withFaults) faults.armFetch(fake);
    const fetched = await run("fetch", sync, t);
    faults.disarm(fake);
    if (maintenance) {
      await run("compact", ["--state", state], t + MINUTE);
      await run("prune", ["--state", state, "--older-than", String(options.retentionDays)], t + MINUTE);
    }
    // britney2's run: the needs of every upload still waiting, a committing plan.
    if (t < end) workload.arrive(t);
    const needs = workload.writeNeeds(needsFile);
    const planAt = t + 2 * MINUTE;
    const planned = await run("plan", ["--state", state, "--needs", needsFile], planAt, withFaults ? faults.killAfter("sigkill-plan", typical("plan", 300)) : null);
    if (planned.killed) faults.killed("sigkill-plan");
    const answers = parseAnswers(planned.stdout);
    lostWithResultAllRuns += answers.filter((a) => (a.state === "pass" || a.state === "fail") && a.lost === true).length;
    const requests = ledger.recordBatches(state, planAt, answers);
    const complete = !planned.killed && planned.code === 0 && answers.length === needs;
    if (complete) finalAnswers = answers;
    workload.settle(planAt, complete ? new Map(answers.map((a) => [`${String(a.arch)} ${String(a.package)} ${String(a.trigger)}`, a])) : null);
    // submit
    const submitAt = t + 5 * MINUTE;
    if ((await serviceAt(submitAt, withFaults)) === null && withFaults) faults.armSubmit(fake, postsInOutbox(state));
    const before = fake.jobs.length;
    const submitted = await run("submit", sync, submitAt, withFaults ? faults.killAfter("sigkill-submit", typical("submit", 250)) : null);
    if (submitted.killed) faults.killed("sigkill-submit");
    faults.disarm(fake);
    progress(
      `${iso(t)} fetch ${fetched.signal ?? fetched.code} plan ${planned.killed ? "killed" : planned.code} (${needs} needs, ${requests} requests, ${planned.seconds.toFixed(2)} s) submit ${submitted.killed ? "killed" : submitted.code} (${fake.jobs.length - before} jobs) ` +
        `queued ${options.arches.map((a) => `${a} ${workers.queued(a)}`).join(", ")}; ${workload.waiting().length} uploads waiting`,
    );
  };

  try {
    for (let h = 0; h < options.days * 24; h++) {
      const t = start + h * HOUR;
      if (h % 24 === 0) faults.planDay(t);
      await cycle(t, true, h % 24 === MAINTENANCE_HOUR);
      if (h % 24 === 23) stateBytesByDay.push(dirSize(state));
    }
    // The end: one more cycle with the service up and nothing injected, whose plan gives the final answers.
    finalAnswers = [];
    await cycle(end, false, false);
    if (finalAnswers.length === 0 && workload.waiting().length > 0) throw new Error("the final plan gave no answers");
    // The final submit's jobs reach the queues (or are dropped) as they are created.
    workers.serve(end + 5 * MINUTE);
  } finally {
    await fake.setOutage(null);
    await fake.close();
  }

  const dropped = [...workers.fates.values()].filter((f) => f.dropped).length;
  const outageHours = faults.outages.filter((o) => o.from < end).reduce((h, o) => h + (Math.min(o.until, end) - o.from) / HOUR, 0);
  const record: SoakRecord = {
    options,
    start,
    end,
    finalAt: end + 5 * MINUTE,
    uploads: workload.uploads,
    jobs: fake.jobs,
    fates: workers.fates,
    ledger,
    runs,
    stateBytesByDay,
    finalAnswers,
    finalNeeded: workload.neededKeys(),
    outboxKeysAtEnd: outboxKeys(state),
    lostWithResultAllRuns,
    faults: { ...faults.counts, "dropped-job": { due: dropped, injected: dropped } },
    outageHours: Math.round(outageHours * 10) / 10,
    locksLeft: readdirSync(state).filter((n) => n.endsWith(".lock")),
    wallSeconds: (performance.now() - wallStart) / 1000,
  };
  const figures = computeFigures(record);
  if (options.keep === null) rmSync(root, { recursive: true, force: true });
  else {
    writeFileSync(join(root, "figures.json"), `${JSON.stringify(figures, null, 2)}\n`);
    writeFileSync(join(root, "commands.jsonl"), runs.map((r) => `${JSON.stringify({ command: r.command, at: iso(r.at), code: r.code, signal: r.signal, killed: r.killed, seconds: Math.round(r.seconds * 1000) / 1000, stderr: r.stderr })}\n`).join(""));
  }
  return { figures, record, fake, workers, root };
}
