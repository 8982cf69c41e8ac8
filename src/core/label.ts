import type { BaselineAnswer } from "./baseline.js";
import type { Answer } from "./types.js";

/** What britney2 shows on excuses for one test. */
export type BritneyLabel = "PASS" | "NEUTRAL" | "REGRESSION" | "ALWAYSFAIL" | "RUNNING" | "RUNNING-ALWAYSFAIL" | "RUNNING-REFERENCE";

/**
 * The baseline as britney2 weighs it: with the reference baseline, no
 * finished reference result is "none" (a reference run is needed); with
 * "ever passed", nothing having passed counts as having always failed.
 */
export function baselineVerdict(baseline: BaselineAnswer): "pass" | "fail" | "none" {
  if (baseline.state === "pass") return "pass";
  if (baseline.mode === "any") return "fail";
  return baseline.state === "fail" ? "fail" : "none";
}

/**
 * britney2's label for a key. `requested` says a request for the key goes
 * out in this run (britney2 asks before it labels, so the key counts as
 * running). A key that is missing and not requested (reject-listed) has none.
 */
export function labelFor(answer: Answer, requested: boolean, baseline: BaselineAnswer): BritneyLabel | null {
  const base = baselineVerdict(baseline);
  switch (answer.state) {
    case "pass":
      return answer.outcome === "neutral" ? "NEUTRAL" : "PASS";
    case "fail":
      return base === "fail" ? "ALWAYSFAIL" : base === "pass" ? "REGRESSION" : "RUNNING-REFERENCE";
    case "pending":
      return base === "fail" ? "RUNNING-ALWAYSFAIL" : "RUNNING";
    case "missing":
      if (!requested) return null;
      return base === "fail" ? "RUNNING-ALWAYSFAIL" : "RUNNING";
  }
}

/** An answer with its baseline and britney2's label, as `status` gives it. */
export interface LabelledAnswer extends Answer {
  /** The baseline's answer (see baselineFor). */
  baseline: Answer["state"];
  /** What britney2 shows for the key; null when no test will run (reject-listed). */
  label: BritneyLabel | null;
}
