import type { FakeDebci, Job } from "./fake-debci.js";
import { seededRandom } from "./random.js";

/**
 * debci's CI side for a FakeDebci: the AMQP queues and the workers that run
 * the jobs, finishing them as the collector records them. Each behaviour
 * names the file of Debian's debci 3.6 package it mirrors:
 * /usr/lib/ruby/vendor_ruby/debci/amqp.rb (the queues),
 * /usr/share/debci/bin/debci-worker (a worker), and
 * /usr/lib/ruby/vendor_ruby/debci/job.rb (`enqueue`, `receive`, `status`).
 * Time is simulated: `serve(until)` plays every event up to `until` and
 * never looks at the clock. Every random choice is a pure function of the
 * seed and the job's key and its place among the key's jobs, so a run is
 * reproducible from its seed even if other jobs come and go.
 */

export interface WorkerOptions {
  seed: number;
  /** Workers per arch when not set per arch (setWorkers). */
  workersPerArch: number;
  /** Share of accepted jobs whose AMQP message is lost at creation: listed as queued for ever, never run. */
  dropRate: number;
}

/** What happened to one job on the CI side: test-side only, never rendered by the API. */
export interface JobFate {
  runId: number;
  key: string;
  /** Its place among its key's jobs (1 for the first): with the seed and the key, what its random choices hang on. */
  nth: number;
  /** The job's AMQP message was lost when it was created (dropRate): it never runs. */
  dropped: boolean;
  /** When a worker took it (the latest time, if a worker was stopped under it and it was taken again). */
  startedAt: number | null;
  /** When the test ended: job.rb receive sets `date` to this (the `duration` file's mtime). */
  finishedAt: number | null;
  /** When the collector saved it: its `updated_at`. */
  savedAt: number | null;
}

/** job.rb `status(exit_code)`: the status and message debci stores for autopkgtest's exit code. */
export function statusOfExitCode(code: number): { status: Exclude<Job["status"], null>; message: string } {
  switch (code) {
    case 0:
      return { status: "pass", message: "All tests passed" };
    case 2:
      return { status: "pass", message: "Tests passed, but at least one test skipped" };
    case 4:
      return { status: "fail", message: "Tests failed" };
    case 6:
      return { status: "fail", message: "Tests failed, and at least one test skipped" };
    case 12:
    case 14:
      return { status: "fail", message: "Erroneous package" };
    case 8:
      return { status: "neutral", message: "No tests in this package or all skipped" };
    case 16:
      return { status: "tmpfail", message: "Could not run tests due to a temporary testbed failure" };
    default:
      return { status: "tmpfail", message: `Unexpected autopkgtest exit code ${code}` };
  }
}

/** A random number in [0, 1) that is a pure function of the seed and a text (FNV-1a, then mulberry32). */
export function hashRandom(seed: number, text: string): () => number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return seededRandom(h);
}

export const jobKey = (job: Pick<Job, "suite" | "arch" | "package" | "trigger">) => `${job.suite}/${job.arch} ${job.package} ${(job.trigger ?? "").split(" ")[0]}`;

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/**
 * The longest run: debci-test runs autopkgtest, which stops a test after `--timeout-test`, 10,000 s
 * by default (autopkgtest(1); autopkgtest is not installed here to cite its file). debci's own
 * backends (/usr/share/debci/backends/) set no limit of their own.
 */
const LONGEST_RUN = 10_000_000;

/** How long a test runs: mostly minutes, a tail of hours, capped at autopkgtest's timeout (under three hours). */
function duration(random: () => number): number {
  const x = random();
  if (x < 0.8) return Math.round((1 + random() * 14) * MINUTE); // 1-15 min
  if (x < 0.96) return Math.round((15 + random() * 45) * MINUTE); // 15-60 min
  return Math.min(LONGEST_RUN, Math.round((1 + random() * 2.5) * HOUR)); // 1-3 h
}

/** autopkgtest's exit code: mostly pass, some fail, rare tmpfail and neutral. */
function exitCode(random: () => number): number {
  const x = random();
  if (x < 0.8) return 0;
  if (x < 0.83) return 2;
  if (x < 0.93) return 4;
  if (x < 0.945) return 12;
  if (x < 0.975) return 16;
  return 8;
}

interface Worker {
  /** debci-worker's name as it writes it into the result (the `worker` file job.rb receive reads). */
  name: string;
  job: Job | null;
  /** When the running job's test ends. */
  until: number;
}

/** One AMQP message in a queue, as rabbitmq orders them: priority first, then the order they were published. */
interface Message {
  job: Job;
  priority: number;
  seq: number;
}

export class DebciWorkers {
  /** Per job, what the CI side did with it (test-side only). */
  readonly fates = new Map<number, JobFate>();
  /** The simulated time played up to. */
  clock: number;
  private seen = 0;
  private seq = 0;
  /** Jobs published but not yet due (their created_at is after the clock). */
  private arrivals: Job[] = [];
  /** amqp.rb get_queue: one durable queue per arch and backend, `x-max-priority: 10`: per arch, one FIFO per priority 0-10. */
  private readonly queues = new Map<string, Message[][]>();
  private readonly workers = new Map<string, Worker[]>();
  private readonly workerCount = new Map<string, number>();
  /** Finished tests waiting for the collector: saved a little after the worker publishes them. */
  private saves: Array<{ at: number; job: Job; finishedAt: number; worker: string; seconds: number }> = [];
  /** job.rb history(package, suite, arch): finished unpinned jobs, for previous_status and last_pass. */
  private readonly history = new Map<string, Job[]>();
  private readonly workerIds = new Map<string, number>();
  private readonly jobsOfKey = new Map<string, number>();

  constructor(
    readonly fake: FakeDebci,
    readonly options: WorkerOptions,
  ) {
    this.clock = fake.now;
  }

  /** How many workers consume an arch's queue: 0 is every worker of the arch down. */
  setWorkers(arch: string, count: number): void {
    this.workerCount.set(arch, count);
    const list = this.workersOf(arch);
    while (list.length < count) list.push({ name: `ci-worker-${arch}-${list.length + 1}`, job: null, until: 0 });
    while (list.length > count) {
      // debci-worker runs amqp-consume --prefetch-count 1 and acks only once the test is done:
      // a worker stopped mid-test leaves its message unacked, and rabbitmq puts it back in the queue.
      const gone = list.pop()!;
      if (gone.job !== null) this.publish(gone.job, true);
    }
  }

  workersFor(arch: string): number {
    return this.workerCount.get(arch) ?? this.options.workersPerArch;
  }

  /** Jobs waiting in an arch's queue (published, not taken by a worker). */
  queued(arch: string): number {
    return (this.queues.get(arch) ?? []).reduce((n, q) => n + q.length, 0);
  }

  /** Jobs a worker is running now. */
  running(): Job[] {
    return [...this.workers.values()].flatMap((list) => list.filter((w) => w.job !== null).map((w) => w.job!));
  }

  /**
   * Plays every event up to `until`: jobs the API created since the last
   * call are published (or dropped), free workers take the next message,
   * tests end, the collector saves them.
   */
  serve(until: number): void {
    this.takeNewJobs();
    for (;;) {
      const next = this.nextEvent();
      if (next > until) break;
      this.clock = Math.max(this.clock, next);
      this.play(this.clock);
    }
    this.clock = Math.max(this.clock, until);
    this.assign(this.clock);
  }

  private workersOf(arch: string): Worker[] {
    let list = this.workers.get(arch);
    if (list === undefined) {
      list = [];
      this.workers.set(arch, list);
      this.setWorkers(arch, this.workersFor(arch));
    }
    return list;
  }

  private takeNewJobs(): void {
    const jobs = this.fake.jobs;
    for (; this.seen < jobs.length; this.seen++) {
      const job = jobs[this.seen]!;
      const key = jobKey(job);
      const nth = (this.jobsOfKey.get(key) ?? 0) + 1;
      this.jobsOfKey.set(key, nth);
      const fate: JobFate = { runId: job.run_id, key, nth, dropped: false, startedAt: null, finishedAt: null, savedAt: null };
      this.fates.set(job.run_id, fate);
      // test_handler.rb request_tests: a reject-listed job is created failed and never queued;
      // a job written while the broker was down (lostByWorker) was never published.
      if (job.status !== null || job.lostByWorker || job.priority === undefined) continue;
      if (this.randomFor(job, "drop")() < this.options.dropRate) {
        // Not debci's code but what it leaves when an AMQP message is lost: the row stays queued for ever.
        fate.dropped = true;
        job.lostByWorker = true;
        continue;
      }
      this.arrivals.push(job);
    }
    this.arrivals.sort((a, b) => a.created_at - b.created_at || a.run_id - b.run_id);
  }

  private randomFor(job: Job, what: string): () => number {
    const fate = this.fates.get(job.run_id)!;
    return hashRandom(this.options.seed, `${what} ${fate.key} ${fate.nth}`);
  }

  private nextEvent(): number {
    let next = this.arrivals[0]?.created_at ?? Number.POSITIVE_INFINITY;
    for (const list of this.workers.values()) for (const w of list) if (w.job !== null && w.until < next) next = w.until;
    for (const s of this.saves) if (s.at < next) next = s.at;
    // A free worker and a waiting message: the worker takes it at once.
    if (next > this.clock && this.anyWork()) return this.clock;
    return next;
  }

  private anyWork(): boolean {
    for (const [arch, list] of this.workers) if (list.some((w) => w.job === null) && this.queued(arch) > 0) return true;
    return false;
  }

  private play(t: number): void {
    // job.rb enqueue: the API publishes each job's message as it creates the row.
    while (this.arrivals.length > 0 && this.arrivals[0]!.created_at <= t) this.publish(this.arrivals.shift()!, false);
    for (const list of this.workers.values()) {
      for (const w of list) {
        if (w.job === null || w.until > t) continue;
        // debci-worker do_request: the test ends, report_status, the result is published on the results queue;
        // amqp-consume acks and hands the worker its next message.
        const job = w.job;
        const seconds = Math.round((w.until - this.fates.get(job.run_id)!.startedAt!) / 1000);
        this.fates.get(job.run_id)!.finishedAt = w.until;
        // debci-collector receives it a little later and saves it (updated_at).
        const lag = Math.round((5 + this.randomFor(job, "collector")() * 85) * 1000);
        this.saves.push({ at: w.until + lag, job, finishedAt: w.until, worker: w.name, seconds });
        w.job = null;
      }
    }
    const due = this.saves.filter((s) => s.at <= t).sort((a, b) => a.at - b.at || a.job.run_id - b.job.run_id);
    if (due.length > 0) {
      this.saves = this.saves.filter((s) => s.at > t);
      for (const s of due) this.receive(s.job, s.finishedAt, s.at, s.worker, s.seconds);
    }
    this.assign(t);
  }

  /** rabbitmq, a queue with x-max-priority 10 (amqp.rb): a message goes behind those of its priority. */
  private publish(job: Job, requeued: boolean): void {
    this.workersOf(job.arch);
    let queues = this.queues.get(job.arch);
    if (queues === undefined) {
      queues = Array.from({ length: 11 }, () => []);
      this.queues.set(job.arch, queues);
    }
    const priority = Math.max(0, Math.min(10, job.priority ?? 0));
    const queue = queues[priority]!;
    if (!requeued) return void queue.push({ job, priority, seq: this.seq++ });
    // A requeued message (a worker stopped mid-test) goes back to its place.
    const seq = this.seqOf.get(job.run_id) ?? -1;
    const at = queue.findIndex((m) => m.seq > seq);
    queue.splice(at === -1 ? queue.length : at, 0, { job, priority, seq });
  }

  private readonly seqOf = new Map<number, number>();

  /**
   * debci-worker: `amqp-consume --prefetch-count 1`, so a worker holds one
   * message at a time and takes the next only when its test is done; the
   * broker hands out the highest priority first, oldest first within it.
   */
  private assign(t: number): void {
    for (const [arch, list] of this.workers) {
      const queues = this.queues.get(arch);
      if (queues === undefined) continue;
      for (const w of list) {
        if (w.job !== null) continue;
        let message: Message | undefined;
        for (let p = 10; p >= 0 && message === undefined; p--) message = queues[p]!.shift();
        if (message === undefined) break;
        this.seqOf.set(message.job.run_id, message.seq);
        const fate = this.fates.get(message.job.run_id)!;
        fate.startedAt = t;
        w.job = message.job;
        // debci has no running status: the row stays status null, version null, until the collector saves it.
        w.until = t + duration(this.randomFor(message.job, "duration"));
      }
    }
  }

  /**
   * job.rb Job.receive: status and message from the exit code, duration,
   * `date` (the duration file's mtime: when the test ended), the worker
   * (Worker.find_or_create_by! name), the tested version (testpkg-version,
   * else "n/a"), previous_status and last pass from the history of finished
   * unpinned jobs dated before it, the file sizes, then save!: updated_at.
   */
  private receive(job: Job, finishedAt: number, savedAt: number, worker: string, seconds: number): void {
    const { status, message } = statusOfExitCode(exitCode(this.randomFor(job, "outcome")));
    const historyKey = `${job.suite}/${job.arch} ${job.package}`;
    const history = this.history.get(historyKey) ?? [];
    let previous: Job | undefined;
    let lastPass: Job | undefined;
    for (let i = history.length - 1; i >= 0 && (previous === undefined || lastPass === undefined); i--) {
      const h = history[i]!;
      if (h.date! >= finishedAt) continue;
      previous ??= h;
      if (lastPass === undefined && h.status === "pass") lastPass = h;
    }
    if (!this.workerIds.has(worker)) this.workerIds.set(worker, this.workerIds.size + 1);
    job.status = status;
    job.message = message;
    job.duration_seconds = seconds;
    job.date = finishedAt;
    job.worker_id = this.workerIds.get(worker)!;
    job.version = this.testedVersion(job);
    job.previous_status = previous?.status ?? null;
    job.last_pass_date = lastPass?.date ?? null;
    job.last_pass_version = lastPass?.version ?? null;
    job.log_size = 1000 + Math.round(this.randomFor(job, "log")() * 50_000);
    job.artifacts_size = 200 + Math.round(this.randomFor(job, "artifacts")() * 5_000);
    job.updated_at = savedAt;
    this.fates.get(job.run_id)!.savedAt = savedAt;
    if (job.pin_packages.length === 0) {
      history.push(job);
      history.sort((a, b) => a.date! - b.date!);
      this.history.set(historyKey, history);
    }
  }

  /**
   * The testpkg-version file autopkgtest writes: the version the test ran.
   * A test triggered by an upload of the package itself runs that upload's
   * version (britney2 pins it from unstable); any other runs the archive's.
   */
  private testedVersion(job: Job): string {
    for (const word of (job.trigger ?? "").split(" ")) {
      const slash = word.indexOf("/");
      if (slash > 0 && word.slice(0, slash) === job.package) return word.slice(slash + 1);
    }
    return this.fake.archive.get(job.package) ?? "1.0-1";
  }
}
