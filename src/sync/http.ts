/**
 * HTTP for the sync tools only (the module never imports this folder):
 * Node's own fetch, retried with backoff on what a later attempt can cure
 * (5xx, timeouts, refused or reset connections, a body cut off). A 4xx is
 * the service saying no and is not retried. Redirects are followed by hand,
 * only within the same origin, so the API key never travels elsewhere.
 * With a CA file or a proxy, node:http/node:https carry the requests
 * instead (proxy-transport.ts); a certificate the trusted CAs do not
 * accept throws TlsFailure at once, never retried.
 */
import { transportFetch, type Transport } from "./proxy-transport.js";
import { DEFAULT_CA_SOURCE, TlsFailure, certificateError } from "./tls.js";

export interface HttpOptions {
  apiKey?: string;
  /** Where the key came from (`--key-file F` or `$DEBCI_API_KEY`): named in messages, the key never is. */
  keySource?: string;
  /** No bytes for this long ends an attempt. */
  timeoutMs: number;
  /** One attempt, body included, never takes longer than this. */
  deadlineMs: number;
  retries: number;
  backoffMs: number;
  log: (line: string) => void;
  /**
   * A CA list of its own (`--ca-file`) or a proxy from the environment:
   * requests then go through node:http/node:https (proxy-transport.ts)
   * rather than Node's fetch, which takes neither. Absent: Node's fetch.
   */
  transport?: Transport;
  /** Where the trusted CAs come from, named when a certificate is not accepted. */
  caSource?: string;
}

/** The service answered 4xx (other than 401/403): the request itself was refused. */
export class HttpRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    /** What was asked, as it may be shown (no credentials): named when the refusal is reported. */
    readonly url = "",
  ) {
    super(`HTTP ${status}: ${oneLine(body) || "(no message)"}`);
  }
}

/** 401 or 403: the API key is wrong, reset or missing; nothing about the content. */
export class HttpAuthFailed extends Error {
  constructor(
    readonly status: number,
    keySource: string | undefined,
  ) {
    super(`HTTP ${status}: the CI service did not accept the API key ${keySource === undefined ? "(none was given: --key-file F or $DEBCI_API_KEY)" : `from ${keySource}`}`);
  }
}

/** A redirect this tool will not follow (another origin, too many, a POST turned GET). Not retried. */
export class RedirectRefused extends Error {}

/** A response larger than the caller allows. Not retried: the next attempt would be as large. */
export class ResponseTooLarge extends Error {}

/** No usable answer after every attempt. */
export class HttpUnavailable extends Error {}

/** A body that cannot be what it should be (cut off, not JSON): the attempt failed, a retry may cure it. */
export class BadBody extends Error {}

const MAX_REDIRECTS = 3;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 500 ? `${flat.slice(0, 500)}…` : flat;
}

/** A URL as it may be shown: never with credentials. */
export function shownUrl(url: URL | string): string {
  const u = new URL(url);
  u.username = "";
  u.password = "";
  return u.toString();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends one request, following redirects within the URL's origin only
 * (scheme, host and port), at most MAX_REDIRECTS. A POST is followed only
 * through 307/308, which keep method and body; anything else refuses.
 */
async function send(url: URL, init: RequestInit, options: HttpOptions, signal: AbortSignal): Promise<Response> {
  let target = url;
  for (let hop = 0; ; hop++) {
    const headers = new Headers(init.headers);
    if (options.apiKey !== undefined) headers.set("Auth-Key", options.apiKey);
    const response = options.transport === undefined ? await fetch(target, { ...init, headers, signal, redirect: "manual" }) : await transportFetch(target, { ...init, headers }, options.transport, signal);
    if (!REDIRECTS.has(response.status)) return response;
    await response.body?.cancel().catch(() => undefined);
    const location = response.headers.get("location");
    if (location === null) throw new RedirectRefused(`HTTP ${response.status} from ${shownUrl(target)} without a Location`);
    const next = new URL(location, target);
    if (next.origin !== url.origin) throw new RedirectRefused(`${shownUrl(target)} redirected to ${shownUrl(next)}, another origin: not followed, so the API key is not sent there (point --url at it if it is right)`);
    if (init.method === "POST" && response.status !== 307 && response.status !== 308) throw new RedirectRefused(`${shownUrl(target)} answered the POST with HTTP ${response.status}, which would drop its body: not followed`);
    if (hop + 1 >= MAX_REDIRECTS) throw new RedirectRefused(`more than ${MAX_REDIRECTS} redirects from ${shownUrl(url)}`);
    target = next;
  }
}

/** A response whose body is read in bounded pieces; every chunk keeps the attempt's idle timer alive. */
export interface Received {
  status: number;
  headers: Headers;
  /** The body as chunks, refusing more than `maxBytes` (a Content-Length over it is refused before reading). */
  chunks(maxBytes: number, what: string): AsyncGenerator<Uint8Array>;
  /** A short body as text (a refusal's message), cut at `maxBytes`. */
  text(maxBytes?: number): Promise<string>;
}

function received(response: Response, alive: () => void): Received {
  async function* chunks(maxBytes: number, what: string): AsyncGenerator<Uint8Array> {
    const declared = Number(response.headers.get("content-length") ?? Number.NaN);
    if (declared > maxBytes) throw new ResponseTooLarge(`${what}: the response is ${declared} bytes, over the limit of ${maxBytes} (--max-bytes)`);
    if (response.body === null) return;
    let total = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      alive();
      total += chunk.byteLength;
      if (total > maxBytes) throw new ResponseTooLarge(`${what}: the response passed the limit of ${maxBytes} bytes (--max-bytes); nothing of it was kept`);
      yield chunk;
    }
  }
  async function text(maxBytes = 64 * 1024): Promise<string> {
    const parts: Uint8Array[] = [];
    let total = 0;
    if (response.body === null) return "";
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      alive();
      parts.push(chunk);
      total += chunk.byteLength;
      if (total >= maxBytes) break; // leaving the loop cancels the rest of the body
    }
    return Buffer.concat(parts).subarray(0, maxBytes).toString("utf8");
  }
  return { status: response.status, headers: response.headers, chunks, text };
}

export interface Attempt<T> {
  /** Consumes a 2xx response. Throwing BadBody fails this attempt (retried); other errors end the request. */
  consume: (response: Received) => Promise<T>;
}

/**
 * One request, retried. Each attempt has an idle timeout (`timeoutMs`
 * without a byte) and a deadline; a body the consumer finds bad counts as
 * a failed attempt. 401/403 throw HttpAuthFailed, other 4xx HttpRefused.
 */
export async function request<T>(url: URL, init: RequestInit, options: HttpOptions, attempt: Attempt<T>): Promise<T> {
  let lastProblem = "";
  for (let n = 1; n <= options.retries + 1; n++) {
    if (n > 1) {
      const wait = options.backoffMs * 2 ** (n - 2);
      options.log(`retrying in ${wait} ms (attempt ${n} of ${options.retries + 1}): ${lastProblem}`);
      await sleep(wait);
    }
    const controller = new AbortController();
    let timedOut = "";
    const expire = (why: string) => () => {
      timedOut = why;
      controller.abort();
    };
    let idle = setTimeout(expire(`no answer within ${options.timeoutMs} ms`), options.timeoutMs);
    const deadline = setTimeout(expire(`not done within the deadline of ${options.deadlineMs} ms`), options.deadlineMs);
    const alive = () => {
      clearTimeout(idle);
      idle = setTimeout(expire(`no data for ${options.timeoutMs} ms`), options.timeoutMs);
    };
    try {
      const response = await send(url, init, options, controller.signal);
      if (response.status === 401 || response.status === 403) {
        await response.body?.cancel().catch(() => undefined);
        throw new HttpAuthFailed(response.status, options.keySource);
      }
      if (response.status >= 500) {
        await response.body?.cancel().catch(() => undefined);
        lastProblem = `HTTP ${response.status} from ${shownUrl(url)}`;
        continue;
      }
      const answer = received(response, alive);
      if (response.status >= 400) throw new HttpRefused(response.status, await answer.text(), shownUrl(url));
      return await attempt.consume(answer);
    } catch (error) {
      if (error instanceof BadBody) {
        lastProblem = `${shownUrl(url)}: ${error.message}`;
        continue;
      }
      if (error instanceof HttpRefused || error instanceof HttpAuthFailed || error instanceof RedirectRefused || error instanceof ResponseTooLarge) throw error;
      // A certificate not accepted is not retried: the next attempt would meet the same certificate.
      const certificate = certificateError(error);
      if (certificate !== null) throw new TlsFailure(url.host, certificate.code, oneLine(certificate.message), options.caSource ?? DEFAULT_CA_SOURCE);
      const e = error as Error & { cause?: { code?: string } };
      if (timedOut === "" && !isNetworkError(e)) throw error;
      lastProblem = `${shownUrl(url)}: ${timedOut !== "" ? timedOut : (e.cause?.code ?? e.message)}`;
    } finally {
      clearTimeout(idle);
      clearTimeout(deadline);
    }
  }
  throw new HttpUnavailable(`gave up after ${options.retries + 1} attempt(s): ${lastProblem}`);
}

/**
 * Errors of the connection itself (refused, reset, cut off, aborted), which a
 * later attempt may not meet. Node's fetch says so with a TypeError ("fetch
 * failed", "terminated") whose cause names the socket's trouble; any other
 * error is a bug or a refusal, and is not retried.
 */
function isNetworkError(e: Error & { cause?: { code?: string } }): boolean {
  if (e.name === "AbortError") return true;
  if (typeof e.cause?.code === "string" || typeof (e as NodeJS.ErrnoException).code === "string") return true;
  return e.name === "TypeError" && (e.message === "fetch failed" || e.message === "terminated");
}
