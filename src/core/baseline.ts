import { factsFor } from "./answer.js";
import { isoTime } from "./iso-time.js";
import { compareDebianVersions } from "./debian-version.js";
import { gradeOf, isOld, type BaselineGrade } from "./grade.js";
import type { KnowledgeIndex } from "./knowledge.js";
import { latestRun } from "./observations.js";
import { REFERENCE_TRIGGER, splitTriggers, versionUploadedBy } from "./trigger.js";
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
 * A package's baseline before any versions a question says are current: the
 * part worth caching, once per package. The reference run's version and
 * outcome are kept to judge it against those versions (withVersions).
 */
export interface BaselineBasis {
  baseline: BaselineAnswer;
  version?: string | null;
  outcome?: "pass" | "neutral" | "fail";
  /** The same baseline judged old for its version, made the first time a question needs it. */
  old?: BaselineAnswer;
}

/**
 * The baseline britney2 compares a trigger's result against
 * (result_in_baseline), without versions: the reference trigger's result,
 * old when it is older than the reference maximum age or was never run on
 * a version; or "ever passed": PASS if any run of the package on the arch
 * passed under any trigger britney asked for (not counting a run of a
 * trigger's own source older than that trigger, see countsUnderSomeTrigger),
 * else NEUTRAL if one had no tests, else FAIL (nothing at all counts as failed).
 */
export function baselineBasis(index: KnowledgeIndex, suite: string, arch: string, pkg: string, settings: Settings, now: number | null = null, group?: number): BaselineBasis {
  const mode = settings.baseline;
  // Objects written out field by field, not spread from a common part: a spread followed by more fields cost about 2 us, once per package.
  const undecided = (state: AnswerState, result: BaselineGrade): BaselineBasis => ({ baseline: { suite, arch, package: pkg, mode, state, result } });
  const decided = (state: AnswerState, result: BaselineGrade, runId: number, trigger: string | null, updatedAt: string | null): BaselineAnswer => ({ suite, arch, package: pkg, mode, state, result, runId, trigger, updatedAt });
  if (mode === "reference") {
    const key = { suite, arch, package: pkg, trigger: REFERENCE_TRIGGER };
    // The caller may know the package's group number: then only the trigger is looked up.
    const answer = factsFor(index, key, settings, group === undefined ? index.place(key) : index.numbers.placeInGroup(group, REFERENCE_TRIGGER), now).answer;
    if (answer.runId === undefined) return undecided(answer.state, "NONE");
    return { baseline: decided(answer.state, answer.result!, answer.runId, REFERENCE_TRIGGER, answer.updatedAt ?? null), version: answer.version, outcome: answer.outcome! };
  }
  const runs = index.runsForPackage(suite, arch, pkg).filter((run) => run.trigger !== null && countsUnderSomeTrigger(run, pkg));
  const by = (run: Observation, result: BaselineGrade, state: AnswerState): BaselineBasis => ({ baseline: decided(state, result, run.runId, run.trigger, iso(run.updatedAt)) });
  const passed = latestRun(runs.filter((run) => run.status === "pass"));
  if (passed !== null) return by(passed, "PASS", "pass");
  const neutral = latestRun(runs.filter((run) => run.status === "neutral"));
  if (neutral !== null) return by(neutral, "NEUTRAL", "pass");
  const failed = latestRun(runs.filter((run) => run.status === "fail"));
  if (failed !== null) return by(failed, "FAIL", "fail");
  return undecided(runs.some((run) => run.status === null) ? "pending" : "missing", "FAIL");
}

/**
 * Whether a run enters britney2's results under at least one of its
 * triggers: add_trigger_to_results (britney2/policies/autopkgtest.py)
 * drops a run of the trigger's own source at a version older than the
 * trigger, so such a run is in no trigger's results, and result_in_baseline
 * ("ever passed") never sees it. A run with a null version (debci refused
 * to run it) is filed as "blocked-on-ci-infra", which is never older.
 */
function countsUnderSomeTrigger(run: Observation, pkg: string): boolean {
  if (run.version === null) return true;
  for (const trigger of splitTriggers(run.trigger)) {
    const uploaded = versionUploadedBy(trigger, pkg);
    if (uploaded === null || compareDebianVersions(run.version, uploaded) >= 0) return true;
  }
  return false;
}

/**
 * The baseline for the versions a question says are current (britney2's
 * versions in testing and unstable): a reference result for a version in
 * neither is old, as isOldResult in answer.ts judges any result. "Ever
 * passed" takes no versions.
 */
export function withVersions(basis: BaselineBasis, versions: readonly string[] | undefined): BaselineAnswer {
  const { baseline, version, outcome } = basis;
  if (versions === undefined || outcome === undefined || isOld(baseline.result)) return baseline;
  if (version != null && versions.some((v) => compareDebianVersions(v, version) === 0)) return baseline;
  if (basis.old === undefined) {
    // As { ...baseline, result } makes it (see baselineBasis on spreads); a baseline has its fields named, never `__proto__`.
    basis.old = Object.assign({}, baseline);
    basis.old.result = gradeOf(outcome, true);
  }
  return basis.old;
}

/** The baseline of a package on an arch, judged against `versions` when given (see baselineBasis and withVersions). */
export function baselineFor(index: KnowledgeIndex, suite: string, arch: string, pkg: string, settings: Settings, now: number | null = null, versions?: readonly string[]): BaselineAnswer {
  return withVersions(baselineBasis(index, suite, arch, pkg, settings, now), versions);
}
