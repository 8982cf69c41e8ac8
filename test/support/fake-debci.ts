import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

/**
 * A fake CI service for the sync tools' tests: debci's documented endpoints
 * on 127.0.0.1 at a random port, API-key auth, jobs the test finishes on
 * command, and faults on command. Its clock is the test's (`now`).
 */
export interface Job {
  run_id: number;
  trigger: string;
  package: string;
  arch: string;
  suite: string;
  version: string;
  status: "pass" | "fail" | "neutral" | "tmpfail" | null;
  created_at: number;
  updated_at: number;
}

export type Fault = "500" | "hang" | "truncate" | "invalid-json" | "drop-job" | "twice";

export class FakeDebci {
  readonly apiKey = "0f0e-fake-key";
  now = Date.parse("2026-11-25T12:00:00Z");
  readonly jobs: Job[] = [];
  readonly batches: Array<{ priority: string | null; tests: unknown }> = [];
  readonly log: string[] = [];
  rejectList: unknown = {};
  /** Faults for the next requests to a path prefix, consumed in order. */
  private readonly faults: Array<{ path: string; fault: Fault }> = [];
  private nextRunId = 90000;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  url = "";

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
    await new Promise((resolve) => this.server?.close(resolve));
  }

  /** The next `times` requests to a path starting with `path` meet `fault`. */
  inject(fault: Fault, path = "/", times = 1): void {
    for (let i = 0; i < times; i++) this.faults.push({ path, fault });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /** Finishes the queued jobs that `match`, as of now. */
  finish(match: (job: Job) => boolean, status: Exclude<Job["status"], null>): number {
    let n = 0;
    for (const job of this.jobs) {
      if (job.status === null && match(job)) {
        job.status = status;
        job.updated_at = this.now;
        n++;
      }
    }
    return n;
  }

  private takeFault(path: string): Fault | null {
    const i = this.faults.findIndex((f) => path.startsWith(f.path));
    if (i === -1) return null;
    return this.faults.splice(i, 1)[0]!.fault;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://fake");
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    this.log.push(`${req.method} ${url.pathname}${url.search}`);
    const fault = this.takeFault(url.pathname);
    if (fault === "hang") return; // never answers; the client's timeout must fire
    if (fault === "500") return this.send(res, 500, "internal error (fake)");
    if (req.headers["auth-key"] !== this.apiKey) return this.send(res, 403, "invalid API key");
    if (req.method === "GET" && url.pathname === "/api/v1/test") return this.results(res, Number(url.searchParams.get("since") ?? "0"), fault);
    if (req.method === "GET" && url.pathname === "/api/v1/reject_list") return this.send(res, 200, JSON.stringify(this.rejectList));
    if (req.method === "POST" && url.pathname === "/api/v1/test/batch") return this.batch(res, new URLSearchParams(body), fault);
    this.send(res, 404, "not found");
  }

  private results(res: ServerResponse, since: number, fault: Fault | null): void {
    const records = this.jobs.filter((j) => j.updated_at >= since * 1000).map((j) => ({ ...j, created_at: new Date(j.created_at).toISOString(), updated_at: new Date(j.updated_at).toISOString(), requestor: "britney" }));
    if (fault === "twice") records.push(...records.map((r) => ({ ...r })));
    const text = JSON.stringify({ until: Math.floor(this.now / 1000), results: records });
    if (fault === "truncate") return this.send(res, 200, text.slice(0, Math.floor(text.length / 2)));
    if (fault === "invalid-json") return this.send(res, 200, `<html>${text}`);
    this.send(res, 200, text);
  }

  private batch(res: ServerResponse, form: URLSearchParams, fault: Fault | null): void {
    let groups: Array<{ suite: string; arch: string[]; tests: Array<{ package: string; trigger: string }> }>;
    try {
      groups = JSON.parse(form.get("tests") ?? "");
      if (!Array.isArray(groups)) throw new Error("tests must be an array");
    } catch (error) {
      return this.send(res, 400, `invalid tests: ${(error as Error).message}`);
    }
    this.batches.push({ priority: form.get("priority"), tests: groups });
    let dropped = fault === "drop-job";
    for (const group of groups) {
      for (const arch of group.arch) {
        for (const test of group.tests) {
          if (dropped) {
            dropped = false; // accepted, then silently lost
            continue;
          }
          this.jobs.push({ run_id: this.nextRunId++, trigger: test.trigger, package: test.package, arch, suite: group.suite, version: "1.0-1", status: null, created_at: this.now, updated_at: this.now });
        }
      }
    }
    this.send(res, 201, "{}");
  }

  private send(res: ServerResponse, status: number, body: string): void {
    res.writeHead(status, { "content-type": status < 300 ? "application/json" : "text/plain" });
    res.end(body);
  }
}
