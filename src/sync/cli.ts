/**
 * The sync tools' command line: `debci-bridge fetch` and `debci-bridge
 * submit`. Loaded only for those two commands, so nothing else in
 * debci-bridge ever loads network code.
 */
import { isoTime } from "../core/iso-time.js";
import { DAY_MS, DEFAULT_SETTINGS, applySettings } from "../core/settings.js";
import { EXIT_OK, writeLine, type CliIO } from "../cli/io.js";
import { flagNumber, parseCommand, parseNow, parseZonedTime, required, stateOptions } from "../cli/options.js";
import { InputError } from "../store/errors.js";
import { loadSettingsFile } from "../store/load-settings.js";
import { statePaths } from "../store/state-paths.js";
import { loadApiKey, redactor, serviceUrl } from "./credentials.js";
import { fetchOnce } from "./fetch.js";
import { HttpAuthFailed, HttpRefused, HttpUnavailable, RedirectRefused, ResponseTooLarge, type HttpOptions } from "./http.js";
import { submitOutbox } from "./submit.js";
import { proxySettings } from "./proxy.js";
import { TlsFailure, loadTrustStore } from "./tls.js";

/** The service could not be reached or kept failing, after every retry. */
export const EXIT_UNAVAILABLE = 3;
/** The service refused (4xx): a batch's entries (see outbox/rejected/), or a request it does not serve. */
export const EXIT_REFUSED = 4;
/** 401/403: the API key is missing, wrong or reset. Nothing was sent or changed. */
export const EXIT_AUTH = 5;
/** A response over --max-bytes, or a redirect away from the service: nothing was kept. */
export const EXIT_UNSAFE = 6;
/** The service's certificate was not accepted by the trusted CAs (--ca-file, $DEBCI_CA_FILE or Node's default list); not retried. */
export const EXIT_TLS = 7;

const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;
const DEFAULT_SLICE_BYTES = 32 * 1024 * 1024;
const DEFAULT_BACKFILL_DAYS = 30;
/** How far back the pending window may reach for the oldest open request: two weeks of queueing is past any real backlog. */
const DEFAULT_PENDING_WINDOW_MAX_DAYS = 14;

const httpFlags = {
  state: stateOptions.state,
  now: stateOptions.now,
  url: { type: "string" },
  "key-file": { type: "string" },
  "ca-file": { type: "string" },
  timeout: { type: "string" },
  deadline: { type: "string" },
  retries: { type: "string" },
  backoff: { type: "string" },
} as const;

type Values = Record<string, string | boolean | undefined>;
const text = (values: Values, name: string) => values[name] as string | undefined;

async function httpOptions(values: Values, io: CliIO, command: string, url: URL): Promise<HttpOptions> {
  const say = (line: string) => writeLine(io.stderr, `debci-bridge ${command}: ${line}`);
  const key = await loadApiKey(text(values, "key-file"), process.env, (line) => say(`warning: ${line}`));
  // debci answers every API request without a key with 403: say so before trying, not only after.
  if (key === undefined) say("warning: no API key (--key-file F or $DEBCI_API_KEY): the CI service will refuse every request");
  const redact = redactor(key?.key);
  // --ca-file (or $DEBCI_CA_FILE) replaces Node's default CA list; it or a proxy means node:https rather than fetch.
  const trust = await loadTrustStore(text(values, "ca-file"), process.env);
  const proxy = proxySettings(process.env, url.protocol);
  const transport = trust.ca === undefined && proxy === null ? undefined : { ...(trust.ca === undefined ? {} : { ca: trust.ca }), ...(proxy === null ? {} : { proxy }) };
  return {
    ...(transport === undefined ? {} : { transport }),
    caSource: trust.source,
    ...(key === undefined ? {} : { apiKey: key.key, keySource: key.source }),
    timeoutMs: flagNumber("timeout", text(values, "timeout") ?? "30") * 1000,
    deadlineMs: flagNumber("deadline", text(values, "deadline") ?? "600") * 1000,
    retries: flagNumber("retries", text(values, "retries") ?? "4"),
    backoffMs: flagNumber("backoff", text(values, "backoff") ?? "1000"),
    log: (line) => say(redact(line)),
  };
}

/** Maps the service's failures onto exit codes with one clear line; the key never appears in it. */
async function reportingFailures(http: HttpOptions, work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (error) {
    const say = (line: string) => http.log(line);
    if (error instanceof HttpUnavailable) {
      say(`the CI service is unavailable: ${error.message}; nothing was changed`);
      return EXIT_UNAVAILABLE;
    }
    if (error instanceof HttpAuthFailed) {
      say(`${error.message}; nothing was sent or changed`);
      return EXIT_AUTH;
    }
    if (error instanceof HttpRefused) {
      say(`the CI service refused ${error.url === "" ? "the request" : error.url}: ${error.message}; nothing was changed (check --url)`);
      return EXIT_REFUSED;
    }
    if (error instanceof TlsFailure) {
      say(`${error.message}; the request was not sent (not retried: a retry would meet the same certificate)`);
      return EXIT_TLS;
    }
    if (error instanceof ResponseTooLarge || error instanceof RedirectRefused) {
      say(`${error.message}; nothing was changed`);
      return EXIT_UNSAFE;
    }
    throw error;
  }
}

export async function fetchCommand(argv: string[], io: CliIO): Promise<number> {
  const values = parseCommand(argv, { ...httpFlags, "pending-window": { type: "string" }, "pending-window-max": { type: "string" }, overlap: { type: "string" }, since: { type: "string" }, backfill: { type: "string" }, "max-bytes": { type: "string" }, "slice-bytes": { type: "string" } });
  const stateDir = required("fetch", values, "state");
  const url = serviceUrl(required("fetch", values, "url"));
  const settings = applySettings(DEFAULT_SETTINGS, await loadSettingsFile(statePaths(stateDir).settings));
  const windowDays = values["pending-window"] === undefined ? settings.pendingMaxAgeMs / DAY_MS + 1 : flagNumber("pending-window", values["pending-window"]);
  // What watermark prints (ISO 8601), or UNIX seconds as the API itself takes them.
  const since = values.since === undefined ? null : /^\d{1,11}$/.test(values.since) ? Number(values.since) * 1000 : parseZonedTime("since", values.since);
  const backfillDays = flagNumber("backfill", text(values, "backfill") ?? String(DEFAULT_BACKFILL_DAYS));
  const maxBytes = flagNumber("max-bytes", text(values, "max-bytes") ?? String(DEFAULT_MAX_BYTES));
  const maxSliceBytes = flagNumber("slice-bytes", text(values, "slice-bytes") ?? String(DEFAULT_SLICE_BYTES));
  const http = await httpOptions(values, io, "fetch", url);
  return reportingFailures(http, async () => {
    const result = await fetchOnce({
      stateDir,
      url,
      now: parseNow(values.now),
      suite: settings.suite,
      pendingWindowMs: Math.max(windowDays * DAY_MS, settings.pendingMaxAgeMs),
      maxPendingWindowMs: flagNumber("pending-window-max", text(values, "pending-window-max") ?? String(DEFAULT_PENDING_WINDOW_MAX_DAYS)) * DAY_MS,
      overlapMinutes: values.overlap === undefined ? 60 : flagNumber("overlap", values.overlap),
      since,
      backfillMs: backfillDays * DAY_MS,
      maxBytes,
      maxSliceBytes,
      http,
    });
    const iso = (seconds: number) => isoTime(seconds * 1000);
    writeLine(io.stdout, JSON.stringify({ ...result, since: iso(result.since), until: iso(result.until), pendingSince: iso(result.pendingSince) }));
    return EXIT_OK;
  });
}

export async function submitCommand(argv: string[], io: CliIO): Promise<number> {
  const values = parseCommand(argv, { ...httpFlags, priority: { type: "string" }, "huge-priority": { type: "string" }, endpoint: { type: "string" }, "max-bytes": { type: "string" } });
  const stateDir = required("submit", values, "state");
  const url = serviceUrl(required("submit", values, "url"));
  const file = await loadSettingsFile(statePaths(stateDir).settings);
  // debci takes priorities 1 to 10 (lib/debci/api.rb, validate_priority); anything else would be refused for every batch.
  const normal = flagNumber("priority", text(values, "priority") ?? "5");
  const huge = flagNumber("huge-priority", text(values, "huge-priority") ?? "1");
  const endpoint = text(values, "endpoint") ?? "suite";
  if (endpoint !== "suite" && endpoint !== "batch") throw new InputError(`--endpoint takes suite (POST /api/v1/test/SUITE/ARCH, the default) or batch (POST /api/v1/test/batch), not ${JSON.stringify(endpoint)}`);
  const maxBytes = flagNumber("max-bytes", text(values, "max-bytes") ?? String(DEFAULT_MAX_BYTES));
  const http = await httpOptions(values, io, "submit", url);
  return reportingFailures(http, async () => {
    const result = await submitOutbox({ stateDir, url, endpoint, now: parseNow(values.now), priority: normal, hugePriority: huge, suites: file.serviceSuites ?? null, arches: file.serviceArches ?? null, maxBytes, http });
    writeLine(io.stdout, JSON.stringify(result));
    http.log(`${result.sent.length} sent, ${result.rejected.length} with refused entries (${result.refusedEntries} refused), ${result.alreadyCreated} found already created, ${result.kept.length} kept`);
    if (result.kept.length > 0) return EXIT_UNAVAILABLE;
    return result.rejected.length > 0 ? EXIT_REFUSED : EXIT_OK;
  });
}
