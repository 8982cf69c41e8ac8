import type { Answer } from "../core/types.js";
import { answerLineBound, writeAnswerLine } from "../formats/answer-bytes.js";
import { answerLine } from "../formats/answer-line.js";
import type { LineWriter } from "./io.js";

/** Answer lines as plan and import-amqp write them: bytes straight into the output (formats/answer-bytes.ts). */
export const ANSWER_LINES: LineWriter<Answer> = { bound: answerLineBound, write: writeAnswerLine, line: answerLine };
