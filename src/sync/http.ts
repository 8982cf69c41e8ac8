/**
 * HTTP for the sync tools only (the module never imports this folder):
 * Node's own fetch, a timeout per attempt, and retries with backoff on what
 * a later attempt can cure (5xx, timeouts, refused or reset connections, a
 * body cut off). A 4xx is the service saying no: not retried.
 */
export interface HttpOptions {
  apiKey?: string;
  timeoutMs: number;
  retries: number;
  backoffMs: number;
  log: (line: string) => void;
}

/** The service answered, but not with success. */
export class HttpRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`HTTP ${status}: ${body.slice(0, 500)}`);
  }
}

/** No usable answer after every attempt. */
export class HttpUnavailable extends Error {}

export interface HttpResponse {
  status: number;
  body: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One request, retried. `accept` checks a 2xx body (a truncated JSON body
 * fails it) and a rejected body counts as a failed attempt.
 */
export async function request(url: string, init: RequestInit, options: HttpOptions, accept: (body: string) => string | null = () => null): Promise<HttpResponse> {
  let lastProblem = "";
  for (let attempt = 1; attempt <= options.retries + 1; attempt++) {
    if (attempt > 1) {
      const wait = options.backoffMs * 2 ** (attempt - 2);
      options.log(`retrying in ${wait} ms (attempt ${attempt} of ${options.retries + 1}): ${lastProblem}`);
      await sleep(wait);
    }
    try {
      const headers = new Headers(init.headers);
      if (options.apiKey !== undefined) headers.set("Auth-Key", options.apiKey);
      const response = await fetch(url, { ...init, headers, signal: AbortSignal.timeout(options.timeoutMs) });
      const body = await response.text();
      if (response.status >= 500) {
        lastProblem = `HTTP ${response.status} from ${url}`;
        continue;
      }
      if (response.status >= 400) throw new HttpRefused(response.status, body);
      const problem = accept(body);
      if (problem !== null) {
        lastProblem = `${url}: ${problem}`;
        continue;
      }
      return { status: response.status, body };
    } catch (error) {
      if (error instanceof HttpRefused) throw error;
      const e = error as Error & { cause?: { code?: string } };
      lastProblem = `${url}: ${e.name === "TimeoutError" ? `no answer within ${options.timeoutMs} ms` : (e.cause?.code ?? e.message)}`;
    }
  }
  throw new HttpUnavailable(`gave up after ${options.retries + 1} attempt(s): ${lastProblem}`);
}
