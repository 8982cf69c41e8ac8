import type { PlannedAnswer } from "../core/answer-shapes.js";
import type { LabelledAnswer } from "../core/label.js";
import type { Answer } from "../core/types.js";
import { answerLineBound, writeAnswerLine } from "./answer-bytes.js";

/** Reused for every line that fits: most do. */
let scratch = Buffer.allocUnsafe(4096);

/**
 * One answer as one JSON object (no line feed), keys in a fixed order so
 * lines diff well; an undefined field is left out. The bytes plan writes
 * (answer-bytes.ts), decoded: one definition of the line for plan, serve
 * and status.
 */
export function answerLine(answer: Answer | LabelledAnswer | PlannedAnswer): string {
  const bound = answerLineBound(answer);
  if (bound > scratch.length) scratch = Buffer.allocUnsafe(bound);
  const end = writeAnswerLine(answer, scratch, 0);
  return scratch.toString("utf8", 0, end - 1);
}
