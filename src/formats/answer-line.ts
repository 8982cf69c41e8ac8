import type { PlannedAnswer } from "../core/answer-shapes.js";
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

/** A field holding one of the module's own words (a state, grade, label, reason) or null: nothing to escape. */
function word(name: string, value: string | null | undefined): string {
  return value === undefined ? "" : value === null ? `,"${name}":null` : `,"${name}":"${value}"`;
}

/** A field holding a time this module wrote (ISO 8601, digits and punctuation) or null. */
const time = word;

/**
 * One answer as one JSON object, keys in a fixed order so lines diff well;
 * an undefined field is left out. Built as a string: a plan writes one line
 * per need, and an object made only to be stringified cost as much as
 * answering.
 */
export function answerLine(answer: Answer | LabelledAnswer | PlannedAnswer): string {
  const a = answer as Partial<PlannedAnswer> & Answer;
  let line = `{"suite":${json(a.suite)}${field("arch", a.arch)}${field("package", a.package)}${field("trigger", a.trigger)}${word("state", a.state)}`;
  if (a.outcome !== undefined) line += `${word("outcome", a.outcome)}${word("result", a.result)}${field("version", a.version)}${field("runId", a.runId)}${time("updatedAt", a.updatedAt)}`;
  line += `,"inFlight":${a.inFlight}${time("pendingSince", a.pendingSince)},"lost":${a.lost}${field("overtaken", a.overtaken)},"rejected":${a.rejected}`;
  if (a.refused !== undefined) line += field("refused", a.refused) + time("refusedAt", a.refusedAt);
  line += word("baseline", a.baseline) + word("baselineResult", a.baselineResult) + word("label", a.label) + word("noLabel", a.noLabel) + word("request", a.request);
  line += word("held", a.held) + word("referenceRequest", a.referenceRequest);
  // Links hold names and the configured address: JSON.stringify escapes what needs it.
  return `${line}${a.links === undefined ? "" : `,"links":${JSON.stringify(a.links)}`}}`;
}
