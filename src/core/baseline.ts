import { answerKey } from "./answer.js";
import type { KnowledgeIndex } from "./knowledge.js";
import { latestRun } from "./observations.js";
import { REFERENCE_TRIGGER } from "./trigger.js";
import type { AnswerState, Settings } from "./types.js";

export interface BaselineAnswer {
  suite: string;
  arch: string;
  package: string;
  mode: Settings["baseline"];
  state: AnswerState;
  /** The run that decided it, where one did. */
  runId?: number;
  trigger?: string | null;
}

/**
 * The baseline britney2 compares a trigger's result against: the reference
 * trigger's answer, or "ever passed": any run of the package on the arch,
 * under any trigger britney asked for, that passed.
 */
export function baselineFor(index: KnowledgeIndex, suite: string, arch: string, pkg: string, settings: Settings): BaselineAnswer {
  const base = { suite, arch, package: pkg, mode: settings.baseline };
  if (settings.baseline === "reference") {
    const answer = answerKey(index, { suite, arch, package: pkg, trigger: REFERENCE_TRIGGER }, settings);
    return answer.runId === undefined ? { ...base, state: answer.state } : { ...base, state: answer.state, runId: answer.runId, trigger: REFERENCE_TRIGGER };
  }
  const runs = index.runsForPackage(suite, arch, pkg).filter((run) => run.trigger !== null);
  const passed = latestRun(runs.filter((run) => run.status === "pass" || run.status === "neutral"));
  if (passed !== null) return { ...base, state: "pass", runId: passed.runId, trigger: passed.trigger };
  const failed = latestRun(runs.filter((run) => run.status === "fail"));
  if (failed !== null) return { ...base, state: "fail", runId: failed.runId, trigger: failed.trigger };
  return { ...base, state: runs.some((run) => run.status === null) ? "pending" : "missing" };
}
