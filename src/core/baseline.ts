import { answerKey } from "./answer.js";
import { isoTime } from "./iso-time.js";
import type { BaselineGrade } from "./grade.js";
import type { KnowledgeIndex } from "./knowledge.js";
import { latestRun } from "./observations.js";
import { REFERENCE_TRIGGER } from "./trigger.js";
import type { AnswerState, Observation, Settings } from "./types.js";

export interface BaselineAnswer {
  suite: string;
  arch: string;
  package: string;
  mode: Settings["baseline"];
  state: AnswerState;
  /** britney2's Result for the baseline: NONE when there is no reference result. */
  result: BaselineGrade;
  /** The run that decided it, where one did, and when it finished (so a client can show its age). */
  runId?: number;
  trigger?: string | null;
  updatedAt?: string | null;
}

const iso = (t: number | null) => (t === null ? null : isoTime(t));

/**
 * The baseline britney2 compares a trigger's result against
 * (result_in_baseline): the reference trigger's result, old when it is
 * older than the reference maximum age or for a version no longer current;
 * or "ever passed": PASS if any run of the package on the arch passed under
 * any trigger britney asked for, else NEUTRAL if one had no tests, else FAIL
 * (nothing at all counts as failed).
 */
export function baselineFor(index: KnowledgeIndex, suite: string, arch: string, pkg: string, settings: Settings, now: number | null = null, versions?: readonly string[]): BaselineAnswer {
  const base = { suite, arch, package: pkg, mode: settings.baseline };
  if (settings.baseline === "reference") {
    const answer = answerKey(index, { suite, arch, package: pkg, trigger: REFERENCE_TRIGGER, ...(versions === undefined ? {} : { versions: [...versions] }) }, settings, now);
    if (answer.runId === undefined) return { ...base, state: answer.state, result: "NONE" };
    return { ...base, state: answer.state, result: answer.result!, runId: answer.runId, trigger: REFERENCE_TRIGGER, updatedAt: answer.updatedAt ?? null };
  }
  const runs = index.runsForPackage(suite, arch, pkg).filter((run) => run.trigger !== null);
  const decided = (run: Observation, result: BaselineGrade, state: AnswerState): BaselineAnswer => ({ ...base, state, result, runId: run.runId, trigger: run.trigger, updatedAt: iso(run.updatedAt) });
  const passed = latestRun(runs.filter((run) => run.status === "pass"));
  if (passed !== null) return decided(passed, "PASS", "pass");
  const neutral = latestRun(runs.filter((run) => run.status === "neutral"));
  if (neutral !== null) return decided(neutral, "NEUTRAL", "pass");
  const failed = latestRun(runs.filter((run) => run.status === "fail"));
  if (failed !== null) return decided(failed, "FAIL", "fail");
  return { ...base, state: runs.some((run) => run.status === null) ? "pending" : "missing", result: "FAIL" };
}
