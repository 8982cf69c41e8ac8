import { factsFor, type KeyFacts } from "./answer.js";
import { baselineFor, type BaselineAnswer } from "./baseline.js";
import type { KnowledgeIndex } from "./knowledge.js";
import { maxOf } from "./numbers.js";
import { keyId } from "./test-key.js";
import { baselineVerdict, labelFor, type BritneyLabel } from "./label.js";
import { REFERENCE_TRIGGER } from "./trigger.js";
import type { Answer, AnswerState, Need, Settings } from "./types.js";

/** Why a need goes into the outbox. */
export type RequestReason = "missing" | "lost" | "pending-too-long" | "retry" | "imported";

/** Why a need that might have been asked for is not. */
export type HoldReason = "rejected" | "unsent" | "duplicate" | "in-flight";

export interface PlannedAnswer extends Answer {
  /** Set when this run requests the key; the reason says why. */
  request: RequestReason | null;
  /** Set when a request would otherwise be due but must not be sent. */
  held?: HoldReason;
  /** The baseline's answer (see baselineFor). */
  baseline: AnswerState;
  /** What britney2 shows for the key; null when no test will run (reject-listed). */
  label: BritneyLabel | null;
  /** Set when the key failed and the reference baseline is missing: its reference run is requested too. */
  referenceRequest?: RequestReason;
}

export interface Plan {
  answers: PlannedAnswer[];
  /** The needs to request, each key once, in the order britney2 gave them. */
  requests: Need[];
}

/** Whether the rules of DESIGN.md ("Needs and the outbox") want this key asked for now. */
function requestReason(baseline: (suite: string, arch: string, pkg: string) => BaselineAnswer, facts: KeyFacts, settings: Settings, now: number): RequestReason | null {
  const { answer, evidence } = facts;
  if (answer.state === "missing") return answer.lost ? "lost" : "missing";
  if (answer.state === "pending") {
    // A run the CI service lists is never asked for again, however long it queues.
    if (evidence.some((e) => e.confirmed)) return null;
    const newest = maxOf(evidence.map((e) => e.since ?? Number.NEGATIVE_INFINITY)) ?? Number.NEGATIVE_INFINITY;
    return now - newest > settings.pendingMaxAgeMs ? "pending-too-long" : null;
  }
  if (answer.state === "fail" && settings.retryOlderThanMs !== null && !answer.inFlight) {
    const finished = facts.decidingRun?.updatedAt ?? null;
    if (finished === null || now - finished <= settings.retryOlderThanMs) return null;
    return baseline(answer.suite, answer.arch, answer.package).state === "pass" ? "retry" : null;
  }
  return null;
}

/**
 * Answers needs one at a time and collects the requests they call for, each
 * key once. Pure: the same knowledge, needs and `now` give the same plan.
 */
export class Planner {
  readonly requests: Need[] = [];
  private readonly decided = new Set<string>();
  /** Baselines depend only on the loaded state, and britney2 asks about each package many times. */
  private readonly baselines = new Map<number, BaselineAnswer>();

  constructor(
    private readonly index: KnowledgeIndex,
    private readonly settings: Settings,
    private readonly now: number,
  ) {}

  baseline(suite: string, arch: string, pkg: string): BaselineAnswer {
    // Cached by the run store's number for the package; a package with no runs is cheap to answer afresh.
    const key = this.index.knowledge.runs.packageKey(suite, arch, pkg);
    if (key === undefined) return baselineFor(this.index, suite, arch, pkg, this.settings);
    let baseline = this.baselines.get(key);
    if (baseline === undefined) {
      baseline = baselineFor(this.index, suite, arch, pkg, this.settings);
      this.baselines.set(key, baseline);
    }
    return baseline;
  }

  /** Whether this run requests the key. */
  isRequested(id: string): boolean {
    return this.decided.has(id);
  }

  /** Requests the need if its answer calls for it and nothing holds it back. */
  private consider(need: Need, id: string, facts: KeyFacts, due = requestReason((s, a, p) => this.baseline(s, a, p), facts, this.settings, this.now)): { request: RequestReason | null; held?: HoldReason } {
    if (due === null) return { request: null };
    if (facts.answer.rejected) return { request: null, held: "rejected" };
    if (this.index.isUnsent(id)) return { request: null, held: "unsent" };
    if (this.isRequested(id)) return { request: null, held: "duplicate" };
    this.requests.push(need);
    this.decided.add(id);
    return { request: due };
  }

  /**
   * A request someone else already decided on (britney2's AMQP output): sent
   * as it is, except that what is in flight, unsent, reject-listed or already
   * asked for in this run is still never asked twice.
   */
  addDecided(need: Need): PlannedAnswer {
    const id = keyId(need);
    const facts = factsFor(this.index, need, this.settings, id);
    const decision = facts.answer.inFlight ? { request: null, held: "in-flight" as const } : this.consider(need, id, facts, "imported");
    const baseline = this.baseline(need.suite, need.arch, need.package);
    const planned = plannedFrom(facts, decision, baseline);
    planned.label = labelFor(facts.answer, this.isRequested(id) || facts.answer.inFlight, baseline);
    return planned;
  }

  add(need: Need): PlannedAnswer {
    const id = keyId(need);
    const facts = factsFor(this.index, need, this.settings, id);
    const decision = this.consider(need, id, facts);
    const baseline = this.baseline(need.suite, need.arch, need.package);
    const planned = plannedFrom(facts, decision, baseline);
    if (facts.answer.state === "fail" && baselineVerdict(baseline) === "none") {
      // britney2: a failure cannot be judged without the reference run, so ask for it.
      const reference: Need = { suite: need.suite, arch: need.arch, package: need.package, trigger: REFERENCE_TRIGGER, triggers: REFERENCE_TRIGGER, pinPackages: [], huge: need.huge };
      const referenceId = keyId(reference);
      const asked = this.consider(reference, referenceId, factsFor(this.index, reference, this.settings, referenceId));
      if (asked.request !== null) planned.referenceRequest = asked.request;
    }
    planned.label = labelFor(facts.answer, this.isRequested(id) || this.index.isUnsent(id), baseline);
    return planned;
  }
}

/** The answer grown into a planned one in place: it was made for this question alone, and copying it costs. */
function plannedFrom(facts: KeyFacts, decision: { request: RequestReason | null; held?: HoldReason }, baseline: BaselineAnswer): PlannedAnswer {
  const planned = facts.answer as PlannedAnswer;
  planned.request = decision.request;
  if (decision.held !== undefined) planned.held = decision.held;
  planned.baseline = baseline.state;
  planned.label = null;
  return planned;
}

export function planNeeds(index: KnowledgeIndex, needs: readonly Need[], settings: Settings, now: number): Plan {
  const planner = new Planner(index, settings, now);
  const answers = needs.map((need) => planner.add(need));
  return { answers, requests: planner.requests };
}
