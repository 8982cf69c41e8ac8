import type { PlannedAnswer } from "../core/answer-shapes.js";
import type { LabelledAnswer } from "../core/label.js";
import type { Answer } from "../core/types.js";

/**
 * An answer's line as bytes: one JSON object, keys in a fixed order so
 * lines diff well, an undefined field left out, and a line feed, written
 * straight into a buffer as UTF-8. A plan writes 200,000 lines: building
 * each as two dozen strings, then encoding the joined copy, cost as much as
 * the rules. answerLine (answer-line.ts) is this, decoded.
 *
 * Plain ASCII (what names, the module's words and its times are) is
 * written a character a byte; a string holding anything JSON escapes, or a
 * non-ASCII character, is written for that value alone as JSON.stringify
 * makes it, encoded by Buffer. A property test holds every line to
 * JSON.stringify of the same fields in the same order.
 */

/** The most bytes of a line besides its strings: its keys, the module's words, times and numbers (a few hundred). */
const FIXED_BYTES = 1024;

/** Writes `text`'s characters as bytes when every one is printable ASCII with nothing to escape; -1 (nothing promised written) otherwise. */
function plain(buf: Buffer, at: number, text: string): number {
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x22 || c === 0x5c) return -1;
    buf[at + i] = c;
  }
  return at + n;
}

/** The module's own ASCII text (JSON punctuation, literals), written as it is. */
function raw(buf: Buffer, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) buf[at + i] = text.charCodeAt(i);
  return at + text.length;
}

/**
 * A string quoted: a character a byte when plain, else, for this value
 * alone, `fallback` (JSON.stringify's text for a name; the word itself, never
 * escaped, for one of the module's words) encoded by Buffer.
 */
function quotedOr(buf: Buffer, at: number, text: string, fallback: (text: string) => string): number {
  buf[at] = 0x22;
  const end = plain(buf, at + 1, text);
  if (end < 0) return at + buf.write(fallback(text), at, "utf8");
  buf[end] = 0x22;
  return end + 1;
}

const escaped = (text: string) => JSON.stringify(text);
const asItIs = (text: string) => `"${text}"`;

/** A JSON value as JSON.stringify writes it. */
function value(buf: Buffer, at: number, v: string | number | boolean | null): number {
  if (typeof v === "string") return quotedOr(buf, at, v, escaped);
  return plainOrWrite(buf, at, JSON.stringify(v));
}

function plainOrWrite(buf: Buffer, at: number, text: string): number {
  const end = plain(buf, at, text);
  return end >= 0 ? end : at + buf.write(text, at, "utf8");
}

/** `,"name":` as bytes, for each field a line may have: made once, copied a byte at a time (a short loop beats a native call here). */
const keyBytes = (name: string) => Buffer.from(`,"${name}":`, "latin1");
const KEY = {
  arch: keyBytes("arch"),
  package: keyBytes("package"),
  trigger: keyBytes("trigger"),
  state: keyBytes("state"),
  outcome: keyBytes("outcome"),
  result: keyBytes("result"),
  version: keyBytes("version"),
  runId: keyBytes("runId"),
  updatedAt: keyBytes("updatedAt"),
  inFlight: keyBytes("inFlight"),
  pendingSince: keyBytes("pendingSince"),
  lost: keyBytes("lost"),
  overtaken: keyBytes("overtaken"),
  rejected: keyBytes("rejected"),
  refused: keyBytes("refused"),
  refusedAt: keyBytes("refusedAt"),
  baseline: keyBytes("baseline"),
  baselineResult: keyBytes("baselineResult"),
  label: keyBytes("label"),
  noLabel: keyBytes("noLabel"),
  request: keyBytes("request"),
  held: keyBytes("held"),
  referenceRequest: keyBytes("referenceRequest"),
  links: keyBytes("links"),
};

function key(buf: Buffer, at: number, bytes: Buffer): number {
  for (let i = 0; i < bytes.length; i++) buf[at + i] = bytes[i]!;
  return at + bytes.length;
}

/** `,"name":value`, or nothing for undefined (as JSON.stringify leaves such a key out). */
function field(buf: Buffer, at: number, name: Buffer, v: string | number | boolean | null | undefined): number {
  return v === undefined ? at : value(buf, key(buf, at, name), v);
}

/** A field holding one of the module's own words or times, or null; left out when undefined. */
function word(buf: Buffer, at: number, name: Buffer, v: string | null | undefined): number {
  if (v === undefined) return at;
  at = key(buf, at, name);
  return v === null ? raw(buf, at, "null") : quotedOr(buf, at, v, asItIs);
}

/**
 * The most bytes an answer's line can take: its strings' characters take at
 * most six bytes each escaped, the links' (already JSON) three in UTF-8.
 */
export function answerLineBound(answer: Answer | LabelledAnswer | PlannedAnswer): number {
  const links = (answer as Partial<PlannedAnswer>).links;
  return boundWith(answer, links === undefined ? undefined : JSON.stringify(links));
}

/** The bound, given the links' JSON when there are links (three bytes a character at most). */
function boundWith(answer: Answer | LabelledAnswer | PlannedAnswer, links: string | undefined): number {
  const a = answer as Partial<PlannedAnswer> & Answer;
  const chars = a.suite.length + a.arch.length + a.package.length + a.trigger.length + (a.version?.length ?? 0) + (a.refused?.length ?? 0);
  return FIXED_BYTES + chars * 6 + (links === undefined ? 0 : links.length * 3);
}

/**
 * Writes the answer's line and "\n" into buf at `at`, which must have
 * answerLineBound(answer) bytes free; returns where the line ends.
 */
export function writeAnswerLine(answer: Answer | LabelledAnswer | PlannedAnswer, buf: Buffer, at: number): number {
  const a = answer as Partial<PlannedAnswer> & Answer;
  // Links hold names and the configured address: JSON.stringify escapes what needs it (made once, for the bound and the line).
  const links = a.links === undefined ? undefined : JSON.stringify(a.links);
  // A write past the end would be dropped without a word: refuse a buffer too small instead.
  const bound = boundWith(answer, links);
  if (buf.length - at < bound) throw new RangeError(`an answer line needs ${bound} bytes, ${buf.length - at} free`);
  at = raw(buf, at, '{"suite":');
  at = value(buf, at, a.suite);
  at = field(buf, at, KEY.arch, a.arch);
  at = field(buf, at, KEY.package, a.package);
  at = field(buf, at, KEY.trigger, a.trigger);
  at = word(buf, at, KEY.state, a.state);
  if (a.outcome !== undefined) {
    at = word(buf, at, KEY.outcome, a.outcome);
    at = word(buf, at, KEY.result, a.result);
    at = field(buf, at, KEY.version, a.version);
    at = field(buf, at, KEY.runId, a.runId);
    at = word(buf, at, KEY.updatedAt, a.updatedAt);
  }
  at = raw(buf, key(buf, at, KEY.inFlight), String(a.inFlight));
  at = word(buf, at, KEY.pendingSince, a.pendingSince);
  at = raw(buf, key(buf, at, KEY.lost), String(a.lost));
  at = field(buf, at, KEY.overtaken, a.overtaken);
  at = raw(buf, key(buf, at, KEY.rejected), String(a.rejected));
  if (a.refused !== undefined) {
    at = field(buf, at, KEY.refused, a.refused);
    at = word(buf, at, KEY.refusedAt, a.refusedAt);
  }
  at = word(buf, at, KEY.baseline, a.baseline);
  at = word(buf, at, KEY.baselineResult, a.baselineResult);
  at = word(buf, at, KEY.label, a.label);
  at = word(buf, at, KEY.noLabel, a.noLabel);
  at = word(buf, at, KEY.request, a.request);
  at = word(buf, at, KEY.held, a.held);
  at = word(buf, at, KEY.referenceRequest, a.referenceRequest);
  if (links !== undefined) {
    at = key(buf, at, KEY.links);
    at += buf.write(links, at, "utf8");
  }
  buf[at] = 0x7d; // }
  buf[at + 1] = 0x0a; // \n
  return at + 2;
}
