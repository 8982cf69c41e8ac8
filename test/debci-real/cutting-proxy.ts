// A tiny TCP proxy on 127.0.0.1 in front of an HTTP/1.1 server, for "the
// service handled it, the answer was lost" tests.
//
// Normal mode: bytes are piped both ways unchanged; the client->server side is
// parsed just enough (request head + Content-Length body) to find where each
// request starts, so keep-alive connections are inspected request by request.
//
// cutNextAnswers(n, pathPrefix?, method = "POST"): the next n matching requests
// are forwarded in full, with their Connection header forced to `close`, so
// the server ends the connection after answering; the proxy swallows that
// whole answer and then resets the client socket (RST) instead of relaying it.
//
// A request with Transfer-Encoding: chunked that is not cut ends the
// inspection of its connection (the rest is piped raw; recorded as "raw").

import { createServer, connect, type Server, type Socket, type AddressInfo } from "node:net";

export interface ProxyEvent {
  /** Date.now() when the request head was seen. */
  at: number;
  /** Connection number (1-based, in accept order). */
  connection: number;
  method: string;
  path: string;
  /** forwarded: relayed normally; cut: answer swallowed, client reset; raw: inspection stopped on this connection. */
  action: "forwarded" | "cut" | "raw";
  /** For cuts: the status line of the swallowed answer ("HTTP/1.1 201 Created"), once it arrived. */
  swallowedStatus?: string;
  /** For cuts: bytes of the swallowed answer. */
  swallowedBytes?: number;
  /** For cuts: true once the client socket was reset. */
  reset?: boolean;
}

interface Cut {
  left: number;
  pathPrefix: string;
  method: string;
}

const MAX_HEAD = 64 * 1024;
const CUT_TIMEOUT_MS = 60_000;

export class CuttingProxy {
  readonly events: ProxyEvent[] = [];
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private cut: Cut = { left: 0, pathPrefix: "", method: "POST" };
  private connections = 0;
  port = 0;

  constructor(private readonly targetPort: number, private readonly targetHost = "127.0.0.1") {}

  get url(): string { return `http://127.0.0.1:${this.port}`; }

  /** Cuts still armed. */
  get pendingCuts(): number { return this.cut.left; }

  /** The events of cut requests. */
  get cuts(): ProxyEvent[] { return this.events.filter((e) => e.action === "cut"); }

  /** Arm: the next n requests with this method whose path starts with pathPrefix get their answer swallowed. */
  cutNextAnswers(n: number, pathPrefix = "", method = "POST"): void {
    this.cut = { left: n, pathPrefix, method: method.toUpperCase() };
  }

  async start(port = 0): Promise<number> {
    const server = createServer((client) => this.handle(client));
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    return this.port;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }

  private handle(client: Socket): void {
    const conn = ++this.connections;
    const upstream = connect({ host: this.targetHost, port: this.targetPort });
    this.sockets.add(client);
    this.sockets.add(upstream);
    client.once("close", () => this.sockets.delete(client));
    upstream.once("close", () => this.sockets.delete(upstream));

    let mode: "head" | "body" | "raw" | "cut" = "head";
    let buf: Buffer = Buffer.alloc(0);
    let bodyLeft = 0;
    let cutEvent: ProxyEvent | null = null;
    let swallowed: Buffer[] = [];
    let cutTimer: NodeJS.Timeout | null = null;

    const resetClient = () => {
      if (cutTimer) clearTimeout(cutTimer);
      if (cutEvent && !cutEvent.reset) {
        const all = Buffer.concat(swallowed);
        const firstLine = all.toString("latin1").split("\r\n", 1)[0] ?? "";
        cutEvent.swallowedStatus = firstLine;
        cutEvent.swallowedBytes = all.length;
        cutEvent.reset = true;
        swallowed = [];
      }
      if (!client.destroyed) client.resetAndDestroy();
      upstream.destroy();
    };

    upstream.on("data", (d: Buffer) => {
      if (mode === "cut") swallowed.push(d);
      else client.write(d);
    });
    upstream.once("end", () => {
      // A cut request was sent with `Connection: close`: the end of the
      // upstream stream is the end of its full answer.
      if (mode === "cut") resetClient();
      else client.end();
    });
    upstream.once("error", () => {
      if (mode === "cut") resetClient();
      else client.destroy();
    });
    client.once("error", () => { if (mode !== "cut") upstream.destroy(); });
    client.once("end", () => { if (mode !== "cut") upstream.end(); });
    client.once("close", () => { if (mode !== "cut") upstream.destroy(); });

    const feed = (d: Buffer) => {
      if (mode === "raw" || mode === "cut") {
        upstream.write(d);
        return;
      }
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      while (buf.length > 0) {
        if (mode === "body") {
          const take = Math.min(bodyLeft, buf.length);
          upstream.write(buf.subarray(0, take));
          buf = buf.subarray(take);
          bodyLeft -= take;
          if (bodyLeft === 0) mode = "head";
          continue;
        }
        // mode === "head"
        const end = buf.indexOf("\r\n\r\n");
        if (end < 0) {
          if (buf.length > MAX_HEAD) {
            this.events.push({ at: Date.now(), connection: conn, method: "?", path: "?", action: "raw" });
            mode = "raw";
            upstream.write(buf);
            buf = Buffer.alloc(0);
          }
          return;
        }
        const head = buf.subarray(0, end + 4).toString("latin1");
        const rest = buf.subarray(end + 4);
        const lines = head.slice(0, -4).split("\r\n");
        const [method = "?", path = "?"] = (lines[0] ?? "").split(" ");
        const headers = lines.slice(1).map((l) => {
          const i = l.indexOf(":");
          return [l.slice(0, i).trim().toLowerCase(), l.slice(i + 1).trim()] as const;
        });
        const header = (name: string) => headers.find(([k]) => k === name)?.[1];

        if (this.cut.left > 0 && method.toUpperCase() === this.cut.method && path.startsWith(this.cut.pathPrefix)) {
          this.cut.left--;
          mode = "cut";
          cutEvent = { at: Date.now(), connection: conn, method, path, action: "cut", reset: false };
          this.events.push(cutEvent);
          const kept = lines.slice(1).filter((l) => !/^(connection|keep-alive)\s*:/i.test(l));
          upstream.write(Buffer.from([lines[0], ...kept, "Connection: close", "", ""].join("\r\n"), "latin1"));
          upstream.write(rest);
          buf = Buffer.alloc(0);
          cutTimer = setTimeout(resetClient, CUT_TIMEOUT_MS);
          return;
        }

        upstream.write(buf.subarray(0, end + 4));
        buf = rest;
        if (/chunked/i.test(header("transfer-encoding") ?? "")) {
          this.events.push({ at: Date.now(), connection: conn, method, path, action: "raw" });
          mode = "raw";
          upstream.write(buf);
          buf = Buffer.alloc(0);
          return;
        }
        this.events.push({ at: Date.now(), connection: conn, method, path, action: "forwarded" });
        bodyLeft = Number(header("content-length") ?? 0) || 0;
        mode = bodyLeft > 0 ? "body" : "head";
      }
    };
    client.on("data", feed);
  }
}
