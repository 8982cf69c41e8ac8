import type { Settings } from "./types.js";

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;

export const DEFAULT_SETTINGS: Settings = {
  suite: "testing",
  graceMs: 30 * MINUTE_MS,
  pendingMaxAgeMs: 3 * DAY_MS,
  // See README, "Overtaken means lost": why three later runs and six hours.
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
