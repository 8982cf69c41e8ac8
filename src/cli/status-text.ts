import type { BaselineAnswer } from "../core/baseline.js";
import type { HoldReason, PlannedAnswer, RequestReason } from "../core/answer-shapes.js";
import { isoTime } from "../core/iso-time.js";

/**
 * `status` for a person at a terminal: the answer explained in a few
 * lines (the label and what it means to britney2, the result with its run,
 * version, age and log, the baseline, what is in flight or was lost and
 * why, what a committing run would request). A pure function of the answer,
 * the baseline and the run's `now`: programs read the JSON line instead.
 */
export interface StatusText {
  answer: PlannedAnswer;
  baseline: BaselineAnswer;
  now: number;
  colour: boolean;
}

/** What each of britney2's labels means for the upload. */
const LABEL_MEANING: Record<string, string> = {
  PASS: "passed",
  NEUTRAL: "no tests ran (none, or all skipped): counts as a pass",
  REGRESSION: "failed where the baseline passed: britney2 blocks the migration",
  ALWAYSFAIL: "failed, and the baseline failed too: not a regression",
  "IGNORE-FAIL": "failed, but a force-badtest hint ignores it",
  "RUNNING-REFERENCE": "failed, with no baseline yet to judge it by: waiting for the reference run",
  RUNNING: "no result yet: britney2 waits for it",
  "RUNNING-ALWAYSFAIL": "no result yet; the baseline failed, so it would not block",
  OLD_PASS: "passed, but on an old version or too long ago: asked for again",
  OLD_NEUTRAL: "no tests ran, but on an old version or too long ago: asked for again",
  OLD_FAIL: "failed, but on an old version or too long ago: asked for again",
};

const REQUEST_MEANING: Record<RequestReason, string> = {
  missing: "there is no result and nothing in flight",
  lost: "the last attempt was lost",
  overtaken: "its run was overtaken (see above)",
  "pending-too-long": "it has waited longer than pendingMaxAgeDays with the CI service not listing it",
  old: "the result is old",
  retry: "the failure is older than retryOlderThanDays and the baseline passed",
  again: "it was asked for by name",
  imported: "britney2 decided it",
};

const HOLD_MEANING: Record<HoldReason, string> = {
  rejected: "the CI service's reject list names it",
  refused: "the CI service refused it lately (refusedRetryDays)",
  incomplete: "part of the state could not be read",
  unsent: "a request for it already waits in the outbox",
  duplicate: "it is asked for already in this run",
  "in-flight": "a run for it is in flight",
};

const COLOURS: Record<string, string> = { REGRESSION: "31", "RUNNING-REFERENCE": "33", RUNNING: "33", "RUNNING-ALWAYSFAIL": "33", PASS: "32", NEUTRAL: "32", ALWAYSFAIL: "35", "IGNORE-FAIL": "35" };

/** How long before `now` a time was, in the largest whole unit. */
export function ageOf(time: number, now: number): string {
  const minutes = Math.floor((now - time) / 60_000);
  if (minutes < 0) return "in the future (clock skew?)";
  const say = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"} ago`;
  if (minutes < 1) return "just now";
  if (minutes < 120) return say(minutes, "minute");
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? say(hours, "hour") : say(Math.floor(hours / 24), "day");
}

/** An ISO time the module wrote, as a person reads it: day and minute, UTC. */
export function dayAndMinute(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

/** An ISO time the module wrote, as a person reads it, with its age. */
function when(iso: string | null | undefined, now: number): string {
  if (iso === null || iso === undefined) return "at an unknown time";
  const t = Date.parse(iso);
  return `${dayAndMinute(isoTime(t))}, ${ageOf(t, now)}`;
}

export function statusText({ answer: a, baseline: b, now, colour }: StatusText): string {
  const paint = (text: string, code: string | undefined) => (colour && code !== undefined ? `\u001b[${code}m${text}\u001b[0m` : text);
  const lines: string[] = [];
  const label = a.label === null || a.label === undefined ? `no label (${a.noLabel ?? "none"})` : paint(a.label, COLOURS[a.label]);
  const meaning = a.label ? LABEL_MEANING[a.label] : a.noLabel === "reject-listed" ? "the CI service's reject list names it: britney2 skips it" : a.noLabel === "refused" ? "the CI service refused the request" : "neither answered nor asked for";
  lines.push(`${a.package} ${a.trigger} on ${a.suite}/${a.arch}: ${label}`, `  ${meaning}`);
  if (a.runId !== undefined) {
    lines.push(`  result:    ${a.result} (${a.outcome}) from run ${a.runId}, version ${a.version ?? "unknown"}, finished ${when(a.updatedAt, now)}`);
    if (a.links?.log !== undefined) lines.push(`             log ${a.links.log}`);
  } else lines.push(`  result:    none`);
  if (b.runId !== undefined) lines.push(`  baseline:  ${b.result} from run ${b.runId} (${b.trigger ?? "no trigger"}), finished ${when(b.updatedAt, now)}`);
  else lines.push(`  baseline:  ${b.result === "NONE" ? "none yet (no reference result)" : `${b.result} (no run of the package on ${b.arch} passed)`}`);
  if (a.inFlight) lines.push(`  in flight: since ${when(a.pendingSince, now)}`);
  if (a.overtaken !== undefined) {
    lines.push(`  lost:      run ${a.overtaken} was overtaken: the CI service still lists it as waiting, but later runs on ${a.suite}/${a.arch} finished`, `             long enough before it (overtakenBy, longestRunHours) that it was dropped`);
  } else if (a.lost) lines.push(`  lost:      the newest attempt vanished without a result (the CI service no longer lists it)`);
  if (a.refused !== undefined) lines.push(`  refused:   by the CI service ${when(a.refusedAt, now)}: ${a.refused}`);
  if (a.request !== null && a.request !== undefined) lines.push(`  request:   a committing run would ask for it: ${REQUEST_MEANING[a.request]} (${a.request})`);
  else if (a.held !== undefined) lines.push(`  request:   due, but held: ${HOLD_MEANING[a.held]} (${a.held})`);
  else lines.push(`  request:   none: ${a.inFlight ? "it is in flight" : "nothing calls for one"}`);
  if (a.referenceRequest !== undefined && a.referenceRequest !== null) lines.push(`             and the reference run for its baseline (${a.referenceRequest})`);
  return lines.join("\n");
}
