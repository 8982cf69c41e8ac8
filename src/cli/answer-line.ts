import type { PlannedAnswer } from "../core/plan.js";
import type { LabelledAnswer } from "../core/label.js";
import type { Answer } from "../core/types.js";

/** One answer as one JSON object, keys in a fixed order so lines diff well. */
export function answerLine(answer: Answer | LabelledAnswer | PlannedAnswer): string {
  const a = answer as Partial<PlannedAnswer> & Answer;
  const out: Record<string, unknown> = { suite: a.suite, arch: a.arch, package: a.package, trigger: a.trigger, state: a.state };
  if (a.outcome !== undefined) {
    out.outcome = a.outcome;
    out.result = a.result;
    out.version = a.version;
    out.runId = a.runId;
    out.updatedAt = a.updatedAt;
  }
  out.inFlight = a.inFlight;
  if (a.pendingSince !== undefined) out.pendingSince = a.pendingSince;
  out.lost = a.lost;
  out.rejected = a.rejected;
  if (a.refused !== undefined) {
    out.refused = a.refused;
    out.refusedAt = a.refusedAt;
  }
  if (a.baseline !== undefined) out.baseline = a.baseline;
  if (a.baselineResult !== undefined) out.baselineResult = a.baselineResult;
  if ("label" in a) out.label = a.label;
  if (a.noLabel !== undefined) out.noLabel = a.noLabel;
  if ("request" in a) out.request = a.request;
  if (a.held !== undefined) out.held = a.held;
  if (a.referenceRequest !== undefined) out.referenceRequest = a.referenceRequest;
  return JSON.stringify(out);
}
