import type { PlannedAnswer } from "../core/plan.js";
import type { LabelledAnswer } from "../core/label.js";
import type { Answer } from "../core/types.js";

/** Characters JSON.stringify would escape in a string: quote, backslash, controls, lone surrogate halves. */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** A value as JSON.stringify writes it; names and versions rarely need escaping, so they are quoted directly. */
function json(value: string | number | boolean | null): string {
  if (typeof value === "string") return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
  return JSON.stringify(value);
}

/** `,"name":value`, or nothing for undefined (as JSON.stringify leaves such a key out). */
function field(name: string, value: string | number | boolean | null | undefined): string {
  return value === undefined ? "" : `,"${name}":${json(value)}`;
}

/**
 * One answer as one JSON object, keys in a fixed order so lines diff well;
 * an undefined field is left out. Built as a string: a plan writes one line
 * per need, and an object made only to be stringified cost as much as
 * answering.
 */
export function answerLine(answer: Answer | LabelledAnswer | PlannedAnswer): string {
  const a = answer as Partial<PlannedAnswer> & Answer;
  let line = `{"suite":${json(a.suite)}${field("arch", a.arch)}${field("package", a.package)}${field("trigger", a.trigger)}${field("state", a.state)}`;
  if (a.outcome !== undefined) line += `${field("outcome", a.outcome)}${field("result", a.result)}${field("version", a.version)}${field("runId", a.runId)}${field("updatedAt", a.updatedAt)}`;
  line += field("inFlight", a.inFlight) + field("pendingSince", a.pendingSince) + field("lost", a.lost) + field("rejected", a.rejected);
  if (a.refused !== undefined) line += field("refused", a.refused) + field("refusedAt", a.refusedAt);
  line += field("baseline", a.baseline) + field("baselineResult", a.baselineResult) + field("label", a.label) + field("noLabel", a.noLabel) + field("request", a.request);
  return `${line}${field("held", a.held)}${field("referenceRequest", a.referenceRequest)}}`;
}
