import { factsFor, type KeyFacts } from "./answer.js";
import { baselineBasis, baselineFor, withVersions, type BaselineAnswer, type BaselineBasis } from "./baseline.js";
import type { KnowledgeIndex } from "./knowledge.js";
import { maxOf } from "./numbers.js";
import { KeyMap, type KeyPlace } from "./key-numbers.js";
import { labelFor, wantsReference, type LabelContext, type LabelledAnswer } from "./label.js";
import { linksFor } from "./links.js";
import { HOLD_REASONS, REQUEST_REASONS, type HoldReason, type PlannedAnswer, type RequestReason } from "./answer-shapes.js";
import { isOld } from "./grade.js";
import { NO_HINTS, hasForceBadtest, type Hint } from "./hints.js";
import { REFERENCE_TRIGGER } from "./trigger.js";
import type { KeyQuery, Need, Settings } from "./types.js";

export type { HoldReason, PlannedAnswer, RequestReason } from "./answer-shapes.js";

/** Whether a need is requested, and if not although due, why. */
interface Decision {
  request: RequestReason | null;
  held?: HoldReason;
}

export interface Plan {
  answers: PlannedAnswer[];
  /** The needs to request, each key once, in the order britney2 gave them. */
  requests: Need[];
}

/**
 * Whether the rules (docs/design.md, "Rules of the answers") want this key
 * asked for now. As britney2's pkg_test_request: an old result is asked for
 * again; a failure older than ADT_RETRY_OLDER_THAN whose baseline passed (or
 * had no tests, old or not) is retried; never while a run is in flight.
 */
function requestReason(baseline: BaselineAnswer, facts: KeyFacts, settings: Settings, now: number, again: boolean): RequestReason | null {
  const { answer, evidence } = facts;
  if (answer.state === "missing") return !answer.lost ? "missing" : answer.overtaken !== undefined ? "overtaken" : "lost";
  if (answer.state === "pending") {
    // A run the CI service lists is never asked for again, however long it queues.
    if (evidence.some((e) => e.confirmed)) return null;
    const newest = maxOf(evidence.map((e) => e.lastSeen ?? e.since ?? Number.NEGATIVE_INFINITY)) ?? Number.NEGATIVE_INFINITY;
    return now - newest > settings.pendingMaxAgeMs ? "pending-too-long" : null;
  }
  if (answer.inFlight) return null;
  if (isOld(answer.result ?? null)) return "old";
  if (again) return "again";
  if (answer.result === "FAIL" && settings.retryOlderThanMs !== null && RETRY_BASELINES.has(baseline.result)) {
    const finished = facts.decidingRun?.updatedAt ?? null;
    if (finished !== null && now - finished > settings.retryOlderThanMs) return "retry";
  }
  return null;
}

const RETRY_BASELINES = new Set(["PASS", "NEUTRAL", "OLD_PASS", "OLD_NEUTRAL"]);

/**
 * What an unreadable file may be hiding: the result that answers a missing
 * or lost key, that ends a run pending too long, or that is newer than an
 * old or failed one. Requests for these wait until the knowledge is whole;
 * `again` (asked for by name) and `imported` (decided by britney2) go.
 */
const HELD_WHEN_INCOMPLETE: ReadonlySet<RequestReason> = new Set(["missing", "lost", "overtaken", "pending-too-long", "old", "retry"]);

const noBadtest = () => false;

/** Decisions are few and never changed: made once, not per need. */
const NOT_DUE: Decision = Object.freeze({ request: null });
const HELD = Object.freeze(Object.fromEntries(HOLD_REASONS.map((held) => [held, Object.freeze({ request: null, held })]))) as Readonly<Record<HoldReason, Decision>>;
const REQUESTED = Object.freeze(Object.fromEntries(REQUEST_REASONS.map((reason) => [reason, Object.freeze({ request: reason })]))) as Readonly<Record<RequestReason, Decision>>;

/**
 * Answers needs one at a time and collects the requests they call for, each
 * key once. Pure: the same knowledge, needs, hints and `now` give the same plan.
 */
export class Planner {
  readonly requests: Need[] = [];
  /** Key numbers (KeyNumbers) of the keys this run requests. */
  private readonly decided = new KeyMap<true>();
  /**
   * Baselines depend only on the loaded state and the package's current
   * versions; britney2 asks about each package many times. Kept by group
   * number before versions (baselineBasis), judged against each question's
   * versions (withVersions): one computation per package.
   */
  private readonly baselines = new Map<number, BaselineBasis>();
  private readonly labelContext: LabelContext;

  constructor(
    private readonly index: KnowledgeIndex,
    private readonly settings: Settings,
    private readonly now: number,
    private readonly hints: readonly Hint[] = NO_HINTS,
    /** Part of the knowledge could not be read: hold what only lack of knowledge would request (see HELD_WHEN_INCOMPLETE). */
    private readonly incomplete = false,
  ) {
    this.labelContext = { settings, requested: false, testInTarget: true, badtest: noBadtest, testedVersion: undefined };
  }

  baseline(suite: string, arch: string, pkg: string, versions?: readonly string[], group = this.index.numbers.group(suite, arch, pkg)): BaselineAnswer {
    // Cached by the package's group number; a package nothing mentions is cheap to answer afresh.
    if (group < 0) return baselineFor(this.index, suite, arch, pkg, this.settings, this.now, versions);
    let basis = this.baselines.get(group);
    if (basis === undefined) {
      basis = baselineBasis(this.index, suite, arch, pkg, this.settings, this.now, group);
      this.baselines.set(group, basis);
    }
    return withVersions(basis, versions);
  }

  /** The baseline a query is judged against: its package's, with the versions it says are current. */
  private baselineOf(query: KeyQuery, place: KeyPlace): BaselineAnswer {
    return this.baseline(query.suite, query.arch, query.package, query.versions ?? (query.version === undefined ? undefined : [query.version]), place.group);
  }

  /** Whether this run requests the key. */
  isRequested(place: KeyPlace): boolean {
    // A key this run requests is numbered when requested: one without a number is not.
    return this.decided.get(place) === true;
  }

  /** Whether the rules would request the need, and if not although due, why; registers nothing. */
  private decide(need: KeyQuery & { again?: boolean }, place: KeyPlace, facts: KeyFacts, baseline: BaselineAnswer, due = requestReason(baseline, facts, this.settings, this.now, need.again === true)): Decision {
    if (due === null) return NOT_DUE;
    if (facts.answer.rejected) return HELD.rejected;
    // The service refused this key: asking again each run would only be refused again. After the retry age it is asked once more.
    if (facts.refusal !== null && this.now - facts.refusal.refusedAt <= this.settings.refusedRetryMs) return HELD.refused;
    if (this.incomplete && HELD_WHEN_INCOMPLETE.has(due)) return HELD.incomplete;
    if (this.index.isUnsent(place)) return HELD.unsent;
    if (this.isRequested(place)) return HELD.duplicate;
    return REQUESTED[due];
  }

  /** Requests the need if its answer calls for it and nothing holds it back. */
  private consider(need: Need, place: KeyPlace, facts: KeyFacts, baseline: BaselineAnswer, due?: RequestReason | null): Decision {
    const decision = due === undefined ? this.decide(need, place, facts, baseline) : this.decide(need, place, facts, baseline, due);
    if (decision.request !== null) {
      this.requests.push(need);
      // A key nothing loaded mentions is numbered now; the question's place learns its number.
      if (place.key < 0) this.index.numbers.complete(place, need);
      this.decided.set(place, true);
    }
    return decision;
  }

  /** An answer grown, in place, into one with its baseline and britney2's label. */
  private labelled(facts: KeyFacts, place: KeyPlace, query: KeyQuery, baseline: BaselineAnswer, wouldRequest = false): LabelledAnswer {
    const answer = facts.answer as LabelledAnswer;
    answer.baseline = baseline.state;
    answer.baselineResult = baseline.result;
    const requested = wouldRequest || this.isRequested(place) || this.index.isUnsent(place);
    // One context refilled per answer (labelFor keeps none of it), not an object per answer.
    const context = this.labelContext;
    context.requested = requested;
    context.testInTarget = query.testInTarget !== false;
    // No hints, no closure: the common case.
    context.badtest = this.hints.length === 0 ? noBadtest : (version) => hasForceBadtest(this.hints, query.package, version, query.arch);
    context.testedVersion = query.version;
    answer.label = labelFor(answer, baseline, context);
    if (answer.label === null) answer.noLabel = answer.rejected ? "reject-listed" : facts.refusal !== null ? "refused" : "not-requested";
    if (this.settings.ciUrl !== null) answer.links = linksFor(this.settings.ciUrl, answer, baseline);
    return answer;
  }

  private facts(query: KeyQuery, place: KeyPlace): KeyFacts {
    return factsFor(this.index, query, this.settings, place, this.now);
  }

  /** A key's answer with its baseline and label, registering nothing. */
  describe(query: KeyQuery): LabelledAnswer {
    const place = this.index.place(query);
    return this.labelled(this.facts(query, place), place, query, this.baselineOf(query, place));
  }

  /**
   * What `add` would answer and whether it would request the key, registering
   * nothing: britney2 may ask before it decides (a side-effect-free question).
   */
  preview(need: Need): PlannedAnswer {
    const place = this.index.place(need);
    const facts = this.facts(need, place);
    const baseline = this.baselineOf(need, place);
    const decision = this.decide(need, place, facts, baseline);
    const planned = this.labelled(facts, place, need, baseline, decision.request !== null) as PlannedAnswer;
    planned.request = decision.request;
    if (decision.held !== undefined) planned.held = decision.held;
    return planned;
  }

  /**
   * Answers a need, decides whether to request it (as the rules say, or as
   * britney2 decided: `imported`), then labels it. The baseline is found
   * once for all three.
   */
  private plan(need: Need, place: KeyPlace, baseline: BaselineAnswer, imported: boolean): PlannedAnswer {
    const facts = this.facts(need, place);
    const decision = !imported ? this.consider(need, place, facts, baseline) : facts.answer.inFlight ? HELD["in-flight"] : this.consider(need, place, facts, baseline, "imported");
    // Grown in place: the answer was made for this question alone, and copying it costs.
    const planned = facts.answer as PlannedAnswer;
    planned.request = decision.request;
    if (decision.held !== undefined) planned.held = decision.held;
    return this.labelled(facts, place, need, baseline) as PlannedAnswer;
  }

  /**
   * A request someone else already decided on (britney2's AMQP output): sent
   * as it is, except that what is in flight, unsent, reject-listed or already
   * asked for in this run is still never asked twice.
   */
  addDecided(need: Need): PlannedAnswer {
    const place = this.index.place(need);
    return this.plan(need, place, this.baselineOf(need, place), true);
  }

  add(need: Need): PlannedAnswer {
    const place = this.index.place(need);
    const baseline = this.baselineOf(need, place);
    const planned = this.plan(need, place, baseline, false);
    if (wantsReference(planned, baseline, need.testInTarget !== false)) {
      // britney2: a failure cannot be judged without a current reference run, so ask for it; in the normal
      // queue whatever the need's, as its request_test_if_not_queued(src, arch, REF_TRIG) leaves huge False.
      const reference: Need = { suite: need.suite, arch: need.arch, package: need.package, trigger: REFERENCE_TRIGGER, triggers: REFERENCE_TRIGGER, pinPackages: [], huge: false };
      if (need.versions !== undefined) reference.versions = need.versions;
      else if (need.version !== undefined) reference.version = need.version;
      // The same package, so the same group and baseline (the reference carries the need's versions): only the trigger is looked up.
      const referencePlace = place.group >= 0 ? this.index.numbers.placeInGroup(place.group, REFERENCE_TRIGGER) : this.index.place(reference);
      const asked = this.consider(reference, referencePlace, this.facts(reference, referencePlace), baseline);
      if (asked.request !== null) planned.referenceRequest = asked.request;
    }
    return planned;
  }
}

export function planNeeds(index: KnowledgeIndex, needs: readonly Need[], settings: Settings, now: number, hints: readonly Hint[] = NO_HINTS): Plan {
  const planner = new Planner(index, settings, now, hints);
  const answers = needs.map((need) => planner.add(need));
  return { answers, requests: planner.requests };
}
