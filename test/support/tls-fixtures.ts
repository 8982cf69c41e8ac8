import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server as HttpServer, type ServerResponse } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import type { FakeDebci } from "./fake-debci.js";

/**
 * Throw-away TLS for the sync tools' tests: CAs and server certificates
 * made with openssl in a temp dir, the fake debci served over HTTPS on
 * 127.0.0.1, and a CONNECT proxy on 127.0.0.1 that records what it saw.
 */

const openssl = (args: string[], cwd: string) => execFileSync("/usr/bin/openssl", args, { cwd, stdio: ["ignore", "pipe", "pipe"] });

export interface Ca {
  cert: string;
  key: string;
}

/** A self-signed CA: `dir/NAME.pem` and `dir/NAME.key`. */
export function makeCa(dir: string, name: string): Ca {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", cert, "-days", "2", "-subj", `/CN=${name} throw-away test CA`, "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"], dir);
  return { cert, key };
}

/** A server certificate signed by `ca` for `san` (e.g. "IP:127.0.0.1"): `dir/NAME.pem`, `dir/NAME.key`. */
export function makeServerCert(dir: string, ca: Ca, name: string, san: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.pem`);
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const ext = join(dir, `${name}.ext`);
  writeFileSync(ext, `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n`);
  openssl(["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-out", csr, "-subj", `/CN=${name}`], dir);
  openssl(["x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", cert], dir);
  return { cert, key };
}

/** The fake debci's own handler behind node:https on 127.0.0.1. */
export async function serveHttps(fake: FakeDebci, cert: { cert: string; key: string }): Promise<{ url: string; server: HttpsServer; close: () => Promise<void> }> {
  const handle = (fake["handle"] as (req: IncomingMessage, res: ServerResponse) => Promise<void>).bind(fake);
  const server = createHttpsServer({ cert: readFileSync(cert.cert), key: readFileSync(cert.key) }, (req, res) => void handle(req, res));
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  // A client that rejects the certificate resets the handshake: not the server's problem.
  server.on("tlsClientError", () => undefined);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `https://127.0.0.1:${port}`,
    server,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** What the proxy saw: each request line and its headers, and every byte the client sent through the tunnels. */
export interface ProxySeen {
  lines: string[];
  headers: Array<Record<string, string | string[] | undefined>>;
  tunnelled: Buffer[];
}

/**
 * A tiny proxy on 127.0.0.1: CONNECT opens a tunnel (to 127.0.0.1 only),
 * an absolute-URI request is forwarded (to 127.0.0.1 only). It records all.
 */
export async function startProxy(): Promise<{ url: string; port: number; seen: ProxySeen; close: () => Promise<void> }> {
  const seen: ProxySeen = { lines: [], headers: [], tunnelled: [] };
  const sockets = new Set<Socket>();
  const server: HttpServer = createHttpServer((req, res) => {
    seen.lines.push(`${req.method} ${req.url}`);
    seen.headers.push({ ...req.headers });
    const target = new URL(req.url ?? "/");
    if (target.hostname !== "127.0.0.1") return void res.writeHead(403).end();
    const upstream = httpRequest({ host: "127.0.0.1", port: target.port, method: req.method, path: `${target.pathname}${target.search}`, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
    seen.lines.push(`CONNECT ${req.url}`);
    seen.headers.push({ ...req.headers });
    const [host, port] = (req.url ?? "").split(/:(?=\d+$)/);
    if (host !== "127.0.0.1") return void client.end("HTTP/1.1 403 Forbidden\r\n\r\n");
    const upstream = connect(Number(port), "127.0.0.1", () => {
      client.write("HTTP/1.1 200 Connection established\r\n\r\n");
      if (head.length > 0) {
        seen.tunnelled.push(Buffer.from(head));
        upstream.write(head);
      }
      client.on("data", (chunk: Buffer) => seen.tunnelled.push(Buffer.from(chunk)));
      client.pipe(upstream);
      upstream.pipe(client);
    });
    sockets.add(upstream);
    upstream.on("close", () => sockets.delete(upstream));
    upstream.on("error", () => client.destroy());
    client.on("error", () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    seen,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
