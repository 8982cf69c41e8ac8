import type { Settings } from "./types.js";

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

export const DEFAULT_SETTINGS: Settings = {
  suite: "testing",
  graceMs: 30 * MINUTE_MS,
  pendingMaxAgeMs: 3 * DAY_MS,
  // See docs/britney2.md, "Overtaken means lost": why three later runs and six hours.
  overtakenBy: 3,
  longestRunMs: 6 * 60 * MINUTE_MS,
  // Debian's britney.conf: ADT_RETRY_OLDER_THAN = 1, ADT_BASELINE = reference, ADT_REFERENCE_MAX_AGE = 7.
  retryOlderThanMs: DAY_MS,
  baseline: "reference",
  refusedRetryMs: 7 * DAY_MS,
  referenceMaxAgeMs: 7 * DAY_MS,
  maxFileBytes: 256 * 1024 * 1024,
  waitMs: 0,
  // fetch runs every few minutes and britney2 hourly: six hours without new data is an outage, not a slow hour.
  staleAfterMs: 6 * 60 * MINUTE_MS,
  allowIncomplete: false,
  ciUrl: null,
  serviceSuites: null,
  serviceArches: null,
  sources: {},
};

/** Settings given in days and minutes, as people and config files say them. */
export interface SettingsOverrides {
  suite?: string;
  graceMinutes?: number;
  pendingMaxAgeDays?: number;
  overtakenBy?: number | null;
  longestRunHours?: number;
  retryOlderThanDays?: number | null;
  baseline?: Settings["baseline"];
  refusedRetryDays?: number;
  referenceMaxAgeDays?: number | null;
  maxFileBytes?: number;
  /** Seconds a committing run waits for the lock before giving up. */
  wait?: number;
  staleAfterHours?: number;
  allowIncomplete?: boolean;
  ciUrl?: string | null;
  /** For submit only: the suites and arches the CI service runs, checked before sending. */
  serviceSuites?: string[] | null;
  serviceArches?: string[] | null;
}

export function applySettings(base: Settings, overrides: SettingsOverrides): Settings {
  const next = { ...base };
  if (overrides.suite !== undefined) next.suite = overrides.suite;
  if (overrides.graceMinutes !== undefined) next.graceMs = overrides.graceMinutes * MINUTE_MS;
  if (overrides.pendingMaxAgeDays !== undefined) next.pendingMaxAgeMs = overrides.pendingMaxAgeDays * DAY_MS;
  if (overrides.overtakenBy !== undefined) next.overtakenBy = overrides.overtakenBy;
  if (overrides.longestRunHours !== undefined) next.longestRunMs = overrides.longestRunHours * 60 * MINUTE_MS;
  if (overrides.retryOlderThanDays !== undefined) {
    next.retryOlderThanMs = overrides.retryOlderThanDays === null ? null : overrides.retryOlderThanDays * DAY_MS;
  }
  if (overrides.baseline !== undefined) next.baseline = overrides.baseline;
  if (overrides.refusedRetryDays !== undefined) next.refusedRetryMs = overrides.refusedRetryDays * DAY_MS;
  if (overrides.referenceMaxAgeDays !== undefined) next.referenceMaxAgeMs = overrides.referenceMaxAgeDays === null ? null : overrides.referenceMaxAgeDays * DAY_MS;
  if (overrides.maxFileBytes !== undefined) next.maxFileBytes = overrides.maxFileBytes;
  if (overrides.wait !== undefined) next.waitMs = overrides.wait * 1000;
  if (overrides.staleAfterHours !== undefined) next.staleAfterMs = overrides.staleAfterHours * 60 * MINUTE_MS;
  if (overrides.allowIncomplete !== undefined) next.allowIncomplete = overrides.allowIncomplete;
  if (overrides.ciUrl !== undefined) next.ciUrl = overrides.ciUrl;
  if (overrides.serviceSuites !== undefined) next.serviceSuites = overrides.serviceSuites;
  if (overrides.serviceArches !== undefined) next.serviceArches = overrides.serviceArches;
  return next;
}

/** The rules a site sets once, in britney2's configuration, that debci-bridge.json and flags may also set. */
export type RuleName = "suite" | "baseline" | "retryOlderThanDays" | "referenceMaxAgeDays" | "serviceArches" | "ciUrl";
export const RULE_NAMES: readonly RuleName[] = ["suite", "baseline", "retryOlderThanDays", "referenceMaxAgeDays", "serviceArches", "ciUrl"];
const RULE_FLAGS: Record<RuleName, string | null> = { suite: "--suite", baseline: "--baseline", retryOlderThanDays: "--retry-older-than", referenceMaxAgeDays: "--reference-max-age", serviceArches: null, ciUrl: "--ci-url" };

/** The rules as britney2 applies them (britney.conf read by britney-rules.ts), and where each came from. */
export interface BritneyRuleLayer {
  rules: Required<Pick<SettingsOverrides, RuleName>>;
  sources: Record<RuleName, string>;
}

/** A rule's value as a person writes it: `reference`, `1`, `off`, `amd64 arm64`. */
function shown(value: unknown): string {
  if (value === null) return "off";
  if (Array.isArray(value)) return value.join(" ");
  return String(value);
}

/** Two values of one rule mean the same: arches in any order, an address however it is written. */
function sameRule(rule: RuleName, a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return shown([...a].sort()) === shown([...b].sort());
  if (rule === "ciUrl" && typeof a === "string" && typeof b === "string") return new URL(a).href === new URL(b).href;
  return a === b;
}

/**
 * The settings of a run: the defaults, then britney2's rules when a
 * britney.conf is given, then debci-bridge.json, then the flags. A rule that
 * britney.conf sets and the file or a flag sets to another value is a
 * conflict, never a silent winner: the returned problem names both places,
 * both values and the fix. `settingsFile` names the file in messages.
 */
export function combineSettings(britney: BritneyRuleLayer | null, file: SettingsOverrides, settingsFile: string, flags: SettingsOverrides): { settings: Settings } | { conflict: string } {
  const sources: Partial<Record<RuleName, string>> = {};
  if (britney !== null) {
    for (const rule of RULE_NAMES) {
      sources[rule] = britney.sources[rule];
      const theirs = britney.rules[rule];
      for (const [where, layer, fix] of [
        [`${settingsFile} says ${rule}: ${shown(file[rule])}`, file, `remove "${rule}" from ${settingsFile}`],
        [`${RULE_FLAGS[rule]} ${shown(flags[rule])}`, flags, `drop ${RULE_FLAGS[rule]}`],
      ] as const) {
        const ours = layer[rule];
        if (ours !== undefined && !sameRule(rule, ours, theirs)) {
          return { conflict: `${rule} is set twice: ${where}, but britney2 runs with ${shown(theirs)} (${britney.sources[rule]}); set it in one place: ${fix}, or change britney.conf` };
        }
      }
    }
  }
  for (const rule of RULE_NAMES) {
    if (file[rule] !== undefined && sources[rule] === undefined) sources[rule] = settingsFile;
    if (flags[rule] !== undefined && sources[rule] === undefined) sources[rule] = RULE_FLAGS[rule] ?? rule;
  }
  const settings = applySettings(applySettings(applySettings(DEFAULT_SETTINGS, britney?.rules ?? {}), file), flags);
  return { settings: { ...settings, sources } };
}
