import { request as httpRequest } from "node:http";
import { connect as netConnect, isIP, type Socket } from "node:net";
import { Readable } from "node:stream";
import { connect as tlsConnect } from "node:tls";
import { hostOf, portOf, proxyFor, type ProxySettings } from "./proxy.js";

/**
 * One HTTP exchange over node:http, for what Node's fetch cannot do without
 * undici: a CA list of its own and a proxy. The connection is made first
 * (direct, or an HTTP CONNECT tunnel through the proxy for http and https
 * alike, so the proxy never sees a request header, the API key included),
 * TLS on top of it for https with the given CAs (or Node's default list),
 * and the answer is handed back as a standard Response whose body streams.
 * No redirects are followed here; no compression is asked for.
 */
export interface Transport {
  ca?: string[];
  proxy?: ProxySettings;
}

function abortError(signal: AbortSignal): Error {
  const reason = signal.reason as unknown;
  if (reason instanceof Error && reason.name === "AbortError") return reason;
  return new DOMException("This operation was aborted", "AbortError");
}

/** Resolves when `ready` fires on the socket, rejects on its error or the signal (destroying it). */
function whenReady<S extends Socket>(socket: S, ready: string, signal: AbortSignal): Promise<S> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      socket.destroy();
      reject(abortError(signal));
    };
    const done = () => {
      signal.removeEventListener("abort", onAbort);
      socket.off("error", onError);
    };
    const onError = (error: Error) => {
      done();
      socket.destroy();
      reject(error);
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    socket.once("error", onError);
    socket.once(ready, () => {
      done();
      resolve(socket);
    });
  });
}

/** A proxy that would not open the tunnel; counted as a network failure (retried), naming the proxy, never the service's key. */
export class ProxyTunnelFailed extends Error {
  readonly code = "EPROXYTUNNEL";
}

/** A CONNECT tunnel through `proxy` to host:port: the proxy sees only this line and its own credentials, if its URL has them. */
function tunnel(proxy: URL, source: string, host: string, port: number, signal: AbortSignal): Promise<Socket> {
  const authority = `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
  const headers: Record<string, string> = { host: authority };
  if (proxy.username !== "" || proxy.password !== "") {
    headers["proxy-authorization"] = `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString("base64")}`;
  }
  const shown = `${proxy.protocol}//${proxy.host}`;
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostOf(proxy), port: portOf(proxy), method: "CONNECT", path: authority, headers, agent: false, signal });
    req.once("connect", (res, socket, head) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(new ProxyTunnelFailed(`the proxy ${shown} (${source}) answered CONNECT ${authority} with HTTP ${res.statusCode}`));
        return;
      }
      if (head.length > 0) socket.unshift(head);
      resolve(socket);
    });
    req.once("response", (res) => {
      res.resume();
      reject(new ProxyTunnelFailed(`the proxy ${shown} (${source}) answered CONNECT ${authority} with HTTP ${res.statusCode}`));
    });
    req.once("error", (error: Error & { code?: string }) => {
      if (error.name === "AbortError") return reject(error);
      const wrapped = new ProxyTunnelFailed(`the proxy ${shown} (${source}): ${error.code ?? error.message}`);
      reject(wrapped);
    });
    req.end();
  });
}

async function connection(url: URL, transport: Transport, signal: AbortSignal): Promise<Socket> {
  const host = hostOf(url);
  const port = portOf(url);
  const via = proxyFor(url, transport.proxy);
  let socket: Socket;
  if (via !== null) {
    socket = await tunnel(via.proxy, via.source, host, port, signal);
  } else {
    socket = await whenReady(netConnect({ host, port }), "connect", signal);
  }
  if (url.protocol !== "https:") return socket;
  const secure = tlsConnect({
    socket,
    host,
    ...(isIP(host) === 0 ? { servername: host } : {}),
    ...(transport.ca === undefined ? {} : { ca: transport.ca }),
    ALPNProtocols: ["http/1.1"],
  });
  return whenReady(secure, "secureConnect", signal);
}

/** Statuses whose Response must have no body. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

export async function transportFetch(url: URL, init: RequestInit, transport: Transport, signal: AbortSignal): Promise<Response> {
  // A Request serialises the body as fetch would (URLSearchParams, FormData, text...), with its content type.
  const prepared = new Request(url, { method: init.method ?? "GET", headers: init.headers, body: init.body ?? null });
  const body = init.body === undefined || init.body === null ? null : Buffer.from(await prepared.arrayBuffer());
  const headers: Record<string, string> = { accept: "*/*" };
  prepared.headers.forEach((value, name) => (headers[name] = value));
  headers.host = url.host;
  if (body !== null) headers["content-length"] = String(body.length);
  const socket = await connection(url, transport, signal);
  return new Promise((resolve, reject) => {
    const req = httpRequest({
      method: prepared.method,
      path: `${url.pathname}${url.search}`,
      headers,
      signal,
      createConnection: () => socket,
    });
    req.once("error", (error) => {
      socket.destroy();
      reject(error);
    });
    req.once("response", (res) => {
      const answer = new Headers();
      for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) answer.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 599) {
        res.destroy();
        reject(Object.assign(new Error(`HTTP status ${status} from ${url.host}`), { code: "EBADSTATUS" }));
        return;
      }
      const stream = NULL_BODY.has(status) || prepared.method === "HEAD" ? null : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>);
      if (stream === null) res.resume();
      resolve(new Response(stream, { status, statusText: res.statusMessage ?? "", headers: answer }));
    });
    req.end(body ?? undefined);
  });
}
