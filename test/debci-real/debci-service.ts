// A private, throw-away real debci 3.6 (Debian 12 packages `debci`,
// `debci-collector`, `rabbitmq-server`) on 127.0.0.1, for tests.
//
// start() brings up, all inside one mkdtemp directory:
//   epmd + a RabbitMQ node on free loopback ports,
//   `debci migrate` on a fresh sqlite file, a user and API key,
//   debci's config.ru under rackup/WEBrick, and `debci collector`.
// stop() kills exactly the process groups it spawned (plus the few
// descendants that leave their group, e.g. Erlang's erl_child_setup) and
// removes the directory. It is idempotent and safe after a half-way start().
//
// Nothing here copies debci code: it only runs the installed programs. Paths
// of the form `lib/debci/x.rb` name files under /usr/lib/ruby/vendor_ruby/debci/,
// `bin/x` and `lib/environment.sh` name files under /usr/share/debci/.

import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createServer, connect, type AddressInfo, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { randomBytes } from "node:crypto";

export type FakeResult = "pass" | "fail" | "neutral" | "tmpfail";

export interface RealDebciOptions {
  /** debci_suite_list; the first one is also debci_suite. Default ["unstable", "testing"]. */
  suites?: string[];
  /** debci_arch_list; the first one is also debci_arch. Default ["amd64", "arm64"]. */
  arches?: string[];
  /** Username that owns the API key returned by start(). Default "britney". */
  user?: string;
  /** Contents of <config>/reject_list (format: lib/debci/reject_list.rb read_data). */
  rejectList?: string;
  /** Keep the temp dir after stop() (also: env DEBCI_REAL_KEEP=1). */
  keepTempDir?: boolean;
  /** Overall start() deadline. Default 120 s. */
  startTimeoutMs?: number;
}

export interface QueuedMessage {
  /** AMQP basic.properties.priority (debci sets it from the `priority` form field). */
  priority: number | null;
  /** AMQP delivery_mode: 2 = persistent (Bunny's default for publish). */
  deliveryMode: number | null;
  /** "PACKAGE SUITE run-id:N [trigger:URLENCODED] [pin-packages:SUITE=a,b] ..." (lib/debci/job.rb enqueue). */
  body: string;
  redelivered: boolean;
}

export interface DbJob {
  run_id: number;
  package: string;
  suite: string;
  arch: string;
  trigger: string | null;
  status: string | null;
  version: string | null;
  message: string | null;
  /** Raw column text: ActiveRecord `serialize :pin_packages, Array` stores YAML. */
  pin_packages_yaml: string | null;
  is_private: boolean;
  requestor: string | null;
  created_at: string;
  updated_at: string;
  date: string | null;
}

export interface JobCount {
  suite: string;
  arch: string;
  package: string;
  trigger: string | null;
  count: number;
}

export interface FinishedJob {
  run_id: number;
  body: string;
  package: string;
  status: string | null;
  version: string | null;
}

export interface ListeningSocket {
  pid: number;
  command: string;
  address: string;
  port: number;
}

export interface StartupTimings {
  /** ms from start() entry to each milestone. */
  epmd: number;
  rabbitmq: number;
  migrateAndKey: number;
  api: number;
  collector: number;
  total: number;
}

type ProcName = "epmd" | "rabbitmq" | "rack" | "collector" | "worker" | "cli";

interface Spawned {
  name: ProcName;
  child: ChildProcess;
  /** == pid; spawn(detached) makes each child the leader of a new process group. */
  pgid: number;
  exited: boolean;
  exitCode: number | null;
  exitSignal: NodeJS.Signals | null;
  exitPromise: Promise<void>;
  /** Descendants that left the group (pid -> /proc starttime), gathered before killing. */
  escaped: Map<number, string>;
}

const DEBCI_SHARE = "/usr/share/debci";
const DEBCI_BIN = "/usr/bin/debci";
const RABBITMQ_SERVER = "/usr/lib/rabbitmq/bin/rabbitmq-server"; // not /usr/sbin/rabbitmq-server: that one su's to the rabbitmq user and uses /var/lib/rabbitmq
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Allocate n distinct free TCP ports on 127.0.0.1 (listen on :0, then release). */
async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<Server>((resolve, reject) => {
      const s = createServer();
      s.once("error", reject);
      s.listen(0, "127.0.0.1", () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise<void>((r) => s.close(() => r()))));
  return ports;
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port });
    s.once("connect", () => { s.destroy(); resolve(true); });
    s.once("error", () => resolve(false));
    s.setTimeout(1000, () => { s.destroy(); resolve(false); });
  });
}

/** True once the broker answers an AMQP 0-9-1 protocol header with a method frame (Connection.Start). */
function amqpAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: "127.0.0.1", port });
    let done = false;
    const finish = (ok: boolean) => { if (!done) { done = true; s.destroy(); resolve(ok); } };
    s.once("connect", () => s.write(Buffer.from([0x41, 0x4d, 0x51, 0x50, 0, 0, 9, 1])));
    s.once("data", (d: Buffer) => finish(d[0] === 1));
    s.once("error", () => finish(false));
    s.once("close", () => finish(false));
    s.setTimeout(2000, () => finish(false));
  });
}

function procStat(pid: number): { state: string; ppid: number; pgid: number; starttime: string; comm: string } | null {
  try {
    const raw = readFileSync(`/proc/${pid}/stat`, "utf8");
    const close = raw.lastIndexOf(")");
    const comm = raw.slice(raw.indexOf("(") + 1, close);
    const f = raw.slice(close + 2).split(" ");
    // fields after comm: state(0) ppid(1) pgrp(2) ... starttime is field 22 overall -> index 19 here
    return { state: f[0] ?? "?", ppid: Number(f[1]), pgid: Number(f[2]), starttime: f[19] ?? "", comm };
  } catch {
    return null;
  }
}

/** True while the process exists and is not a zombie (a zombie is dead, only not yet reaped by its parent). */
export function pidAlive(pid: number): boolean {
  const s = procStat(pid);
  return s !== null && s.state !== "Z" && s.state !== "X";
}

function allPids(): number[] {
  return readdirSync("/proc").filter((d) => /^\d+$/.test(d)).map(Number);
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(pgid: number, sig: NodeJS.Signals): void {
  try { process.kill(-pgid, sig); } catch { /* gone */ }
}

// ---- small Ruby helpers, run with Debian's ruby + ruby-bunny / ruby-sqlite3 (debci's own dependencies) ----

// Peek: basic.get with manual ack for every message, then nack(requeue) them all,
// so they go back to their original positions. Declares the queue with the same
// arguments as lib/debci/amqp.rb get_queue (durable, x-max-priority 10); a
// declaration with other arguments would be refused (PRECONDITION_FAILED).
const PEEK_RB = `
require 'bunny'
require 'json'
conn = Bunny.new(ENV.fetch('HARNESS_AMQP_URL'), automatically_recover: false)
conn.start
unless conn.queue_exists?(ARGV[0])
  puts '[]'
  exit 0
end
ch = conn.create_channel
q = ch.queue(ARGV[0], durable: true, arguments: { 'x-max-priority': 10 })
out = []
tags = []
loop do
  di, props, body = q.pop(manual_ack: true)
  break if di.nil?
  tags << di.delivery_tag
  out << { priority: props.priority, deliveryMode: props.delivery_mode, body: body.to_s.force_encoding('UTF-8'), redelivered: di.redelivered? }
end
tags.each { |t| ch.nack(t, false, true) }
ch.close
conn.close
puts JSON.generate(out)
`;

// Number of consumers on a queue (passive declare-ok carries consumer_count); -1 if it does not exist.
const CONSUMERS_RB = `
require 'bunny'
conn = Bunny.new(ENV.fetch('HARNESS_AMQP_URL'), automatically_recover: false)
conn.start
if conn.queue_exists?(ARGV[0])
  ch = conn.create_channel
  puts ch.queue(ARGV[0], passive: true).consumer_count
else
  puts(-1)
end
conn.close
`;

// Read-only view of the jobs table (schema: lib/debci/db/migrations/*).
const JOBS_RB = `
require 'sqlite3'
require 'json'
db = SQLite3::Database.new(ARGV[0], readonly: true)
db.busy_timeout = 5000
cols, *rows = db.execute2(<<~SQL)
  SELECT j.run_id, p.name AS package, j.suite, j.arch, j.trigger, j.status, j.version, j.message,
         j.pin_packages AS pin_packages_yaml, j.is_private, u.username AS requestor,
         j.created_at, j.updated_at, j.date
  FROM jobs j JOIN packages p ON p.id = j.package_id LEFT JOIN users u ON u.id = j.requestor_id
  ORDER BY j.run_id
SQL
puts JSON.generate(rows.map { |r| cols.zip(r).to_h })
`;

// amqp-consume runs this once per message with the body on stdin. It records the
// body, then hands it to debci's own worker exactly as bin/debci-worker does
// (`amqp-consume ... -- debci-worker --do-request --arch=A --backend=B`).
const WORKER_SH = `
body=$(cat)
printf '%s\\n' "$body" >> "$HARNESS_CONSUMED_LOG"
pkg=\${body%% *}
r=$(printf '%s\\n' $HARNESS_RESULTS | awk -F= -v p="$pkg" '$1 == p { print $2; exit }')
[ -n "$r" ] && export DEBCI_FAKE_RESULT="$r"
printf '%s\\n' "$body" | exec ${DEBCI_SHARE}/bin/debci-worker --do-request --arch="$HARNESS_ARCH" --backend=fake
`;

export class RealDebci {
  readonly suites: string[];
  readonly arches: string[];
  readonly user: string;
  readonly backend = "fake";

  tempDir = "";
  apiKey = "";
  httpPort = 0;
  amqpPort = 0;
  distPort = 0;
  epmdPort = 0;
  nodeName = "";
  timings: StartupTimings | null = null;

  private readonly opts: RealDebciOptions;
  private readonly procs: Spawned[] = [];
  private rabbit: Spawned | null = null;
  private rack: Spawned | null = null;
  private stopped = false;
  private exitHook: (() => void) | null = null;

  constructor(opts: RealDebciOptions = {}) {
    this.opts = opts;
    this.suites = opts.suites ?? ["unstable", "testing"];
    this.arches = opts.arches ?? ["amd64", "arm64"];
    this.user = opts.user ?? "britney";
  }

  /** http://127.0.0.1:PORT (config.ru mounts the API at /api). */
  get baseUrl(): string { return `http://127.0.0.1:${this.httpPort}`; }
  get apiUrl(): string { return `${this.baseUrl}/api/v1`; }
  get amqpUrl(): string { return `amqp://127.0.0.1:${this.amqpPort}`; }
  get dbPath(): string { return join(this.tempDir, "data", "debci.sqlite3"); }
  get configDir(): string { return join(this.tempDir, "config"); }

  /** Job queue name: lib/debci/amqp.rb queue_name => "debci-tests-#{arch}-#{backend}". */
  queueName(arch: string, backend: string = this.backend): string {
    return `debci-tests-${arch}-${backend}`;
  }

  /** Results queue: lib/environment.sh debci_amqp_results_queue default "debci_results". */
  readonly resultsQueue = "debci_results";

  async start(): Promise<void> {
    if (this.tempDir || this.stopped) throw new Error("RealDebci.start(): an instance starts once");
    const missing = ["/usr/share/debci/config.ru", "/usr/sbin/rabbitmq-server", "/usr/bin/amqp-consume", "/usr/bin/rackup"].filter((f) => !existsSync(f));
    if (missing.length > 0) throw new Error(`the real debci is not installed here (no ${missing.join(", ")}): apt-get install --no-install-recommends debci debci-collector rabbitmq-server`);
    const t0 = performance.now();
    const deadline = Date.now() + (this.opts.startTimeoutMs ?? 120_000);
    const ms = () => Math.round(performance.now() - t0);
    try {
      this.tempDir = mkdtempSync(join(tmpdir(), "debci-real-"));
      for (const d of ["config", "data", "logs", "home", "tmp", "lock", "secrets", "rabbitmq/mnesia", "rabbitmq/log", "apt/parts", "apt/lists/partial", "apt/cache/archives/partial"]) {
        mkdirSync(join(this.tempDir, d), { recursive: true });
      }
      this.writeFiles();
      this.installExitHook();
      [this.epmdPort, this.amqpPort, this.distPort, this.httpPort] = (await freePorts(4)) as [number, number, number, number];
      this.nodeName = `debcibridge${randomBytes(4).toString("hex")}@localhost`;

      const timings: Partial<StartupTimings> = {};
      // Two independent chains, side by side:
      //  broker: epmd -> RabbitMQ -> collector (lib/debci/collector.rb connects
      //          at start and dies without a broker);
      //  db/api: migrate -> key -> rackup (the API connects to AMQP lazily:
      //          lib/debci/amqp.rb memoises the Bunny session on first enqueue).
      const broker = (async () => {
        await this.startEpmd(deadline);
        timings.epmd = ms();
        await this.startRabbit(deadline);
        timings.rabbitmq = ms();
        await this.startCollector(deadline);
        timings.collector = ms();
      })();
      const api = (async () => {
        // bin/debci-migrate: ActiveRecord migrations + data-dir migrations (bin/debci-migrate.d), writes data/schema_version.
        await this.runCli(["migrate"], 60_000);
        this.apiKey = await this.createKey(this.user);
        timings.migrateAndKey = ms();
        await this.startApi(deadline);
        timings.api = ms();
      })();
      const results = await Promise.allSettled([broker, api]);
      for (const r of results) if (r.status === "rejected") throw r.reason;
      timings.total = ms();
      this.timings = timings as StartupTimings;
    } catch (err) {
      const logs = this.tempDir ? this.logTails() : "";
      await this.stop().catch(() => undefined);
      const e = err instanceof Error ? err : new Error(String(err));
      e.message = `RealDebci.start() failed: ${e.message}\n${logs}`;
      throw e;
    }
  }

  /** Kill every process group we spawned (and their escaped descendants), then remove the temp dir. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    // API and collector first, so they do not log reconnect noise; then the broker, then epmd.
    await this.killAll(["worker", "cli", "rack", "collector"]);
    await this.killAll(["rabbitmq"]);
    await this.killAll(["epmd"]);
    if (this.exitHook) {
      process.removeListener("exit", this.exitHook);
      this.exitHook = null;
    }
    if (this.tempDir && !(this.opts.keepTempDir || process.env.DEBCI_REAL_KEEP === "1")) {
      rmSync(this.tempDir, { recursive: true, force: true });
    }
  }

  // ---------------------------------------------------------------- API key / DB

  /** `debci api setkey USER` (bin/debci-api): creates the user if needed, prints a new key (lib/debci/key.rb: UUID, stored as SHA1). */
  async createKey(user: string): Promise<string> {
    const out = await this.runCli(["api", "setkey", user], 30_000);
    const key = out.trim().split("\n").pop()?.trim() ?? "";
    if (!/^[0-9a-f-]{36}$/.test(key)) throw new Error(`debci api setkey printed no key: ${out}`);
    return key;
  }

  /** All rows of the jobs table, joined with package name and requestor username. */
  async jobs(): Promise<DbJob[]> {
    const out = await this.run("ruby", ["-e", JOBS_RB, this.dbPath], { timeoutMs: 30_000 });
    const rows = JSON.parse(out) as Array<Omit<DbJob, "is_private"> & { is_private: number | boolean | null }>;
    return rows.map((r) => ({ ...r, is_private: r.is_private === 1 || r.is_private === true }));
  }

  /** Jobs per (suite, arch, package, trigger). */
  async countJobs(): Promise<JobCount[]> {
    const m = new Map<string, JobCount>();
    for (const j of await this.jobs()) {
      const k = JSON.stringify([j.suite, j.arch, j.package, j.trigger]);
      const c = m.get(k);
      if (c) c.count++;
      else m.set(k, { suite: j.suite, arch: j.arch, package: j.package, trigger: j.trigger, count: 1 });
    }
    return [...m.values()];
  }

  // ---------------------------------------------------------------- AMQP

  /**
   * The messages waiting on an arch's job queue, in queue order, without
   * consuming them: basic.get with manual ack, then nack+requeue. (They come
   * back flagged `redelivered`.) Do not call while a worker is consuming.
   */
  async peekQueue(arch: string, backend: string = this.backend): Promise<QueuedMessage[]> {
    const out = await this.run("ruby", ["-e", PEEK_RB, this.queueName(arch, backend)], { timeoutMs: 30_000 });
    return JSON.parse(out) as QueuedMessage[];
  }

  /** consumer_count of a queue, or -1 if it does not exist. */
  async consumers(queue: string): Promise<number> {
    const out = await this.run("ruby", ["-e", CONSUMERS_RB, queue], { timeoutMs: 30_000 });
    return Number(out.trim());
  }

  /**
   * Take n messages from the arch's job queue with debci's own worker
   * (bin/debci-worker --do-request, fed by amqp-consume like `debci worker`
   * does) using backend `fake` (backends/fake/test-package: DEBCI_FAKE_RESULT
   * pass->exit 0, neutral->8, fail->4, tmpfail->16), then wait until the
   * collector has written a status for every job taken.
   * `result` is one result for all, or one per package name (others: "pass").
   * Fails if n messages are not consumed within timeoutMs.
   */
  async finishJobs(n: number, result: FakeResult | Record<string, FakeResult>, opts: { arch?: string; timeoutMs?: number } = {}): Promise<FinishedJob[]> {
    const arch = opts.arch ?? this.arches[0]!;
    const timeoutMs = opts.timeoutMs ?? 60_000;
    const consumedLog = join(this.tempDir, "logs", "consumed.txt");
    const before = this.consumedBodies().length;
    const w = this.spawnProc("worker", "amqp-consume", [
      `--url=${this.amqpUrl}`, `--queue=${this.queueName(arch)}`, "--prefetch-count=1", `--count=${n}`,
      "--", "/bin/sh", "-c", WORKER_SH, "harness-worker",
    ], {
      HARNESS_CONSUMED_LOG: consumedLog,
      HARNESS_ARCH: arch,
      DEBCI_FAKE_RESULT: typeof result === "string" ? result : "pass",
      HARNESS_RESULTS: typeof result === "string" ? "" : Object.entries(result).map(([pkg, r]) => `${pkg}=${r}`).join(" "),
    });
    const timer = sleep(timeoutMs).then(() => "timeout" as const);
    const outcome = await Promise.race([w.exitPromise.then(() => "exited" as const), timer]);
    // Also reaps anything left in the worker's group; removes it from our list.
    await this.killOne(w);
    const bodies = this.consumedBodies().slice(before);
    if (outcome === "timeout" || bodies.length !== n) {
      throw new Error(`finishJobs: worker consumed ${bodies.length} of ${n} message(s) from ${this.queueName(arch)} (${outcome}, exit ${w.exitCode})\n${this.logTail("worker")}`);
    }
    const ids = bodies.map((b) => {
      const m = /(?:^|\s)run-id:(\d+)(?:\s|$)/.exec(b);
      if (!m) throw new Error(`finishJobs: no run-id in message ${JSON.stringify(b)}`);
      return Number(m[1]);
    });
    // lib/debci/collector.rb: the collector acks a result only after Job.receive saved it.
    const until = Date.now() + 30_000;
    for (;;) {
      const rows = new Map((await this.jobs()).map((j) => [j.run_id, j]));
      if (ids.every((id) => rows.get(id)?.status != null)) {
        return ids.map((id, i) => {
          const j = rows.get(id)!;
          return { run_id: id, body: bodies[i]!, package: j.package, status: j.status, version: j.version };
        });
      }
      if (Date.now() > until) throw new Error(`finishJobs: collector did not record run ids ${ids.join(",")}\n${this.logTail("collector")}`);
      await sleep(200);
    }
  }

  /** Simulate a broker outage: stop the RabbitMQ node (SIGTERM to its group, SIGKILL after 20 s). epmd keeps running. */
  async stopBroker(): Promise<void> {
    if (this.rabbit) await this.killOne(this.rabbit, 20_000);
    this.rabbit = null;
  }

  /**
   * Start the RabbitMQ node again on the same ports and mnesia dir (durable
   * queues and persistent messages survive), wait for AMQP, and by default
   * until the collector has re-subscribed (Bunny automatic recovery, every
   * 5 s). The API's Bunny session recovers the same way; a POST that arrives
   * before it has reconnected still gets 500.
   */
  async startBroker(opts: { waitForCollector?: boolean } = {}): Promise<void> {
    if (this.rabbit && !this.rabbit.exited) throw new Error("broker is running");
    const deadline = Date.now() + 60_000;
    await this.startRabbit(deadline);
    if (opts.waitForCollector ?? true) await this.waitForCollector(deadline);
  }

  /** Restart rackup (e.g. after changing the reject list: lib/debci.rb memoises config and reject list per process). */
  async restartApi(): Promise<void> {
    if (this.rack) await this.killOne(this.rack);
    this.rack = null;
    await this.startApi(Date.now() + 60_000);
  }

  /** Replace <config>/reject_list and restart the API so it is re-read. */
  async setRejectList(text: string): Promise<void> {
    writeFileSync(join(this.configDir, "reject_list"), text);
    await this.restartApi();
  }

  // ---------------------------------------------------------------- observation

  /** Full text of a process log: rack (WEBrick access log + Sinatra error traces), collector, rabbitmq, epmd, worker. */
  readLog(name: ProcName): string {
    try { return readFileSync(join(this.tempDir, "logs", `${name}.log`), "utf8"); } catch { return ""; }
  }

  /** PIDs of every live process we started: members of our process groups plus escaped descendants. */
  ourPids(): number[] {
    const groups = new Set(this.procs.filter((p) => !p.exited || groupAlive(p.pgid)).map((p) => p.pgid));
    const stats = new Map<number, NonNullable<ReturnType<typeof procStat>>>();
    for (const pid of allPids()) {
      const s = procStat(pid);
      if (s) stats.set(pid, s);
    }
    const ours = new Set<number>();
    for (const [pid, s] of stats) if (groups.has(s.pgid)) ours.add(pid);
    let grew = true;
    while (grew) {
      grew = false;
      for (const [pid, s] of stats) if (!ours.has(pid) && ours.has(s.ppid)) { ours.add(pid); grew = true; }
    }
    return [...ours].sort((a, b) => a - b);
  }

  /** TCP listening sockets owned by our processes, read from /proc (what `ss -ltnp` shows). */
  listeningSockets(): ListeningSocket[] {
    const listen = new Map<string, { address: string; port: number }>();
    for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
      let text = "";
      try { text = readFileSync(file, "utf8"); } catch { continue; }
      for (const line of text.split("\n").slice(1)) {
        const f = line.trim().split(/\s+/);
        if (f.length < 10 || f[3] !== "0A") continue; // 0A = TCP_LISTEN
        const [hex, portHex] = f[1]!.split(":") as [string, string];
        listen.set(f[9]!, { address: decodeProcAddress(hex), port: parseInt(portHex, 16) });
      }
    }
    const out: ListeningSocket[] = [];
    for (const pid of this.ourPids()) {
      let fds: string[] = [];
      try { fds = readdirSync(`/proc/${pid}/fd`); } catch { continue; }
      const command = procStat(pid)?.comm ?? "?";
      const seen = new Set<string>();
      for (const fd of fds) {
        let target = "";
        try { target = readlinkSync(`/proc/${pid}/fd/${fd}`); } catch { continue; }
        const m = /^socket:\[(\d+)\]$/.exec(target);
        const l = m && listen.get(m[1]!);
        if (l && !seen.has(m![1]!)) { seen.add(m![1]!); out.push({ pid, command, ...l }); }
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- internals

  private writeFiles(): void {
    const t = this.tempDir;
    // RabbitMQ: no plugins (no management listener), empty config, and no
    // /etc/rabbitmq/rabbitmq-env.conf (rabbitmq-env sources RABBITMQ_CONF_ENV_FILE).
    writeFileSync(join(t, "rabbitmq", "enabled_plugins"), "[].\n");
    writeFileSync(join(t, "rabbitmq", "rabbitmq-env.conf"), "");
    writeFileSync(join(t, "rabbitmq", "rabbitmq.conf"), "");
    // backends/fake/test-package takes the version from `apt-cache showsrc`; an
    // empty APT world makes it fall back to `date +0.0.0-1~%Y%m%d` on any host.
    writeFileSync(join(t, "apt", "apt.conf"), [
      `Dir::Etc::sourcelist "/dev/null";`,
      `Dir::Etc::sourceparts "${t}/apt/parts";`,
      `Dir::State::lists "${t}/apt/lists";`,
      `Dir::Cache "${t}/apt/cache";`,
      "",
    ].join("\n"));
    if (this.opts.rejectList !== undefined) writeFileSync(join(t, "config", "reject_list"), this.opts.rejectList);
    writeFileSync(join(t, "logs", "consumed.txt"), "");
  }

  /**
   * Environment for every debci program. lib/environment.sh reads debci_* from
   * the environment (a debci.conf in debci_config_dir would override them; ours
   * has none), and lib/debci/config.rb gets its values by running `debci config`,
   * so the Ruby side sees the same. lib/debci/db.rb prefers DATABASE_URL and
   * lib/debci/amqp.rb prefers debci_amqp_queue, so inherited values are dropped.
   */
  private env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (/^(debci_|DEBCI_|RABBITMQ_|ERL_|RACK_|APP_ENV$|DATABASE_URL$|GEM_|BUNDLE_|RUBY)/.test(k)) continue;
      env[k] = v;
    }
    const t = this.tempDir;
    Object.assign(env, {
      LC_ALL: "C.UTF-8",
      LANG: "C.UTF-8",
      HOME: join(t, "home"),
      TMPDIR: join(t, "tmp"), // bin/debci-worker: mktemp --tmpdir for each run
      APT_CONFIG: join(t, "apt", "apt.conf"),
      debci_config_dir: join(t, "config"),
      debci_data_basedir: join(t, "data"),
      debci_database_url: `sqlite3://${join(t, "data", "debci.sqlite3")}?timeout=5000`,
      debci_amqp_server: this.amqpUrl,
      debci_arch: this.arches[0]!,
      debci_arch_list: this.arches.join(" "),
      debci_suite: this.suites[0]!,
      debci_suite_list: this.suites.join(" "),
      debci_backend: this.backend,
      debci_lock_dir: join(t, "lock"),
      debci_secrets_dir: join(t, "secrets"),
      debci_url_base: this.baseUrl,
      debci_quiet: "false",
      HARNESS_AMQP_URL: this.amqpUrl,
    }, extra);
    return env;
  }

  private rabbitEnv(): NodeJS.ProcessEnv {
    const t = join(this.tempDir, "rabbitmq");
    return this.env({
      // HOME holds the Erlang cookie (created on first start).
      RABBITMQ_NODENAME: this.nodeName,
      RABBITMQ_NODE_IP_ADDRESS: "127.0.0.1",
      RABBITMQ_NODE_PORT: String(this.amqpPort),
      RABBITMQ_DIST_PORT: String(this.distPort),
      ERL_EPMD_PORT: String(this.epmdPort),
      ERL_EPMD_ADDRESS: "127.0.0.1",
      RABBITMQ_MNESIA_BASE: join(t, "mnesia"),
      RABBITMQ_LOG_BASE: join(t, "log"),
      RABBITMQ_PID_FILE: join(t, "rabbit.pid"),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(t, "enabled_plugins"),
      RABBITMQ_CONF_ENV_FILE: join(t, "rabbitmq-env.conf"),
      RABBITMQ_CONFIG_FILE: join(t, "rabbitmq.conf"),
      RABBITMQ_ADVANCED_CONFIG_FILE: join(t, "advanced.config"),
      // Erlang distribution listener on loopback only.
      RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: "-kernel inet_dist_use_interface {127,0,0,1}",
    });
  }

  private spawnProc(name: ProcName, cmd: string, args: string[], extraEnv: Record<string, string> = {}, env?: NodeJS.ProcessEnv): Spawned {
    const fd = openSync(join(this.tempDir, "logs", `${name}.log`), "a");
    let child: ChildProcess;
    try {
      child = spawn(cmd, args, {
        cwd: this.tempDir,
        env: env ?? this.env(extraEnv),
        detached: true, // setsid(): own process group, so stop() can kill the whole group
        stdio: ["ignore", fd, fd],
      });
    } finally {
      closeSync(fd);
    }
    const sp: Spawned = {
      name, child, pgid: child.pid ?? -1, exited: false, exitCode: null, exitSignal: null,
      exitPromise: Promise.resolve(), escaped: new Map(),
    };
    sp.exitPromise = new Promise<void>((resolve) => {
      child.once("exit", (code, signal) => { sp.exited = true; sp.exitCode = code; sp.exitSignal = signal; resolve(); });
      child.once("error", () => { sp.exited = true; resolve(); });
    });
    if (child.pid === undefined) sp.exited = true;
    this.procs.push(sp);
    return sp;
  }

  /** Run a program to completion (its own group, killed on timeout); returns stdout. */
  private async run(cmd: string, args: string[], o: { timeoutMs: number; extraEnv?: Record<string, string> }): Promise<string> {
    const child = spawn(cmd, args, { cwd: this.tempDir, env: this.env(o.extraEnv), detached: true, stdio: ["ignore", "pipe", "pipe"] });
    const sp: Spawned = {
      name: "cli", child, pgid: child.pid ?? -1, exited: false, exitCode: null, exitSignal: null,
      exitPromise: Promise.resolve(), escaped: new Map(),
    };
    let out = "";
    let err = "";
    child.stdout!.on("data", (d: Buffer) => { out += d.toString(); });
    child.stderr!.on("data", (d: Buffer) => { err += d.toString(); });
    sp.exitPromise = new Promise<void>((resolve) => {
      child.once("close", (code, signal) => { sp.exited = true; sp.exitCode = code; sp.exitSignal = signal; resolve(); });
      child.once("error", (e) => { sp.exited = true; err += String(e); resolve(); });
    });
    this.procs.push(sp);
    const timedOut = await Promise.race([sp.exitPromise.then(() => false), sleep(o.timeoutMs).then(() => true)]);
    if (timedOut) await this.killOne(sp);
    this.procs.splice(this.procs.indexOf(sp), 1);
    const label = `${cmd} ${args.filter((a) => !a.includes("\n")).join(" ")}`;
    if (timedOut) throw new Error(`${label}: timed out after ${o.timeoutMs} ms\n${err}`);
    if (sp.exitCode !== 0) throw new Error(`${label}: exit ${sp.exitCode ?? sp.exitSignal}\n${err}${out}`);
    return out;
  }

  private runCli(args: string[], timeoutMs: number): Promise<string> {
    return this.run(DEBCI_BIN, args, { timeoutMs });
  }

  private async waitFor(what: string, deadline: number, proc: Spawned | null, check: () => Promise<boolean>): Promise<void> {
    for (;;) {
      if (await check()) return;
      if (proc?.exited) throw new Error(`${what}: ${proc.name} exited (${proc.exitCode ?? proc.exitSignal}) before it was ready\n${this.logTail(proc.name)}`);
      if (Date.now() > deadline) throw new Error(`${what}: not ready before the deadline\n${proc ? this.logTail(proc.name) : ""}`);
      await sleep(150);
    }
  }

  private async startEpmd(deadline: number): Promise<void> {
    // Our own epmd on a private port (not -daemon, so it stays our child and in
    // our group). erl would otherwise start a daemonised epmd we could not track.
    const p = this.spawnProc("epmd", "epmd", ["-port", String(this.epmdPort), "-address", "127.0.0.1"]);
    await this.waitFor("epmd", deadline, p, () => tcpOpen(this.epmdPort));
  }

  private async startRabbit(deadline: number): Promise<void> {
    this.rabbit = this.spawnProc("rabbitmq", RABBITMQ_SERVER, [], {}, this.rabbitEnv());
    await this.waitFor("rabbitmq", deadline, this.rabbit, () => amqpAnswers(this.amqpPort));
  }

  private async startApi(deadline: number): Promise<void> {
    // `-s webrick` pins the server rackup would pick anyway on Debian 12
    // (ruby-webrick comes with libruby3.1; puma/thin are not installed).
    this.rack = this.spawnProc("rack", "rackup", [
      "-s", "webrick", "-o", "127.0.0.1", "-p", String(this.httpPort), "-E", "deployment", join(DEBCI_SHARE, "config.ru"),
    ], { RACK_ENV: "deployment" });
    const url = `${this.apiUrl}/auth`;
    await this.waitFor("debci API", deadline, this.rack, async () => {
      try {
        const r = await fetch(url, { headers: { "Auth-Key": this.apiKey }, signal: AbortSignal.timeout(3000) });
        await r.arrayBuffer();
        return r.status === 200;
      } catch {
        return false;
      }
    });
  }

  private async startCollector(deadline: number): Promise<void> {
    // bin/debci-collector -> lib/debci/collector.rb: subscribes to debci_results
    // (declaring it durable). The worker publishes results with amqp-publish to
    // the default exchange, so the queue must exist before any job is finished.
    const p = this.spawnProc("collector", DEBCI_BIN, ["collector"]);
    await this.waitForCollector(deadline, p);
  }

  private async waitForCollector(deadline: number, p: Spawned | null = this.procs.find((x) => x.name === "collector" && !x.exited) ?? null): Promise<void> {
    await this.waitFor("debci collector", deadline, p, async () => {
      try { return (await this.consumers(this.resultsQueue)) >= 1; } catch { return false; }
    });
  }

  private consumedBodies(): string[] {
    try {
      return readFileSync(join(this.tempDir, "logs", "consumed.txt"), "utf8").split("\n").filter((l) => l.length > 0);
    } catch {
      return [];
    }
  }

  /** Remember descendants that left the group (erl_child_setup and inet_gethost call setsid/setpgid). */
  private collectEscaped(sp: Spawned): void {
    const stats = new Map<number, NonNullable<ReturnType<typeof procStat>>>();
    for (const pid of allPids()) {
      const s = procStat(pid);
      if (s) stats.set(pid, s);
    }
    const tree = new Set<number>();
    for (const [pid, s] of stats) if (s.pgid === sp.pgid) tree.add(pid);
    let grew = true;
    while (grew) {
      grew = false;
      for (const [pid, s] of stats) if (!tree.has(pid) && tree.has(s.ppid)) { tree.add(pid); grew = true; }
    }
    for (const pid of tree) {
      const s = stats.get(pid)!;
      if (s.pgid !== sp.pgid) sp.escaped.set(pid, s.starttime);
    }
  }

  private async killOne(sp: Spawned, graceMs = 5000): Promise<void> {
    if (sp.pgid <= 0) return;
    this.collectEscaped(sp);
    killGroup(sp.pgid, "SIGTERM");
    const until = Date.now() + graceMs;
    while ((groupAlive(sp.pgid) || !sp.exited) && Date.now() < until) await sleep(50);
    if (groupAlive(sp.pgid)) killGroup(sp.pgid, "SIGKILL");
    const same = (pid: number, start: string) => procStat(pid)?.starttime === start && pidAlive(pid);
    for (const [pid, start] of sp.escaped) {
      // Only the same process (same start time), never a recycled pid.
      if (same(pid, start)) {
        try { process.kill(pid, "SIGKILL"); } catch { /* gone */ }
      }
    }
    const escapedUntil = Date.now() + 2000;
    while ([...sp.escaped].some(([pid, start]) => same(pid, start)) && Date.now() < escapedUntil) await sleep(25);
    await Promise.race([sp.exitPromise, sleep(2000)]);
    const i = this.procs.indexOf(sp);
    if (i >= 0) this.procs.splice(i, 1);
  }

  private async killAll(names: ProcName[]): Promise<void> {
    await Promise.all(this.procs.filter((p) => names.includes(p.name)).map((p) => this.killOne(p)));
  }

  /** If the test process dies without stop(), SIGKILL our groups and remove the temp dir. */
  private installExitHook(): void {
    this.exitHook = () => {
      for (const p of this.procs) {
        if (p.pgid > 0) killGroup(p.pgid, "SIGKILL");
        for (const [pid, start] of p.escaped) if (procStat(pid)?.starttime === start) { try { process.kill(pid, "SIGKILL"); } catch { /* gone */ } }
      }
      if (this.tempDir && existsSync(this.tempDir) && !(this.opts.keepTempDir || process.env.DEBCI_REAL_KEEP === "1")) {
        try { rmSync(this.tempDir, { recursive: true, force: true }); } catch { /* best effort */ }
      }
    };
    process.once("exit", this.exitHook);
  }

  private logTail(name: ProcName, lines = 30): string {
    const text = this.readLog(name).trimEnd().split("\n");
    return `--- ${name}.log (last ${lines} lines) ---\n${text.slice(-lines).join("\n")}`;
  }

  private logTails(): string {
    return (["epmd", "rabbitmq", "rack", "collector"] as ProcName[]).map((n) => this.logTail(n, 15)).join("\n");
  }
}

/** /proc/net/tcp{,6} address: IPv4 as one little-endian word, IPv6 as four. */
function decodeProcAddress(hex: string): string {
  if (hex.length === 8) {
    return [6, 4, 2, 0].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(".");
  }
  const bytes: string[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    for (const i of [6, 4, 2, 0]) bytes.push(word.slice(i, i + 2));
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(String(parseInt(bytes[i]! + bytes[i + 1]!, 16).toString(16)));
  // Let the URL parser compress it to canonical form ("::1", "::").
  return new URL(`http://[${groups.join(":")}]/`).hostname.replace(/^\[|\]$/g, "");
}

/** True for 127.0.0.0/8 and ::1. */
export function isLoopback(address: string): boolean {
  return address === "::1" || /^127\./.test(address) || /^::ffff:127\./.test(address);
}
