import { parseArgs, type ParseArgsConfig } from "node:util";
import type { SettingsOverrides } from "../core/settings.js";
import { InputError } from "../store/errors.js";
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

/** Options that tune the rules; each overrides debci-bridge.json. */
export const ruleOptions = {
  suite: { type: "string" },
  grace: { type: "string" },
  "pending-max-age": { type: "string" },
  "retry-older-than": { type: "string" },
  baseline: { type: "string" },
} as const satisfies ParseArgsConfig["options"];

export function parseCommand<O extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: O) {
  return parseWithPositionals(argv, options, 0).values;
}

/** As parseCommand, for a command that takes exactly `count` positional arguments. */
export function parseWithPositionals<O extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: O, count: number) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: count > 0, strict: true });
  } catch (error) {
    throw new InputError((error as Error).message);
  }
  if (parsed.positionals.length !== count) throw new InputError(`expected ${count} file argument(s), got ${parsed.positionals.length}`);
  return parsed;
}

export function required(command: string, values: Record<string, unknown>, name: string): string {
  const value = values[name];
  if (typeof value !== "string" || value === "") throw new InputError(`--${name} is required (see debci-bridge ${command} --help)`);
  return value;
}

/** --now as ISO 8601; the real clock only when absent. */
export function parseNow(value: string | undefined): number {
  if (value === undefined) return Date.now();
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new InputError(`--now: not a valid ISO 8601 time: ${value}`);
  return t;
}

/** ISO 8601 with a date, a time and a zone (`Z` or an offset): a time that means the same on every machine. */
const ZONED_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

export function parseZonedTime(flag: string, value: string): number {
  const t = ZONED_TIME.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(t)) throw new InputError(`--${flag}: expected an ISO 8601 time with a zone, such as 2026-11-25T12:00:00Z, got ${JSON.stringify(value)}`);
  return t;
}

export function number(name: string, value: string, min: number): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < min) throw new InputError(`--${name}: expected a number of at least ${min}, got ${JSON.stringify(value)}`);
  return n;
}

export function settingsFromFlags(values: Record<string, string | boolean | undefined>): SettingsOverrides {
  const out: SettingsOverrides = {};
  const get = (name: string) => values[name] as string | undefined;
  if (get("suite") !== undefined) out.suite = get("suite")!;
  if (get("grace") !== undefined) out.graceMinutes = number("grace", get("grace")!, 0);
  if (get("pending-max-age") !== undefined) out.pendingMaxAgeDays = number("pending-max-age", get("pending-max-age")!, 0);
  const retry = get("retry-older-than");
  if (retry !== undefined) out.retryOlderThanDays = retry === "off" ? null : number("retry-older-than", retry, 0);
  const baseline = get("baseline");
  if (baseline !== undefined) {
    if (baseline !== "reference" && baseline !== "any") throw new InputError(`--baseline: expected "reference" or "any", got ${JSON.stringify(baseline)}`);
    out.baseline = baseline;
  }
  return out;
}

export function pathsFromFlags(values: Record<string, string | boolean | undefined>): Partial<Omit<StatePaths, "stateDir">> {
  const out: Partial<Omit<StatePaths, "stateDir">> = {};
  if (typeof values.results === "string") out.results = values.results;
  if (typeof values.pending === "string") out.pending = values.pending;
  if (typeof values.ledger === "string") out.ledger = values.ledger;
  if (typeof values.outbox === "string") out.outbox = values.outbox;
  if (typeof values["reject-list"] === "string") out.rejectList = values["reject-list"];
  if (typeof values.base === "string") out.base = values.base;
  return out;
}
