import { factsFor, type KeyFacts } from "./answer.js";
import { baselineFor, type BaselineAnswer } from "./baseline.js";
import type { KnowledgeIndex } from "./knowledge.js";
import { maxOf } from "./numbers.js";
import { keyId } from "./test-key.js";
import { baselineVerdict, labelFor, type LabelledAnswer } from "./label.js";
import { REFERENCE_TRIGGER } from "./trigger.js";
import type { KeyQuery, Need, Settings } from "./types.js";

/** Why a need goes into the outbox. */
export type RequestReason = "missing" | "lost" | "pending-too-long" | "retry" | "imported";

/** Why a need that might have been asked for is not. */
export type HoldReason = "rejected" | "refused" | "unsent" | "duplicate" | "in-flight";

/** Whether a need is requested, and if not although due, why. */
interface Decision {
  request: RequestReason | null;
  held?: HoldReason;
}

export interface PlannedAnswer extends LabelledAnswer {
  /** Set when this run requests the key; the reason says why. */
  request: RequestReason | null;
  /** Set when a request would otherwise be due but must not be sent. */
  held?: HoldReason;
  /** Set when the key failed and the reference baseline is missing: its reference run is requested too. */
  referenceRequest?: RequestReason;
}

export interface Plan {
  answers: PlannedAnswer[];
  /** The needs to request, each key once, in the order britney2 gave them. */
  requests: Need[];
}

/** Whether the rules (docs/design.md, "Rules of the answers") want this key asked for now. */
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
  private consider(need: Need, id: string, facts: KeyFacts, due = requestReason((s, a, p) => this.baseline(s, a, p), facts, this.settings, this.now)): Decision {
    if (due === null) return { request: null };
    if (facts.answer.rejected) return { request: null, held: "rejected" };
    // The service refused this key: asking again each run would only be refused again. After the retry age it is asked once more.
    if (facts.refusal !== null && this.now - facts.refusal.refusedAt <= this.settings.refusedRetryMs) return { request: null, held: "refused" };
    if (this.index.isUnsent(id)) return { request: null, held: "unsent" };
    if (this.isRequested(id)) return { request: null, held: "duplicate" };
    this.requests.push(need);
    this.decided.add(id);
    return { request: due };
  }

  /** An answer grown, in place, into one with its baseline and britney2's label. */
  private labelled(facts: KeyFacts, id: string, baseline: BaselineAnswer): LabelledAnswer {
    const answer = facts.answer as LabelledAnswer;
    answer.baseline = baseline.state;
    // A key this run asks for, or that waits in the outbox, counts as running.
    answer.label = labelFor(answer, this.isRequested(id) || this.index.isUnsent(id), baseline);
    return answer;
  }

  /** A key's answer with its baseline and label, registering nothing. */
  describe(query: KeyQuery): LabelledAnswer {
    const id = keyId(query);
    return this.labelled(factsFor(this.index, query, this.settings, id), id, this.baseline(query.suite, query.arch, query.package));
  }

  /** Answers a need, lets `decide` say whether to request it, then labels it. */
  private plan(need: Need, decide: (id: string, facts: KeyFacts) => Decision): PlannedAnswer {
    const id = keyId(need);
    const facts = factsFor(this.index, need, this.settings, id);
    const decision = decide(id, facts);
    // Grown in place: the answer was made for this question alone, and copying it costs.
    const planned = facts.answer as PlannedAnswer;
    planned.request = decision.request;
    if (decision.held !== undefined) planned.held = decision.held;
    return this.labelled(facts, id, this.baseline(need.suite, need.arch, need.package)) as PlannedAnswer;
  }

  /**
   * A request someone else already decided on (britney2's AMQP output): sent
   * as it is, except that what is in flight, unsent, reject-listed or already
   * asked for in this run is still never asked twice.
   */
  addDecided(need: Need): PlannedAnswer {
    return this.plan(need, (id, facts) => (facts.answer.inFlight ? { request: null, held: "in-flight" } : this.consider(need, id, facts, "imported")));
  }

  add(need: Need): PlannedAnswer {
    const planned = this.plan(need, (id, facts) => this.consider(need, id, facts));
    if (planned.state === "fail" && baselineVerdict(this.baseline(need.suite, need.arch, need.package)) === "none") {
      // britney2: a failure cannot be judged without the reference run, so ask for it.
      const reference: Need = { suite: need.suite, arch: need.arch, package: need.package, trigger: REFERENCE_TRIGGER, triggers: REFERENCE_TRIGGER, pinPackages: [], huge: need.huge };
      const referenceId = keyId(reference);
      const asked = this.consider(reference, referenceId, factsFor(this.index, reference, this.settings, referenceId));
      if (asked.request !== null) planned.referenceRequest = asked.request;
    }
    return planned;
  }
}

export function planNeeds(index: KnowledgeIndex, needs: readonly Need[], settings: Settings, now: number): Plan {
  const planner = new Planner(index, settings, now);
  const answers = needs.map((need) => planner.add(need));
  return { answers, requests: planner.requests };
}
