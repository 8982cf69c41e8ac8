/**
 * debci-bridge: the network-free boundary between britney2 and the CI
 * service. Open a state directory for a run, answer test keys, register
 * needs, commit the outbox.
 */
export { openSession, Session, type CommitResult, type SessionMode, type SessionOptions } from "./session/session.js";
export { compareDebianVersions } from "./core/debian-version.js";
export { REFERENCE_TRIGGER, splitTriggers } from "./core/trigger.js";
export { DEFAULT_SETTINGS, applySettings, type SettingsOverrides } from "./core/settings.js";
export { KnowledgeIndex, emptyKnowledge, type Knowledge } from "./core/knowledge.js";
export { answerKey, factsFor } from "./core/answer.js";
export { baselineFor, type BaselineAnswer } from "./core/baseline.js";
export { planNeeds, Planner, type Plan, type PlannedAnswer, type RequestReason } from "./core/plan.js";
export { mergeObservations, compareObservations } from "./core/observations.js";
export { InputError, LockHeldError } from "./store/errors.js";
export { statePaths, type StatePaths } from "./store/state-paths.js";
export { toNeed, type NeedInput } from "./formats/needs-input.js";
export type * from "./core/types.js";
export { parseHints, hasForceBadtest, forceSkiptest, verdictFor, type Hint, type Verdict } from "./core/hints.js";
export type { Grade, BaselineGrade } from "./core/grade.js";
export type { BritneyLabel, LabelledAnswer } from "./core/label.js";
