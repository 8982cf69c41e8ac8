/**
 * The sync tools' command line: `debci-bridge fetch` and `debci-bridge
 * submit`. Loaded only for those two commands, so nothing else in
 * debci-bridge ever loads network code.
 */
import { readFile } from "node:fs/promises";
import { DAY_MS, DEFAULT_SETTINGS, applySettings } from "../core/settings.js";
import { EXIT_OK, writeLine, type CliIO } from "../cli/io.js";
import { number, parseCommand, parseNow, required, stateOptions } from "../cli/options.js";
import { InputError } from "../store/errors.js";
import { loadSettingsFile } from "../store/load-settings.js";
import { statePaths } from "../store/state-paths.js";
import { fetchOnce } from "./fetch.js";
import { HttpRefused, HttpUnavailable, type HttpOptions } from "./http.js";
import { submitOutbox } from "./submit.js";

/** The service could not be reached or kept failing, after every retry. */
export const EXIT_UNAVAILABLE = 3;
/** The service refused (4xx): the request itself, or the API key, needs fixing. */
export const EXIT_REFUSED = 4;

const httpFlags = {
  state: stateOptions.state,
  now: stateOptions.now,
  url: { type: "string" },
  "key-file": { type: "string" },
  timeout: { type: "string" },
  retries: { type: "string" },
  backoff: { type: "string" },
} as const;

type Values = Record<string, string | boolean | undefined>;

/** The API key: --key-file, else $DEBCI_API_KEY, else none. */
async function apiKey(values: Values): Promise<string | undefined> {
  const file = values["key-file"];
  if (typeof file === "string") {
    try {
      return (await readFile(file, "utf8")).trim();
    } catch (error) {
      throw new InputError(`--key-file ${file}: ${(error as Error).message}`);
    }
  }
  return process.env.DEBCI_API_KEY || undefined;
}

async function httpOptions(values: Values, io: CliIO, command: string): Promise<HttpOptions> {
  const key = await apiKey(values);
  return {
    ...(key === undefined ? {} : { apiKey: key }),
    timeoutMs: number("timeout", (values.timeout as string | undefined) ?? "30", 0.001) * 1000,
    retries: number("retries", (values.retries as string | undefined) ?? "4", 0),
    backoffMs: number("backoff", (values.backoff as string | undefined) ?? "1000", 0),
    log: (line) => writeLine(io.stderr, `debci-bridge ${command}: ${line}`),
  };
}

/** Maps the service's failures onto exit codes with one clear line. */
async function reportingFailures(command: string, io: CliIO, work: () => Promise<number>): Promise<number> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof HttpUnavailable) {
      writeLine(io.stderr, `debci-bridge ${command}: the CI service is unavailable: ${error.message}; nothing was changed`);
      return EXIT_UNAVAILABLE;
    }
    if (error instanceof HttpRefused) {
      writeLine(io.stderr, `debci-bridge ${command}: the CI service refused: ${error.message}; nothing was changed`);
      return EXIT_REFUSED;
    }
    throw error;
  }
}

export async function fetchCommand(argv: string[], io: CliIO): Promise<number> {
  const values = parseCommand(argv, { ...httpFlags, "pending-window": { type: "string" }, overlap: { type: "string" } });
  const stateDir = required("fetch", values, "state");
  const url = required("fetch", values, "url");
  const settings = applySettings(DEFAULT_SETTINGS, await loadSettingsFile(statePaths(stateDir).settings));
  const windowDays = values["pending-window"] === undefined ? settings.pendingMaxAgeMs / DAY_MS + 1 : number("pending-window", values["pending-window"], 0);
  const http = await httpOptions(values, io, "fetch");
  return reportingFailures("fetch", io, async () => {
    const result = await fetchOnce({
      stateDir,
      url,
      now: parseNow(values.now),
      suite: settings.suite,
      pendingWindowMs: Math.max(windowDays * DAY_MS, settings.pendingMaxAgeMs),
      overlapMinutes: values.overlap === undefined ? 60 : number("overlap", values.overlap, 0),
      http,
    });
    writeLine(io.stdout, JSON.stringify(result));
    return EXIT_OK;
  });
}

export async function submitCommand(argv: string[], io: CliIO): Promise<number> {
  const values = parseCommand(argv, { ...httpFlags, priority: { type: "string" }, "huge-priority": { type: "string" } });
  const stateDir = required("submit", values, "state");
  const url = required("submit", values, "url");
  const http = await httpOptions(values, io, "submit");
  return reportingFailures("submit", io, async () => {
    const result = await submitOutbox({ stateDir, url, now: parseNow(values.now), priority: (values.priority as string | undefined) ?? "5", hugePriority: (values["huge-priority"] as string | undefined) ?? "1", http });
    writeLine(io.stdout, JSON.stringify(result));
    writeLine(io.stderr, `debci-bridge submit: ${result.sent.length} sent, ${result.rejected.length} rejected, ${result.kept.length} kept`);
    if (result.kept.length > 0) return EXIT_UNAVAILABLE;
    return result.rejected.length > 0 ? EXIT_REFUSED : EXIT_OK;
  });
}
