import type { BaselineGrade } from "./grade.js";
import type { Answer } from "./types.js";

/**
 * The shapes an answer grows into: an answer, its baseline and britney2's
 * label, and what the planner decided of it. Its own file, below the
 * answering (answer.ts builds every answer in the planned shape from the
 * start), the labelling and the planning (which fill it in), so none of
 * them imports another's types.
 */

/** Where a person follows up a result on the CI service's web site, as britney2 links it on its excuses. */
export interface AnswerLinks {
  /** The deciding run's log, or the page of pending runs while none has finished. */
  log: string;
  /** The package's history on the arch. */
  history: string;
  /** Asks the service to run the deciding run again: only for REGRESSION and NEUTRAL, as britney2 offers it. */
  retry?: string;
  /** The baseline's log and retry, beside a REGRESSION or NEUTRAL. */
  referenceLog?: string;
  referenceRetry?: string;
}

/** What britney2 shows on excuses for one test: its own words (EXCUSES_LABELS in its autopkgtest policy). */
export type BritneyLabel =
  | "PASS"
  | "NEUTRAL"
  | "OLD_PASS"
  | "OLD_NEUTRAL"
  | "REGRESSION"
  | "ALWAYSFAIL"
  | "IGNORE-FAIL"
  | "RUNNING"
  | "RUNNING-ALWAYSFAIL"
  | "RUNNING-REFERENCE";

/** An answer with its baseline and britney2's label, as `status` gives it. */
export interface LabelledAnswer extends Answer {
  /** The baseline's answer (see baselineFor). */
  baseline: Answer["state"];
  /** britney2's Result for the baseline. */
  baselineResult: BaselineGrade;
  /** What britney2 shows for the key; null when no test will run (see `noLabel`). */
  label: BritneyLabel | null;
  /** Why there is no label: reject-listed, refused by the CI service, or simply not asked for. */
  noLabel?: "reject-listed" | "refused" | "not-requested";
  /** With ciUrl set: where a person follows the result up (see core/links.ts). */
  links?: AnswerLinks;
}


/** Why a need goes into the outbox. */
export const REQUEST_REASONS = ["missing", "lost", "overtaken", "pending-too-long", "old", "retry", "again", "imported"] as const;
export type RequestReason = (typeof REQUEST_REASONS)[number];

/** Why a need that might have been asked for is not. */
export const HOLD_REASONS = ["rejected", "refused", "unsent", "duplicate", "in-flight", "incomplete"] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];

export interface PlannedAnswer extends LabelledAnswer {
  /** Set when this run requests the key; the reason says why. */
  request: RequestReason | null;
  /** Set when a request would otherwise be due but must not be sent. */
  held?: HoldReason;
  /** Set when the key failed and the reference baseline is missing or old: its reference run is requested too. */
  referenceRequest?: RequestReason;
}

