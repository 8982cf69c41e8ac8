import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

/**
 * A fake CI service for the sync tools' tests, on 127.0.0.1 at a random
 * port, behaving as debci does. Each behaviour names the debci source it
 * mirrors (Debian 12's debci 3.6 package, /usr/lib/ruby/vendor_ruby/debci/,
 * which agrees with terceiro/debci v3.1 on every route used here; the
 * ci.debian.net API page is newer and agrees): `lib/debci/api.rb` (the
 * endpoints, auth, `until`), `lib/debci/test_handler.rb` (validation, job creation),
 * `lib/debci/job.rb` (job columns, finishing a job), and
 * `lib/debci/reject_list.rb` (the reject list). Where the source is
 * ambiguous the harsher reading is taken, and says so. Faults that are not
 * debci's (a proxy's 500, a hang, a cut-off body, an HTML error page, an
 * endless body, a bogus `until`, redirects) are injected on command and
 * marked as such. Its clock is the test's (`now`).
 */

/**
 * A job row, every column debci 3.6's `jobs` table has (lib/debci/db/migrations/*:
 * `worker` became `worker_id` in 20211227000000_create_workers.rb, and
 * 20221023000000_add_file_sizes_to_jobs.rb added `log_size` and
 * `artifacts_size`; both null until the collector has the result), times in ms.
 * docs/debci-3.6-measured.md shows one as the real API renders it.
 */
export interface Job {
  run_id: number;
  created_at: number;
  updated_at: number;
  suite: string;
  arch: string;
  package: string;
  /** job.rb receive: null until the job runs, then the tested version, or "n/a" when unknown. */
  version: string | null;
  trigger: string | null;
  status: "pass" | "fail" | "neutral" | "tmpfail" | null;
  requestor_id: number;
  pin_packages: unknown[];
  worker_id: number | null;
  extra_apt_sources: unknown[];
  log_size: number | null;
  artifacts_size: number | null;
  date: number | null;
  duration_seconds: number | null;
  last_pass_date: number | null;
  last_pass_version: string | null;
  message: string | null;
  previous_status: string | null;
  is_private: boolean;
  package_id: number;
  /** Test-side only (not a column, never rendered): the worker lost it, so it stays queued for ever. */
  lostByWorker?: boolean;
  /**
   * Test-side only (not a column, never rendered): the priority its POST carried, as api.rb reads it
   * (`params.fetch("priority", 5).to_i`) and job.rb `enqueue(priority)` puts it on the AMQP message;
   * what debci-workers.ts orders its queues by. Unset for jobs never queued (refused at creation).
   */
  priority?: number;
}

/**
 * Faults on command. Not debci's, but of what stands between: "500", "hang",
 * "truncate", "html", "endless", "bogus-until", "redirect-*", "echo-key";
 * "handle-then-reset", "handle-then-500" and "handle-then-hang" (the POST is
 * handled, its jobs created, and then the connection is reset, a proxy
 * answers 500, or no answer comes at all).
 * debci's own: "broker-down" (`lib/debci/test_handler.rb` request_tests
 * creates every job row, then enqueues; with the AMQP broker down the first
 * enqueue raises, so the rows stay, status null, never run, and the answer
 * is a 500).
 */
export type Fault = "500" | "hang" | "truncate" | "html" | "endless" | "bogus-until" | "redirect-away" | "redirect-same" | "echo-key" | "handle-then-reset" | "handle-then-500" | "handle-then-hang" | "broker-down";

/** One POST that reached the service's test routes, as it answered it. */
export interface Post {
  route: "suite" | "batch";
  /** The per-suite route's URL segments. */
  suite: string | null;
  arch: string | null;
  priority: string | null;
  tests: unknown;
  status: number;
  message: string;
  /** Jobs it created (a POST whose answer was lost may still have created them). */
  created: number;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

/** job.rb, Job.status: the message debci stores with each status. */
const MESSAGES: Record<Exclude<Job["status"], null>, string> = {
  pass: "All tests passed",
  fail: "Tests failed",
  neutral: "No tests in this package or all skipped",
  tmpfail: "Could not run tests due to a temporary testbed failure",
};

/** Ruby's String#to_i, as api.rb reads `priority`: leading digits (after an optional sign), else 0. */
function rubyToI(text: string): number {
  const m = /^\s*([+-]?\d+)/.exec(text);
  return m === null ? 0 : Number.parseInt(m[1]!, 10);
}

/** test_handler.rb, valid_package_name?. */
const VALID_PACKAGE = /^[a-z0-9][a-z0-9+.-]+$/;

/**
 * Ruby's File.fnmatch(pattern, name) with no flags, as reject_list.rb uses it
 * on package names: `*`, `?`, `[...]` (`!`/`^` negation, ranges), `\` escape.
 * Written as a backtracking matcher, independently of the module's own.
 */
function fnmatch(pattern: string, name: string, p = 0, n = 0): boolean {
  while (p < pattern.length) {
    const c = pattern[p]!;
    if (c === "*") {
      for (let k = n; k <= name.length; k++) if (fnmatch(pattern, name, p + 1, k)) return true;
      return false;
    }
    if (n >= name.length) return false;
    if (c === "?") {
      p++;
      n++;
      continue;
    }
    if (c === "[") {
      const close = pattern.indexOf("]", p + 2);
      if (close !== -1) {
        let set = pattern.slice(p + 1, close);
        const negate = set[0] === "!" || set[0] === "^";
        if (negate) set = set.slice(1);
        let hit = false;
        for (let i = 0; i < set.length; i++) {
          if (set[i + 1] === "-" && i + 2 < set.length) {
            if (name[n]! >= set[i]! && name[n]! <= set[i + 2]!) hit = true;
            i += 2;
          } else if (set[i] === name[n]) hit = true;
        }
        if (hit === negate) return false;
        p = close + 1;
        n++;
        continue;
      }
    }
    const literal = c === "\\" && p + 1 < pattern.length ? pattern[++p]! : c;
    if (literal !== name[n]) return false;
    p++;
    n++;
  }
  return n === name.length;
}

export class FakeDebci {
  /** debci's config: the suites and arches it runs (Debci.config.suite_list / arch_list). */
  suites = ["testing", "unstable"];
  arches = ["amd64", "arm64", "i386"];
  /** The version of each package the workers would test (the archive); "1.0-1" when not named. */
  readonly archive = new Map<string, string>();
  now = Date.parse("2026-11-25T12:00:00Z");
  readonly jobs: Job[] = [];
  /** Every POST to a test route, answered or not. */
  readonly posts: Post[] = [];
  /**
   * Whether POST /api/v1/test/batch works. In debci 3.1 to 3.6 it does not:
   * `lib/debci/api.rb` has no filter that authenticates it (`before
   * '/test/:suite/:arch*'` needs two more segments), so the job has no
   * requestor and Job.create! fails validation ("Requestor can't be
   * blank"), a 500, for every non-empty batch; its `priority` is never read
   * either. True: as a service where the route authenticates and reads
   * `priority` like the per-suite route does.
   */
  batchRouteWorks = false;
  /** Every request: method, path and query, and the Auth-Key header it carried (to prove where the key went). */
  readonly log: Array<{ line: string; authKey: string | undefined }> = [];
  /** reject_list.rb `data`: package → suite → arch → version → reason, as GET /api/v1/reject_list renders it. */
  rejectList: Record<string, Record<string, Record<string, Record<string, string>>>> = {};
  /** Where "redirect-away" sends: another origin. */
  elsewhere = "";
  /**
   * Not debci's: the whole service unreachable, as a test sets it (setOutage). "refused": nothing
   * listens on the port (connection refused); "503": a front proxy answers every request 503.
   */
  outage: "refused" | "503" | null = null;
  private apiKeys = new Map<string, number>([["0f0e-fake-key-7d1c", 1]]);
  private readonly faults: Array<{ path: string; fault: Fault; skip: number }> = [];
  private nextRunId = 90000;
  private readonly packageIds = new Map<string, number>();
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  url = "";

  get apiKey(): string {
    return [...this.apiKeys.keys()][0]!;
  }

  /** api.rb docs, POST /getkey: a new key, and "any existing API key is invalidated". */
  resetKey(): string {
    const key = `${Math.random().toString(16).slice(2)}-reset-key`;
    this.apiKeys = new Map([[key, 1]]);
    return key;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on("connection", (socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    const address = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${address.port}`;
    return this;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    if (this.outage === "refused") return; // not listening
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** After `skip` more requests to a path starting with `path` pass untouched, the next `times` of them meet `fault`. */
  inject(fault: Fault, path = "/", times = 1, skip = 0): void {
    for (let i = 0; i < times; i++) this.faults.push({ path, fault, skip });
  }

  /** Drops every fault not met yet, and returns them (so a caller can count the ones that were). */
  clearFaults(): Fault[] {
    return this.faults.splice(0).map((f) => f.fault);
  }

  /**
   * Not debci's: an outage of the whole service. "refused" stops listening (every connection
   * refused) and closes open connections; "503" answers every request 503; null is back up, on
   * the same port.
   */
  async setOutage(kind: "refused" | "503" | null): Promise<void> {
    if (kind === this.outage) return;
    if (kind === "refused") {
      await new Promise((resolve) => {
        this.server!.close(resolve);
        for (const socket of this.sockets) socket.destroy();
      });
    } else if (this.outage === "refused") {
      await new Promise<void>((resolve) => this.server!.listen(Number(new URL(this.url).port), "127.0.0.1", resolve));
    }
    this.outage = kind;
  }

  /**
   * Finishes the queued jobs that `match`, as of now, as job.rb `receive`
   * does: status and its message, the tested version (the archive's, "n/a"
   * when unknown), duration, date, worker, previous_status and last pass.
   */
  finish(match: (job: Job) => boolean, status: Exclude<Job["status"], null>, version?: string): number {
    let n = 0;
    for (const job of this.jobs) {
      if (job.status !== null || job.lostByWorker || !match(job)) continue;
      const history = this.jobs.filter((j) => j !== job && j.package === job.package && j.suite === job.suite && j.arch === job.arch && j.status !== null && j.pin_packages.length === 0);
      const previous = history.at(-1);
      const lastPass = history.filter((j) => j.status === "pass").at(-1);
      job.status = status;
      job.message = MESSAGES[status];
      job.version = version ?? this.archive.get(job.package) ?? "1.0-1";
      job.duration_seconds = 321;
      job.date = this.now;
      job.worker_id = 7;
      job.log_size = 2113;
      job.artifacts_size = 260;
      job.previous_status = previous?.status ?? null;
      job.last_pass_date = lastPass?.date ?? null;
      job.last_pass_version = lastPass?.version ?? null;
      job.updated_at = this.now;
      n++;
    }
    return n;
  }

  /**
   * The worker loses the jobs that `match` (an AMQP message gone astray).
   * debci never deletes a job: it stays in the table, status null, and
   * GET /test lists it whenever its updated_at is recent enough (api.rb).
   */
  loseJobs(match: (job: Job) => boolean): number {
    let n = 0;
    for (const job of this.jobs) if (job.status === null && match(job)) (job.lostByWorker = true), n++;
    return n;
  }

  private takeFault(path: string): Fault | null {
    const i = this.faults.findIndex((f) => path.startsWith(f.path));
    if (i === -1) return null;
    if (this.faults[i]!.skip > 0) {
      for (const f of this.faults) if (f.path === this.faults[i]!.path && f.skip > 0) f.skip--;
      return null;
    }
    return this.faults.splice(i, 1)[0]!.fault;
  }

  /** api.rb authenticate_key!: 403 "Invalid key" unless the Auth-Key header names a user's key. */
  private user(req: IncomingMessage): number | null {
    const key = req.headers["auth-key"];
    return typeof key === "string" && this.apiKeys.has(key) ? this.apiKeys.get(key)! : null;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const authKey = req.headers["auth-key"];
    this.log.push({ line: `${req.method} ${url.pathname}${url.search}`, authKey: typeof authKey === "string" ? authKey : undefined });
    // Not debci's: the whole service down behind its proxy (setOutage).
    if (this.outage === "503") return this.send(res, 503, "<html><body>503 Service Unavailable</body></html>", "text/html");
    const fault = this.takeFault(url.pathname);
    // Not debci's: a front proxy or the network failing.
    if (fault === "hang") return;
    if (fault === "handle-then-reset" || fault === "handle-then-500" || fault === "handle-then-hang" || fault === "broker-down") return this.handleThen(req, res, url, body, fault);
    if (fault === "500") return this.send(res, 500, "<html><body>502 Bad Gateway</body></html>", "text/html");
    if (fault === "html") return this.send(res, 200, "<html><body>Service temporarily in maintenance</body></html>", "text/html");
    if (fault === "redirect-away" || fault === "redirect-same") {
      const to = fault === "redirect-away" ? this.elsewhere : this.url;
      res.writeHead(req.method === "POST" ? 307 : 302, { location: `${to}${url.pathname}${url.search}` });
      return void res.end();
    }
    this.route(req, res, url, body, fault);
  }

  private route(req: IncomingMessage, res: ServerResponse, url: URL, body: string, fault: Fault | null): void {
    // api.rb: POST /test/batch is matched by no authenticating filter (see batchRouteWorks).
    if (req.method === "POST" && url.pathname === "/api/v1/test/batch" && !this.batchRouteWorks) return this.batch(res, new URLSearchParams(body), null);
    const user = this.user(req);
    if (user === null) return this.send(res, 403, fault === "echo-key" ? `Invalid key ${String(req.headers["auth-key"])}\n` : "Invalid key\n", "text/html");
    if (req.method === "GET" && url.pathname === "/api/v1/test") return this.results(res, url.searchParams.get("since"), user, fault);
    if (req.method === "GET" && url.pathname === "/api/v1/reject_list") return this.send(res, 200, JSON.stringify(this.rejectList));
    if (req.method === "POST" && url.pathname === "/api/v1/test/batch") return this.batch(res, new URLSearchParams(body), user);
    const perSuite = /^\/api\/v1\/test\/([^/]+)\/([^/]+)$/.exec(url.pathname);
    if (req.method === "POST" && perSuite !== null) return this.perSuite(res, decodeURIComponent(perSuite[1]!), decodeURIComponent(perSuite[2]!), new URLSearchParams(body), user);
    this.send(res, 404, "<h1>Not Found</h1>", "text/html");
  }

  /**
   * The POST is handled as usual, then its answer is lost: the connection
   * reset, or a 500 from a proxy in front. "broker-down" is debci's own:
   * the rows are written, never enqueued (the workers never see them), and
   * the answer is a 500.
   */
  private handleThen(req: IncomingMessage, res: ServerResponse, url: URL, body: string, fault: Fault): void {
    const before = this.jobs.length;
    const sink = { writeHead: () => sink, end: () => sink, setHeader: () => sink } as unknown as ServerResponse;
    this.route(req, sink, url, body, null);
    if (fault === "broker-down") for (const job of this.jobs.slice(before)) if (job.status === null) job.lostByWorker = true;
    if (fault === "handle-then-reset") return void req.socket.destroy();
    if (fault === "handle-then-hang") return;
    this.send(res, 500, fault === "broker-down" ? "<h1>Internal Server Error</h1>" : "<html><body>502 Bad Gateway</body></html>", "text/html");
  }

  /** A job as the API renders it: every column (job.rb as_json), plus `package` by name and `duration_human`. */
  private render(job: Job): Record<string, unknown> {
    const { lostByWorker: _lost, priority: _priority, ...columns } = job;
    return {
      ...columns,
      created_at: iso(job.created_at),
      updated_at: iso(job.updated_at),
      date: iso(job.date),
      last_pass_date: iso(job.last_pass_date),
      duration_human: job.duration_seconds === null ? "(n/a)" : `${Math.floor(job.duration_seconds / 60)}m ${job.duration_seconds % 60}s`,
    };
  }

  /**
   * api.rb GET /test: the caller's jobs, `updated_at >= since` (Time.strptime
   * of an integer; anything else raises, a 500), ordered by updated_at, no
   * paging; `until` is the newest created_at among them, 0 when none.
   */
  private results(res: ServerResponse, sinceParam: string | null, user: number, fault: Fault | null): void {
    if (sinceParam !== null && !/^-?\d+$/.test(sinceParam)) return this.send(res, 500, "<h1>Internal Server Error</h1>", "text/html");
    const since = sinceParam === null ? Number.NEGATIVE_INFINITY : Number(sinceParam) * 1000;
    const jobs = this.jobs.filter((j) => j.requestor_id === user && j.updated_at >= since).sort((a, b) => a.updated_at - b.updated_at || a.run_id - b.run_id);
    let until = jobs.length === 0 ? 0 : Math.floor(Math.max(...jobs.map((j) => j.created_at)) / 1000);
    if (fault === "bogus-until") until = 10_000_000_000_000; // not debci's: a broken server's
    if (fault === "endless") return this.endless(res);
    const text = JSON.stringify({ until, results: jobs.map((j) => this.render(j)) });
    if (fault === "truncate") return this.send(res, 200, text.slice(0, Math.floor(text.length / 2)));
    this.send(res, 200, text);
  }

  /** Not debci's: a body that never ends (chunked), well-formed records for ever, until the client hangs up. */
  private endless(res: ServerResponse): void {
    res.writeHead(200, { "content-type": "application/json" });
    const record = JSON.stringify(this.render({ run_id: 1, created_at: this.now, updated_at: this.now, suite: "testing", arch: "amd64", package: "flood", version: "1", trigger: "flood/1", status: "pass", requestor_id: 1, pin_packages: [], worker_id: 1, extra_apt_sources: [], log_size: 1, artifacts_size: 1, date: this.now, duration_seconds: 1, last_pass_date: null, last_pass_version: null, message: "x".repeat(200), previous_status: null, is_private: false, package_id: 1 }));
    const block = Buffer.from(`${record},`.repeat(2000));
    res.write('{"until":0,"results":[');
    const pump = () => {
      while (!res.destroyed && res.write(block));
      if (!res.destroyed) res.once("drain", pump);
    };
    res.on("close", () => res.removeAllListeners("drain"));
    pump();
  }

  /**
   * api.rb POST /test/batch with test_handler.rb: `tests` parsed as JSON
   * (400 "Invalid JSON: ..."; none: 400 "Error: No tests"), then
   * validate_batch_test: one bad suite, arch or package name anywhere
   * refuses the whole POST (400 "Error: ..."). Then request_batch_tests: one
   * job per test and arch. With no authenticated user (debci 3.1-3.6, see
   * batchRouteWorks) the first job fails validation: a 500, nothing
   * created; a batch with no tests at all is a 201. Where the route works,
   * `priority` is checked as the per-suite route checks it.
   */
  private batch(res: ServerResponse, form: URLSearchParams, user: number | null): void {
    const post: Post = { route: "batch", suite: null, arch: null, priority: form.get("priority"), tests: form.get("tests"), status: 0, message: "", created: 0 };
    this.posts.push(post);
    if (user !== null) {
      const priority = rubyToI(form.get("priority") ?? "5");
      if (!(priority >= 1 && priority <= 10)) return this.answer(res, post, 400, `Invalid priority: ${priority}\n`);
    }
    const requests = this.loadJson(res, post, form.get("tests"));
    if (requests === undefined) return;
    if (!Array.isArray(requests)) return this.answer(res, post, 400, "Error: Not an array");
    const errors: string[] = [];
    for (const [index, request] of (requests as Array<Record<string, unknown>>).entries()) {
      const suite = request.suite;
      if (suite === "") errors.push(`No suite at request index ${index}`);
      if (typeof suite !== "string" || !this.suites.includes(suite)) errors.push(`Wrong suite (${String(suite ?? "")}) at request index ${index}, available suites: ${this.suites.join(", ")}`);
      const arches = (Array.isArray(request.arch) ? request.arch : [request.arch]).filter((a) => a !== "" && a !== undefined && a !== null);
      if (arches.length === 0) errors.push(`No archs are specified at request index ${index}`);
      else if (arches.some((a) => !this.arches.includes(a as string))) errors.push(`Wrong archs (${arches.join(", ")}) at request index ${index}, available archs: ${this.arches.join(", ")}`);
      // test_handler.rb walks request['tests'] unchecked: a missing list raises, which Sinatra answers with a 500.
      if (!Array.isArray(request.tests)) return this.answer(res, post, 500, "<h1>Internal Server Error</h1>");
      for (const [i, test] of (request.tests as Array<Record<string, unknown>>).entries()) {
        if (typeof test?.package !== "string" || !VALID_PACKAGE.test(test.package)) errors.push(`Invalid package name at request index ${index} and test index ${i}`);
      }
    }
    if (errors.length > 0) return this.answer(res, post, 400, `Error: ${errors.join("\n")}`);
    const all = requests as Array<{ suite: string; arch: string[]; tests: Array<Record<string, unknown>> }>;
    if (user === null && all.some((r) => r.arch.length > 0 && r.tests.length > 0)) return this.answer(res, post, 500, "<h1>Internal Server Error</h1>"); // job.rb: validates :requestor, presence: true
    const priority = rubyToI(form.get("priority") ?? "5");
    for (const request of all) {
      for (const arch of request.arch) {
        for (const test of request.tests) this.createJob(request.suite, arch, test, user!, priority), post.created++;
      }
    }
    this.answer(res, post, 201, "");
  }

  /**
   * api.rb `before '/test/:suite/:arch*'` then `post '/test/:suite/:arch'`:
   * the key (403 "Invalid key"), the arch ("Invalid architecture: X"), the
   * suite ("Invalid suite: X"), `priority` (Ruby's to_i of the field,
   * default 5; outside 1-10: "Invalid priority: N"), each a 400 with a
   * newline; `tests` as JSON (load_json, as for the batch route), then
   * test_handler.rb validate_tests: an invalid package name anywhere
   * refuses the whole POST, 400 "Invalid request: Invalid package name: X".
   * Accepted: request_tests, one job per test, 201 with an empty body.
   */
  private perSuite(res: ServerResponse, suite: string, arch: string, form: URLSearchParams, user: number): void {
    const priority = rubyToI(form.get("priority") ?? "5");
    const post: Post = { route: "suite", suite, arch, priority: form.get("priority"), tests: form.get("tests"), status: 0, message: "", created: 0 };
    this.posts.push(post);
    if (!this.arches.includes(arch)) return this.answer(res, post, 400, `Invalid architecture: ${arch}\n`);
    if (!this.suites.includes(suite)) return this.answer(res, post, 400, `Invalid suite: ${suite}\n`);
    if (!(priority >= 1 && priority <= 10)) return this.answer(res, post, 400, `Invalid priority: ${priority}\n`);
    const tests = this.loadJson(res, post, form.get("tests"));
    if (tests === undefined) return;
    // validate_tests calls tests.each and test['package']: anything but an array of objects raises, a 500.
    if (!Array.isArray(tests) || tests.some((t) => t === null || typeof t !== "object" || Array.isArray(t))) return this.answer(res, post, 500, "<h1>Internal Server Error</h1>");
    const errors = (tests as Array<Record<string, unknown>>).filter((t) => typeof t.package !== "string" || !VALID_PACKAGE.test(t.package)).map((t) => `Invalid package name: ${String(t.package ?? "")}`);
    if (errors.length > 0) return this.answer(res, post, 400, `Invalid request: ${errors.join("\n")}`);
    for (const test of tests as Array<Record<string, unknown>>) this.createJob(suite, arch, test, user, priority), post.created++;
    this.answer(res, post, 201, "");
  }

  /** api.rb load_json: no field is 400 "Error: No tests", bad JSON 400 "Invalid JSON: ...". Undefined when it answered. */
  private loadJson(res: ServerResponse, post: Post, raw: string | null): unknown {
    if (raw === null) return void this.answer(res, post, 400, "Error: No tests");
    try {
      return JSON.parse(raw) as unknown;
    } catch (error) {
      return void this.answer(res, post, 400, `Invalid JSON: ${(error as Error).message}`);
    }
  }

  private answer(res: ServerResponse, post: Post, status: number, message: string): void {
    post.status = status;
    post.message = message;
    if (status === 201) {
      res.writeHead(201, { "content-type": "text/html;charset=utf-8" });
      return void res.end();
    }
    this.send(res, status, message, "text/html;charset=utf-8");
  }

  /** test_handler.rb request_tests: the job row; reject-listed or badly named ones are failed at once, never queued. */
  private createJob(suite: string, arch: string, test: Record<string, unknown>, user: number, priority: number): void {
    const pkg = String(test.package);
    const refused = this.isRejectListed(pkg, suite, arch) || !VALID_PACKAGE.test(pkg);
    if (!this.packageIds.has(pkg)) this.packageIds.set(pkg, this.packageIds.size + 1);
    this.jobs.push({
      run_id: this.nextRunId++,
      created_at: this.now,
      updated_at: this.now,
      suite,
      arch,
      package: pkg,
      version: null,
      trigger: typeof test.trigger === "string" ? test.trigger : null,
      status: refused ? "fail" : null,
      requestor_id: user,
      pin_packages: Array.isArray(test["pin-packages"]) ? (test["pin-packages"] as unknown[]) : [],
      worker_id: null,
      extra_apt_sources: [],
      log_size: null,
      artifacts_size: null,
      date: refused ? this.now : null,
      duration_seconds: null,
      last_pass_date: null,
      last_pass_version: null,
      message: null,
      previous_status: null,
      is_private: false,
      package_id: this.packageIds.get(pkg)!,
      // job.rb enqueue(priority): the AMQP message carries it; a refused job is never queued.
      ...(refused ? {} : { priority }),
    });
  }

  /**
   * reject_list.rb include?(name, suite:, arch:) with no version, as
   * request_tests calls it: the package's own entry if it has one (else
   * each entry whose name fnmatches it), its suite (or `*`), its arch (or
   * `*`), and the first version key `*`.
   */
  isRejectListed(pkg: string, suite: string, arch: string): boolean {
    const names = Object.hasOwn(this.rejectList, pkg) ? [pkg] : Object.keys(this.rejectList).filter((name) => fnmatch(name, pkg));
    return names.some((name) => {
      const bySuite = this.rejectList[name]!;
      const byArch = Object.hasOwn(bySuite, suite) ? bySuite[suite]! : bySuite["*"];
      const byVersion = byArch === undefined ? undefined : Object.hasOwn(byArch, arch) ? byArch[arch]! : byArch["*"];
      return byVersion !== undefined && Object.keys(byVersion)[0] === "*";
    });
  }

  private send(res: ServerResponse, status: number, body: string, type = "application/json"): void {
    res.writeHead(status, { "content-type": type });
    res.end(body);
  }
}
