import type { BaselineAnswer } from "./baseline.js";
import type { BritneyLabel } from "./answer-shapes.js";
import { isFailure, isOld, type BaselineGrade } from "./grade.js";
import type { Answer, Settings } from "./types.js";

export type { BritneyLabel, LabelledAnswer } from "./answer-shapes.js";

/** Kernel uploads: results differ per flavour, so "ever passed" says nothing (britney2's linux-meta special case). */
function isKernelTrigger(trigger: string): boolean {
  return trigger.startsWith("linux-meta") || trigger.startsWith("linux/");
}

/** What a label depends on besides the answer and its baseline. */
export interface LabelContext {
  settings: Settings;
  /** A request for the key goes out in this run or waits in the outbox: it counts as running. */
  requested: boolean;
  /** Whether the package has a test in testing (default true). */
  testInTarget: boolean;
  /** Whether a force-badtest hint covers the package at a version on this arch. */
  badtest: (version: string | null | undefined) => boolean;
  /** The version britney2 tests now (for a hint, while no result is there). */
  testedVersion?: string;
}

/**
 * britney2's label for a key (pkg_test_result). A failure (FAIL or
 * OLD_FAIL) is judged against the baseline: ALWAYSFAIL when it failed too,
 * RUNNING-REFERENCE when there is none yet, else REGRESSION; IGNORE-FAIL
 * under force-badtest. Any other result is shown by its own name (PASS,
 * NEUTRAL, OLD_PASS, OLD_NEUTRAL). Without a result, a key in flight is
 * RUNNING, or RUNNING-ALWAYSFAIL when the baseline failed or a hint says the
 * test is bad. A key neither answered nor asked for (reject-listed,
 * refused) has no label.
 */
export function labelFor(answer: Answer, baseline: BaselineAnswer, ctx: LabelContext): BritneyLabel | null {
  let base: BaselineGrade = baseline.result;
  if (answer.result !== undefined) {
    if (!isFailure(answer.result)) return answer.result as BritneyLabel;
    if (ctx.settings.baseline !== "reference" && isKernelTrigger(answer.trigger)) base = "FAIL";
    if (ctx.badtest(answer.version)) return "IGNORE-FAIL";
    if (isFailure(base)) return "ALWAYSFAIL";
    if (base === "NONE" && ctx.testInTarget) return "RUNNING-REFERENCE";
    return "REGRESSION";
  }
  if (answer.state === "missing" && !ctx.requested) return null;
  return base === "FAIL" || ctx.badtest(ctx.testedVersion) ? "RUNNING-ALWAYSFAIL" : "RUNNING";
}

/** Whether britney2 asks for the reference run when a key fails: its baseline is missing or old, and the test is in testing. */
export function wantsReference(answer: Answer, baseline: BaselineAnswer, testInTarget: boolean): boolean {
  return isFailure(answer.result ?? null) && (baseline.result === "NONE" || isOld(baseline.result)) && testInTarget && baseline.mode === "reference";
}

