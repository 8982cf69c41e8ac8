import { factsFor, type KeyFacts } from "./answer.js";
import { baselineFor } from "./baseline.js";
import type { KnowledgeIndex } from "./knowledge.js";
import { maxOf } from "./numbers.js";
import { keyId } from "./test-key.js";
import type { Answer, Need, Settings } from "./types.js";

/** Why a need goes into the outbox. */
export type RequestReason = "missing" | "lost" | "pending-too-long" | "retry";

/** Why a need that might have been asked for is not. */
export type HoldReason = "rejected" | "unsent" | "duplicate";

export interface PlannedAnswer extends Answer {
  /** Set when this run requests the key; the reason says why. */
  request: RequestReason | null;
  /** Set when a request would otherwise be due but must not be sent. */
  held?: HoldReason;
}

export interface Plan {
  answers: PlannedAnswer[];
  /** The needs to request, each key once, in the order britney2 gave them. */
  requests: Need[];
}

/** Whether the rules of DESIGN.md ("Needs and the outbox") want this key asked for now. */
function requestReason(index: KnowledgeIndex, facts: KeyFacts, settings: Settings, now: number): RequestReason | null {
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
    return baselineFor(index, answer.suite, answer.arch, answer.package, settings).state === "pass" ? "retry" : null;
  }
  return null;
}

/**
 * Answers needs one at a time and collects the requests they call for, each
 * key once. Pure: the same knowledge, needs and `now` give the same plan.
 */
export class Planner {
  readonly answers: PlannedAnswer[] = [];
  readonly requests: Need[] = [];
  private readonly decided = new Set<string>();

  constructor(
    private readonly index: KnowledgeIndex,
    private readonly settings: Settings,
    private readonly now: number,
  ) {}

  add(need: Need): PlannedAnswer {
    const facts = factsFor(this.index, need, this.settings);
    const due = requestReason(this.index, facts, this.settings, this.now);
    const planned: PlannedAnswer = { ...facts.answer, request: null };
    if (due !== null) {
      const id = keyId(need);
      if (facts.answer.rejected) planned.held = "rejected";
      else if (this.index.isUnsent(need)) planned.held = "unsent";
      else if (this.decided.has(id)) planned.held = "duplicate";
      else {
        planned.request = due;
        this.requests.push(need);
        this.decided.add(id);
      }
    }
    this.answers.push(planned);
    return planned;
  }
}

export function planNeeds(index: KnowledgeIndex, needs: readonly Need[], settings: Settings, now: number): Plan {
  const planner = new Planner(index, settings, now);
  for (const need of needs) planner.add(need);
  return { answers: planner.answers, requests: planner.requests };
}
