import { parseArgs, type ParseArgsConfig } from "node:util";
import type { SettingsOverrides } from "../core/settings.js";
import { parseCiUrl } from "../formats/ci-url.js";
import { InputError } from "../store/errors.js";
import { editDistance, editLimit } from "./closest.js";
import type { StatePaths } from "../store/state-paths.js";

/** Options every command that opens a state directory takes. */
export const stateOptions = {
  state: { type: "string" },
  results: { type: "string" },
  pending: { type: "string" },
  ledger: { type: "string" },
  outbox: { type: "string" },
  "reject-list": { type: "string" },
  base: { type: "string" },
  now: { type: "string" },
  strict: { type: "boolean" },
} as const satisfies ParseArgsConfig["options"];

/** Options of the commands that commit (take the state's lock). */
export const commitOptions = {
  wait: { type: "string" },
} as const satisfies ParseArgsConfig["options"];

/** Options that tune the rules; each overrides debci-bridge.json. */
export const ruleOptions = {
  suite: { type: "string" },
  grace: { type: "string" },
  "pending-max-age": { type: "string" },
  "overtaken-by": { type: "string" },
  "longest-run": { type: "string" },
  "retry-older-than": { type: "string" },
  baseline: { type: "string" },
  "reference-max-age": { type: "string" },
  hints: { type: "string", multiple: true },
  "ci-url": { type: "string" },
  "britney-conf": { type: "string" },
} as const satisfies ParseArgsConfig["options"];

/** Options of the runs that plan requests (plan, serve, import-amqp). */
export const planOptions = {
  "allow-incomplete": { type: "boolean" },
} as const satisfies ParseArgsConfig["options"];

/** The parsed values of a set of options, named here so the built .d.ts can say it (Node's own type is not exported). */
export type FlagValues<O> = { [K in keyof O]?: O[K] extends { type: "boolean" } ? boolean : O[K] extends { multiple: true } ? string[] : string };

export function parseCommand<O extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: O): FlagValues<O> {
  return parseWithPositionals(argv, options, 0).values;
}

/** As parseCommand, for a command that takes exactly `count` positional arguments (at most, when `optional`). */
export function parseWithPositionals<O extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: O, count: number, optional = false): { values: FlagValues<O>; positionals: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args: withNegativeValues(argv, options), options, allowPositionals: count > 0, strict: true });
  } catch (error) {
    const message = (error as Error).message;
    // An unknown flag names the nearest flag of this command: one it begins (--need: --needs), a typo of one
    // (--tested_version, --pedning), or one it extends (--strictly: --strict). Names are matched without their dashes.
    const typed = (error as { code?: unknown }).code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" ? /^Unknown option '--([^'=]+)'/.exec(message)?.[1] : undefined;
    if (typed !== undefined) {
      const names = Object.keys(options);
      const begun = typed.length >= 2 ? names.filter((n) => n.startsWith(typed)).sort((a, b) => a.length - b.length)[0] : undefined;
      const limit = editLimit(typed);
      const near = names
        .map((n) => ({ n, d: editDistance(typed.toLowerCase(), n) }))
        .filter((c) => c.d <= limit)
        .sort((a, b) => a.d - b.d)[0]?.n;
      const extended = names.filter((n) => n.length >= 3 && typed.startsWith(n)).sort((a, b) => b.length - a.length)[0];
      const suggestion = begun ?? near ?? extended;
      if (suggestion !== undefined) throw new InputError(`Unknown option '--${typed}': did you mean --${suggestion}?`);
    }
    throw new InputError(message);
  }
  const n = parsed.positionals.length;
  if (optional ? n > count : n !== count) throw new InputError(`expected ${optional ? "at most " : ""}${count} file argument(s), got ${n}`);
  return { values: parsed.values as FlagValues<O>, positionals: parsed.positionals };
}

/**
 * `--grace -5` as `--grace=-5`: a flag that takes a value, followed by a
 * negative number, takes it, so the flag's own check words the problem
 * (its range) rather than Node's "argument is ambiguous". Nothing else
 * changes: `--flag -x` (not a number) stays Node's to refuse.
 */
function withNegativeValues(argv: string[], options: NonNullable<ParseArgsConfig["options"]>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    const name = arg.startsWith("--") ? arg.slice(2) : null;
    if (name !== null && Object.hasOwn(options, name) && options[name]!.type === "string" && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
    if (arg === "--") {
      out.push(...argv.slice(i + 1));
      break;
    }
  }
  return out;
}

export function required(command: string, values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== "string" || value === "") throw new InputError(`--${name} is required (see debci-bridge ${command} --help)`);
  return value;
}

/** --now as ISO 8601 with a zone, so it means the same on every machine; the real clock only when absent. */
export function parseNow(value: string | undefined): number {
  return value === undefined ? Date.now() : parseZonedTime("now", value);
}

/** ISO 8601 with a date, a time and a zone (`Z` or an offset): a time that means the same on every machine. */
const ZONED_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export function parseZonedTime(flag: string, value: string): number {
  const t = ZONED_TIME.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(t)) throw new InputError(`--${flag}: expected an ISO 8601 time with a zone, such as 2026-11-25T12:00:00Z, got ${JSON.stringify(value)}`);
  return t;
}

/** Every numeric flag's range: a value outside it is refused, the range in the message (no busy loop from --backoff 1e12). */
export const NUMERIC_FLAGS = {
  grace: { min: 0, max: 10_080, unit: "minutes" },
  "pending-max-age": { min: 0, max: 365, unit: "days" },
  "overtaken-by": { min: 1, max: 1000, unit: "runs", integer: true },
  "longest-run": { min: 0.1, max: 720, unit: "hours" },
  "retry-older-than": { min: 0, max: 3650, unit: "days" },
  "reference-max-age": { min: 0, max: 3650, unit: "days" },
  "older-than": { min: 0, max: 36_500, unit: "days" },
  overlap: { min: 0, max: 10_080, unit: "minutes" },
  timeout: { min: 0.001, max: 3600, unit: "seconds" },
  deadline: { min: 0.001, max: 86_400, unit: "seconds" },
  retries: { min: 0, max: 20, unit: "", integer: true },
  backoff: { min: 0, max: 600_000, unit: "ms" },
  "pending-window": { min: 0, max: 365, unit: "days" },
  "pending-window-max": { min: 0, max: 365, unit: "days" },
  backfill: { min: 0, max: 3650, unit: "days" },
  "max-bytes": { min: 1024, max: 2 ** 40, unit: "bytes", integer: true },
  "slice-bytes": { min: 1024, max: 2 ** 30, unit: "bytes", integer: true },
  wait: { min: 0, max: 86_400, unit: "seconds" },
  priority: { min: 1, max: 10, unit: "", integer: true },
  "huge-priority": { min: 1, max: 10, unit: "", integer: true },
} as const satisfies Record<string, { min: number; max: number; unit: string; integer?: boolean }>;

export function flagNumber(name: keyof typeof NUMERIC_FLAGS, value: string): number {
  const range: { min: number; max: number; unit: string; integer?: boolean } = NUMERIC_FLAGS[name];
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < range.min || n > range.max || (range.integer === true && !Number.isInteger(n))) {
    const what = range.integer === true ? "a whole number" : "a number";
    throw new InputError(`--${name}: expected ${what} from ${range.min} to ${range.max}${range.unit === "" ? "" : ` (${range.unit})`}, got ${JSON.stringify(value)}`);
  }
  return n;
}

export function settingsFromFlags(values: Record<string, string | boolean | string[] | undefined>): SettingsOverrides {
  const out: SettingsOverrides = {};
  const get = (name: string) => values[name] as string | undefined;
  if (get("suite") !== undefined) out.suite = get("suite")!;
  if (get("grace") !== undefined) out.graceMinutes = flagNumber("grace", get("grace")!);
  if (get("pending-max-age") !== undefined) out.pendingMaxAgeDays = flagNumber("pending-max-age", get("pending-max-age")!);
  const overtakenBy = get("overtaken-by");
  if (overtakenBy !== undefined) out.overtakenBy = overtakenBy === "off" ? null : flagNumber("overtaken-by", overtakenBy);
  if (get("longest-run") !== undefined) out.longestRunHours = flagNumber("longest-run", get("longest-run")!);
  const retry = get("retry-older-than");
  if (retry !== undefined) out.retryOlderThanDays = retry === "off" ? null : flagNumber("retry-older-than", retry);
  if (get("wait") !== undefined) out.wait = flagNumber("wait", get("wait")!);
  const maxAge = get("reference-max-age");
  if (maxAge !== undefined) out.referenceMaxAgeDays = maxAge === "off" ? null : flagNumber("reference-max-age", maxAge);
  if (values["allow-incomplete"] === true) out.allowIncomplete = true;
  const ciUrl = get("ci-url");
  if (ciUrl !== undefined) out.ciUrl = checkedCiUrl(ciUrl);
  const baseline = get("baseline");
  if (baseline !== undefined) {
    if (baseline !== "reference" && baseline !== "any") throw new InputError(`--baseline: expected "reference" or "any", got ${JSON.stringify(baseline)}`);
    out.baseline = baseline;
  }
  return out;
}

/** --ci-url: an http(s) address without credentials, since it goes into links people open. */
function checkedCiUrl(value: string): string {
  const parsed = parseCiUrl(value);
  if ("problem" in parsed) throw new InputError(`--ci-url: ${parsed.problem}`);
  return parsed.href;
}

export function pathsFromFlags(values: Record<string, string | boolean | string[] | undefined>): Partial<Omit<StatePaths, "stateDir">> {
  const out: Partial<Omit<StatePaths, "stateDir">> = {};
  if (typeof values.results === "string") out.results = values.results;
  if (typeof values.pending === "string") out.pending = values.pending;
  if (typeof values.ledger === "string") out.ledger = values.ledger;
  if (typeof values.outbox === "string") out.outbox = values.outbox;
  if (typeof values["reject-list"] === "string") out.rejectList = values["reject-list"];
  if (typeof values.base === "string") out.base = values.base;
  return out;
}
