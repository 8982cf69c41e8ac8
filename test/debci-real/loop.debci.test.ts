// The whole loop (fetch, plan, submit) as a user runs it, every command its own
// process, against Debian 12's debci 3.6 package started on 127.0.0.1 by
// debci-service.ts: its API under rackup, its sqlite database, its own
// rabbitmq node, its collector, and jobs finished by its own worker (backend
// fake). Run: npm run test:debci (needs the packages debci, debci-collector
// and rabbitmq-server).
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jsonLines, spawnCli, type CliResult } from "../support/cli.js";
import { batchFiles, requestsIn } from "../support/outbox.js";
import { tempDir } from "../support/temp-state.js";
import { CuttingProxy } from "./cutting-proxy.js";
import { RealDebci, pidAlive } from "./debci-service.js";

const enabled = process.env.DEBCI_REAL_TEST === "1";
const DAY_MS = 86_400_000;

describe.skipIf(!enabled)("the loop against debci 3.6 as Debian packages it", () => {
  const debci = new RealDebci({ suites: ["unstable", "testing"], arches: ["amd64", "arm64"] });
  let proxy: CuttingProxy;
  let state: string;
  let keyFile: string;
  let home = "";
  const outputs: string[] = [];

  /** Runs the CLI as its own process, as cron would, and keeps its output (to prove the key never shows). */
  async function cli(args: string[]): Promise<CliResult> {
    const run = await spawnCli(args);
    outputs.push(run.stdout, run.stderr);
    return run;
  }
  const http = (url = debci.baseUrl) => ["--url", url, "--key-file", keyFile, "--timeout", "20", "--retries", "2", "--backoff", "500"];
  const needsFile = (needs: object[]) => {
    const file = join(tempDir(), "needs.jsonl");
    writeFileSync(file, needs.map((n) => JSON.stringify(n)).join("\n"));
    return file;
  };
  const plan = async (needs: string, extra: string[] = []) => {
    const run = await cli(["plan", "--state", state, "--needs", needs, ...extra]);
    expect(run.code, run.stderr).toBe(0);
    return jsonLines(run.stdout);
  };
  const summary = (answers: Array<Record<string, unknown>>) =>
    answers.map((a) => `${a.suite}/${a.arch} ${a.package} ${a.state}${a.outcome ? `/${a.outcome}` : ""}${a.request ? ` (asked: ${a.request})` : ""}${a.held ? ` (held: ${a.held})` : ""}`);
  /** Jobs per test key in debci's own database. */
  const jobsPerKey = async () => Object.fromEntries((await debci.countJobs()).map((c) => [`${c.suite}/${c.arch} ${c.package} ${c.trigger}`, c.count]));

  beforeAll(async () => {
    await debci.start();
    proxy = new CuttingProxy(debci.httpPort);
    await proxy.start();
    // One state and one key for the whole file (tempDir's are removed after each test).
    home = mkdtempSync(join(tmpdir(), "debci-bridge-real-"));
    state = join(home, "state");
    mkdirSync(state);
    keyFile = join(home, "key");
    writeFileSync(keyFile, `${debci.apiKey}\n`);
    chmodSync(keyFile, 0o600);
  });

  afterAll(async () => {
    await proxy?.close();
    if (home !== "") rmSync(home, { recursive: true, force: true });
    const pids = debci.ourPids();
    await debci.stop();
    expect(pids.filter(pidAlive)).toEqual([]);
    // No output of any command held the key.
    for (const output of outputs) expect(output.includes(debci.apiKey)).toBe(false);
  });

  it("a fresh state's first fetch is empty: until 0 is not believed, the snapshot says its window", async () => {
    const run = await cli(["fetch", "--state", state, ...http()]);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result).toMatchObject({ results: 0, untilTrusted: false, pending: 0, rejectList: true });
    const snapshot = JSON.parse(readFileSync(join(state, "pending.json"), "utf8"));
    expect(snapshot.pending).toEqual([]);
    expect(snapshot.since).toBe(result.pendingSince);
  });

  const NEEDS = [
    { package: "pkgpass", trigger: "glibc/2.41-7", arch: "amd64" },
    { package: "pkgfail", trigger: "glibc/2.41-7", arch: "amd64" },
    { package: "pkgneutral", trigger: "glibc/2.41-7", arch: "arm64" },
    { package: "bigpkg", trigger: "glibc/2.41-7", arch: "amd64", huge: true },
  ];

  it("plan -> submit: debci's database holds exactly the batch, and each message carries its batch's priority", async () => {
    const needs = needsFile(NEEDS);
    const answers = await plan(needs);
    expect(summary(answers)).toEqual([
      "testing/amd64 pkgpass missing (asked: missing)",
      "testing/amd64 pkgfail missing (asked: missing)",
      "testing/arm64 pkgneutral missing (asked: missing)",
      "testing/amd64 bigpkg missing (asked: missing)",
    ]);
    const run = await cli(["submit", "--state", state, ...http(), "--priority", "7", "--huge-priority", "2"]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ rejected: [], kept: [], alreadyCreated: 0 });
    expect(await jobsPerKey()).toEqual({ "testing/amd64 pkgpass glibc/2.41-7": 1, "testing/amd64 pkgfail glibc/2.41-7": 1, "testing/arm64 pkgneutral glibc/2.41-7": 1, "testing/amd64 bigpkg glibc/2.41-7": 1 });
    const amd64 = await debci.peekQueue("amd64");
    expect(amd64.map((m) => `${m.priority} ${m.body.split(" ")[0]}`).sort()).toEqual(["2 bigpkg", "7 pkgfail", "7 pkgpass"]);
    expect((await debci.peekQueue("arm64")).map((m) => `${m.priority} ${m.body.split(" ")[0]}`)).toEqual(["7 pkgneutral"]);
    expect(batchFiles(join(state, "outbox"))).toEqual([]);
    expect(batchFiles(join(state, "outbox", "sent"))).toHaveLength(2);
  });

  it("workers -> collector -> fetch -> plan answers pass, fail and neutral; nothing is asked twice", async () => {
    const before = await plan(needsFile(NEEDS));
    expect(before.every((a) => a.state === "pending" && a.request === null)).toBe(true);
    await debci.finishJobs(3, { pkgpass: "pass", pkgfail: "fail", bigpkg: "pass" }, { arch: "amd64" });
    await debci.finishJobs(1, "neutral", { arch: "arm64" });
    const fetched = await cli(["fetch", "--state", state, ...http()]);
    expect(fetched.code, fetched.stderr).toBe(0);
    expect(JSON.parse(fetched.stdout)).toMatchObject({ pending: 0 });
    const answers = await plan(needsFile(NEEDS));
    expect(summary(answers)).toEqual([
      "testing/amd64 pkgpass pass/pass",
      "testing/amd64 pkgfail fail/fail",
      "testing/arm64 pkgneutral pass/neutral",
      "testing/amd64 bigpkg pass/pass",
    ]);
    // A failure with no reference result asks for the reference run, as britney2 does; once.
    expect(answers[1]).toMatchObject({ referenceRequest: "missing" });
    expect((await plan(needsFile(NEEDS))).map((a) => [a.request, a.referenceRequest])).toEqual(NEEDS.map(() => [null, undefined]));
    expect((await cli(["submit", "--state", state, ...http()])).code).toBe(0);
    const jobs = await jobsPerKey();
    expect(Object.values(jobs).every((n) => n === 1)).toBe(true);
    expect(jobs["testing/amd64 pkgfail migration-reference/0"]).toBe(1);
  });

  it("an arch and a suite debci does not run: the good entry is created once, the refused ones held with debci's message", async () => {
    const needs = needsFile([
      { package: "pkgok", trigger: "zlib/1.3-1", arch: "amd64" },
      { package: "pkgok", trigger: "zlib/1.3-1", arch: "s390x" },
    ]);
    await plan(needs);
    // plan refuses a need for another suite than the configured one; a batch for one (written by hand) reaches debci.
    writeFileSync(join(state, "outbox", "20261125T115900Z-0badc0de.json"), JSON.stringify([{ suite: "oldstable", arch: ["amd64"], tests: [{ package: "pkgok", trigger: "zlib/1.3-1", "pin-packages": [] }] }]));
    const run = await cli(["submit", "--state", state, ...http()]);
    expect(run.code).toBe(4);
    expect((await jobsPerKey())["testing/amd64 pkgok zlib/1.3-1"]).toBe(1);
    expect(Object.keys(await jobsPerKey()).filter((k) => k.includes("pkgok"))).toEqual(["testing/amd64 pkgok zlib/1.3-1"]);
    const reasons = readdirSync(join(state, "outbox", "rejected"))
      .filter((n) => n.endsWith(".reason.json"))
      .flatMap((n) => JSON.parse(readFileSync(join(state, "outbox", "rejected", n), "utf8")).entries.map((e: { suite: string; arch: string; message: string }) => `${e.suite}/${e.arch}: ${e.message}`));
    expect(reasons.sort()).toEqual(["oldstable/amd64: HTTP 400: Invalid suite: oldstable", "testing/s390x: HTTP 400: Invalid architecture: s390x"]);
    const next = await plan(needs);
    expect(summary(next)).toEqual(["testing/amd64 pkgok pending", "testing/s390x pkgok missing (held: refused)"]);
  });

  it("a job debci dropped is overtaken: three later jobs of ours finished 6 h before the snapshot, it is lost and asked again, once", async () => {
    // Its own state (under home, removed by afterAll), so the snapshots this test
    // dates hours ahead never reach the shared one; the same debci, user and key.
    const own = join(home, "overtaken-state");
    mkdirSync(own);
    const ownCli = async (command: string, args: string[]) => {
      const run = await cli([command, "--state", own, ...args]);
      expect(run.code, run.stderr).toBe(0);
      return run;
    };
    const ownPlan = async (at?: string) => jsonLines((await ownCli("plan", ["--needs", needs, ...(at === undefined ? [] : ["--now", at])])).stdout);
    const ownFetch = async (at?: string) => JSON.parse((await ownCli("fetch", [...http(), ...(at === undefined ? [] : ["--now", at])])).stdout);
    /** The caller's jobs as the API reports them (lib/debci/api.rb GET /test: the key's own jobs, as_json). */
    const apiJobs = async () => {
      const r = await fetch(`${debci.apiUrl}/test?since=0`, { headers: { "Auth-Key": debci.apiKey } });
      expect(r.status).toBe(200);
      return ((await r.json()) as { results: Array<{ run_id: number; package: string; status: string | null; created_at: string; updated_at: string; date: string | null }> }).results;
    };
    /** The run ids the snapshot lists unfinished (other tests' queued jobs are listed too: same user). */
    const listed = () => (JSON.parse(readFileSync(join(own, "pending.json"), "utf8")).pending as Array<{ run_id: number }>).map((p) => p.run_id);
    const HOUR_MS = 3_600_000;
    const DROPPED = { package: "pkgovertaken", trigger: "openssl/3.5.1-1", arch: "arm64" };
    const LATER = ["pkgahead1", "pkgahead2", "pkgahead3"].map((p) => ({ package: p, trigger: "openssl/3.5.1-1", arch: "arm64" }));
    const droppedKey = "testing/arm64 pkgovertaken openssl/3.5.1-1";
    let needs = needsFile([DROPPED]);
    // The earlier tests leave nothing queued on arm64, so the worker below takes only this test's jobs.
    expect(await debci.peekQueue("arm64")).toEqual([]);

    // 1. Dropped as real debci drops a job (as in the broker test below): with the broker
    //    down, lib/debci/test_handler.rb request_tests writes the row (Job.create!) and only
    //    then enqueues; lib/debci/job.rb enqueue publishes through lib/debci/amqp.rb, which
    //    fails: 500. submit's reconciliation finds the row and does not send it again.
    await ownPlan();
    await debci.stopBroker();
    try {
      const run = await ownCli("submit", http());
      expect(run.stderr).toMatch(/HTTP 500/);
      expect(JSON.parse(run.stdout)).toMatchObject({ alreadyCreated: 1 });
    } finally {
      await debci.startBroker();
    }
    // lib/debci/amqp.rb memoises its Bunny session per process (@conn ||=); a fresh API
    // process opens one on its first enqueue, to the running broker: no POST below can
    // meet a session still recovering from the outage (and be dropped too).
    await debci.restartApi();
    const [dropped] = (await apiJobs()).filter((j) => j.package === DROPPED.package);
    // Never finished, never queued: status null for ever (nothing but a worker's result
    // sets it: lib/debci/job.rb receive), and GET /test lists it unfinished.
    expect(dropped).toMatchObject({ status: null });
    await ownFetch();
    expect(listed()).toContain(dropped!.run_id);

    // 2. Three later needs on the same suite and arch, normal priority (api.rb: priority
    //    defaults to 5; submit sends normal batches at --priority 5).
    needs = needsFile([DROPPED, ...LATER]);
    expect(summary(await ownPlan())).toEqual([
      "testing/arm64 pkgovertaken pending",
      ...LATER.map((l) => `testing/arm64 ${l.package} missing (asked: missing)`),
    ]);
    const sent = await ownCli("submit", http());
    expect(sent.stderr).not.toMatch(/HTTP 5\d\d/);
    expect(JSON.parse(sent.stdout)).toMatchObject({ rejected: [], kept: [], alreadyCreated: 0 });
    expect((await debci.peekQueue("arm64")).map((m) => `${m.priority} ${m.body.split(" ")[0]}`).sort()).toEqual(LATER.map((l) => `5 ${l.package}`));
    // debci's worker (bin/debci-worker: amqp-consume --prefetch-count 1) takes the three;
    // the dropped job, older at the same priority in a queue with x-max-priority 10
    // (lib/debci/amqp.rb get_queue), would have gone first had it been queued.
    const finished = await debci.finishJobs(3, "pass", { arch: "arm64" });
    expect(finished.map((f) => f.package).sort()).toEqual(LATER.map((l) => l.package));
    expect(await debci.peekQueue("arm64")).toEqual([]);
    const later = (await apiJobs()).filter((j) => LATER.some((l) => l.package === j.package));
    expect(later.map((j) => j.status)).toEqual(["pass", "pass", "pass"]);
    // Created in a later second than the dropped job: the rule counts no tie.
    const second = (iso: string) => Math.floor(Date.parse(iso) / 1000);
    for (const j of later) expect(second(j.created_at)).toBeGreaterThan(second(dropped!.created_at));
    // A run's end, for the rule, is its updated_at: set when the collector saves the result
    // (lib/debci/job.rb receive: job.date = the duration file's mtime, whole seconds as the
    // worker's `tar czf` carried it, then save!), so never before `date`. The third later
    // job's end, as the API reports it:
    for (const j of later) expect(Date.parse(j.updated_at)).toBeGreaterThanOrEqual(Date.parse(j.date!));
    const third = Math.max(...later.map((j) => Date.parse(j.updated_at)));

    // 3. Snapshots dated hours ahead of debci's wall clock. fetch takes such a --now: debci's
    //    `until` is the newest created_at it returns and it selects by updated_at >= since
    //    (lib/debci/api.rb GET /test), both real times, and fetch refuses only an `until`
    //    later than --now (src/sync/fetch-window.ts). plan warns "stale data" at these --now
    //    (the results reach only to that until, 6 h back): a warning, the answers unchanged.
    //    One second short of 6 h after the third end: the dropped job is still in flight.
    const short = new Date(third + 6 * HOUR_MS - 1000).toISOString();
    await ownFetch(short);
    expect(listed()).toContain(dropped!.run_id);
    const before = await ownPlan(short);
    expect(before[0]).toMatchObject({ state: "pending", inFlight: true, lost: false, request: null });
    expect(before[0]!.overtaken).toBeUndefined();
    expect(before.slice(1).map((a) => [a.state, a.request])).toEqual(LATER.map(() => ["pass", null]));
    expect(batchFiles(join(own, "outbox"))).toEqual([]);

    // At 6 h: lost, overtaken by the three, and asked again.
    const at = new Date(third + 6 * HOUR_MS).toISOString();
    await ownFetch(at);
    expect(listed()).toContain(dropped!.run_id);
    const after = await ownPlan(at);
    expect(after[0]).toMatchObject({ state: "missing", inFlight: false, lost: true, overtaken: dropped!.run_id, request: "overtaken" });
    expect(after.slice(1).map((a) => [a.state, a.request])).toEqual(LATER.map(() => ["pass", null]));
    expect(requestsIn(join(own, "outbox"))).toEqual([`${DROPPED.package} ${DROPPED.trigger} arm64`]);
    const resent = await ownCli("submit", [...http(), "--now", at]);
    expect(JSON.parse(resent.stdout)).toMatchObject({ rejected: [], kept: [], alreadyCreated: 0 });
    const jobs = await jobsPerKey();
    expect(jobs[droppedKey]).toBe(2);
    expect(Object.entries(jobs).filter(([k, n]) => k !== droppedKey && n !== 1)).toEqual([]);
    // The second request was queued (the worker takes it), which also leaves arm64's queue empty, as found.
    const [rerun] = await debci.finishJobs(1, "pass", { arch: "arm64" });
    expect(rerun).toMatchObject({ package: DROPPED.package, status: "pass" });
    expect(rerun!.run_id).toBeGreaterThan(dropped!.run_id);
  });

  it("a wrong key: exit 5, nothing moved, nothing created", async () => {
    await plan(needsFile([{ package: "pkgkey", trigger: "zlib/1.3-1", arch: "arm64" }]));
    const unsent = batchFiles(join(state, "outbox"));
    expect(unsent).toHaveLength(1);
    const wrong = join(tempDir(), "wrong-key");
    writeFileSync(wrong, "0000-not-a-key\n");
    chmodSync(wrong, 0o600);
    const run = await cli(["submit", "--state", state, "--url", debci.baseUrl, "--key-file", wrong, "--retries", "0"]);
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/did not accept the API key from --key-file/);
    expect(batchFiles(join(state, "outbox"))).toEqual(unsent);
    expect(existsSync(join(state, "outbox", "sending")) ? readdirSync(join(state, "outbox", "sending")) : []).toEqual([]);
    expect(Object.keys(await jobsPerKey()).some((k) => k.includes("pkgkey"))).toBe(false);
  });

  it("an answer lost after debci created the jobs (the connection cut by a proxy): exactly one job per key", async () => {
    expect(requestsIn(join(state, "outbox"))).toEqual(["pkgkey zlib/1.3-1 arm64"]);
    proxy.cutNextAnswers(1, "/api/v1/test/testing/");
    const run = await cli(["submit", "--state", state, ...http(proxy.url)]);
    expect(run.code, run.stderr).toBe(0);
    expect(proxy.cuts).toHaveLength(1);
    expect(run.stderr).toMatch(/already created by an earlier attempt/);
    expect(JSON.parse(run.stdout)).toMatchObject({ alreadyCreated: 1 });
    expect((await jobsPerKey())["testing/arm64 pkgkey zlib/1.3-1"]).toBe(1);
    expect(batchFiles(join(state, "outbox"))).toEqual([]);
  });

  it("debci's broker down: its 500 comes after the rows were written; they are found, not doubled", async () => {
    await plan(needsFile([{ package: "pkgbroker", trigger: "zlib/1.3-1", arch: "amd64" }]));
    await debci.stopBroker();
    try {
      const run = await cli(["submit", "--state", state, ...http()]);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stderr).toMatch(/HTTP 500/);
      expect(JSON.parse(run.stdout)).toMatchObject({ alreadyCreated: 1 });
    } finally {
      await debci.startBroker();
    }
    expect((await jobsPerKey())["testing/amd64 pkgbroker zlib/1.3-1"]).toBe(1);
    // The row was never queued: debci will never run it (the pending-too-long rule asks again later).
    expect((await debci.peekQueue("amd64")).some((m) => m.body.startsWith("pkgbroker "))).toBe(false);
  });

  it("--endpoint batch: debci 3.6 answers every non-empty batch with a 500; exit 3, the batch kept, nothing created", async () => {
    await plan(needsFile([{ package: "pkgbatch", trigger: "zlib/1.3-1", arch: "amd64" }]));
    const run = await cli(["submit", "--state", state, ...http(), "--endpoint", "batch", "--retries", "1", "--backoff", "100"]);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/HTTP 500/);
    expect(requestsIn(join(state, "outbox"))).toEqual(["pkgbatch zlib/1.3-1 amd64"]);
    expect(Object.keys(await jobsPerKey()).some((k) => k.includes("pkgbatch"))).toBe(false);
    // The default route then delivers it, once: the mark's check finds nothing made.
    const fixed = await cli(["submit", "--state", state, ...http()]);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect((await jobsPerKey())["testing/amd64 pkgbatch zlib/1.3-1"]).toBe(1);
  });

  it("a job queued longer than the pending window is still in flight, not asked again", async () => {
    // pkgkey's job (arm64) is queued and no worker takes it. Five days on, a 4-day window no longer reaches it.
    const later = new Date(Date.now() + 5 * DAY_MS).toISOString();
    const fetched = await cli(["fetch", "--state", state, ...http(), "--now", later, "--pending-window-max", "4"]);
    expect(fetched.code, fetched.stderr).toBe(0);
    const snapshot = JSON.parse(readFileSync(join(state, "pending.json"), "utf8"));
    expect(snapshot.pending.some((p: { package: string }) => p.package === "pkgkey")).toBe(false);
    const [answer] = await plan(needsFile([{ package: "pkgkey", trigger: "zlib/1.3-1", arch: "arm64" }]), ["--now", later]);
    expect(answer).toMatchObject({ state: "pending", inFlight: true, lost: false, request: null });
    expect((await jobsPerKey())["testing/arm64 pkgkey zlib/1.3-1"]).toBe(1);
  });
});
