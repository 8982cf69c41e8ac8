/**
 * The faults the soak injects, each at its rate, all from one seeded
 * stream: the fake's own faults on the next requests of a fetch or submit
 * (a proxy's 500, a hang, a cut body, an answer lost after the POST was
 * handled), outages of several hours (the workers keep running), and
 * SIGKILL of plan and submit a short while after they start. Dropped jobs
 * are the workers' (debci-workers.ts). Counts what was due and what
 * actually happened. What is due is a function of the seed alone: the
 * stream is drawn from the same way whatever the processes did.
 */
import type { Fault, FakeDebci } from "../test/support/fake-debci.js";
import { seededRandom } from "../test/support/random.js";
import type { FaultRates } from "./options.js";

export const FAULT_KINDS = [
  "http-500",
  "hang",
  "truncated-body",
  "lost-answer-reset",
  "lost-answer-500",
  "lost-answer-hang",
  "outage-refused",
  "outage-503",
  "sigkill-plan",
  "sigkill-submit",
  "dropped-job",
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const OF_FAKE: Partial<Record<Fault, FaultKind>> = {
  "500": "http-500",
  hang: "hang",
  truncate: "truncated-body",
  "handle-then-reset": "lost-answer-reset",
  "handle-then-500": "lost-answer-500",
  "handle-then-hang": "lost-answer-hang",
};

const HOUR = 3_600_000;

export interface Outage {
  kind: "refused" | "503";
  from: number;
  until: number;
}

export class Faults {
  /**
   * Due: the seeded stream called for it (a function of the seed alone); injected: it happened (a
   * request met the fake's fault, a process was still running when the kill came, a command met
   * the outage). A fault due on a submit with nothing to send waits for the next submit that has.
   */
  readonly counts = Object.fromEntries(FAULT_KINDS.map((k) => [k, { due: 0, injected: 0 }])) as Record<FaultKind, { due: number; injected: number }>;
  readonly outages: Outage[] = [];
  /** Whether a fault is due, and its kind: drawn the same way whatever the processes did. */
  private readonly random: () => number;
  /** Where and after how many requests a fault meets a request: drawn only when it is set up. */
  private readonly placement: () => number;
  private armed: Fault[] = [];
  /** Faults due on submits that had nothing to send. */
  private waitingForPosts: Fault[] = [];

  constructor(
    readonly rates: FaultRates,
    seed: number,
  ) {
    this.random = seededRandom(seed * 40_503 + 99);
    this.placement = seededRandom(seed * 7_919 + 3);
  }

  /**
   * At the start of each simulated day: its outages (outagePerDay of them on average), each of 2-6
   * hours from some hour of the day, refused and 503 in turn from a random first.
   */
  planDay(dayStart: number): void {
    const rate = this.rates.outagePerDay;
    const n = Math.floor(rate) + (this.random() < rate - Math.floor(rate) ? 1 : 0);
    for (let i = 0; i < n; i++) {
      const from = dayStart + Math.floor(this.random() * 24) * HOUR + 30 * 60_000;
      const hours = 2 + Math.floor(this.random() * 5);
      this.outageTurn ??= this.random() < 0.5 ? 0 : 1;
      const kind = this.outageTurn++ % 2 === 0 ? "refused" : "503";
      this.outages.push({ kind, from, until: from + hours * HOUR });
      this.counts[`outage-${kind}`].due++;
    }
  }

  private outageTurn: number | undefined;
  private lostTurn = 0;

  /** The outage under way at `t`, if any (counted injected once a command met it). */
  outageAt(t: number): Outage | null {
    return this.outages.find((o) => o.from <= t && t < o.until) ?? null;
  }

  private readonly metOutages = new Set<Outage>();
  met(outage: Outage): void {
    if (this.metOutages.has(outage)) return;
    this.metOutages.add(outage);
    this.counts[`outage-${outage.kind}`].injected++;
  }

  /** Sets a fault up on one of the next `requests` requests to one of `paths`. */
  private arm(fake: FakeDebci, fault: Fault, paths: string[], requests: number): void {
    const path = paths[Math.floor(this.placement() * paths.length)]!;
    fake.inject(fault, path, 1, Math.floor(this.placement() * requests));
    this.armed.push(fault);
  }

  private due(fault: Fault): Fault {
    this.counts[OF_FAKE[fault]!].due++;
    return fault;
  }

  /** Before a fetch: its GETs of results (and the pending window) and of the reject list. */
  armFetch(fake: FakeDebci): void {
    const gets = ["/api/v1/test", "/api/v1/test", "/api/v1/reject_list"];
    if (this.random() < this.rates.http500) this.arm(fake, this.due("500"), gets, 2);
    if (this.random() < this.rates.hang) this.arm(fake, this.due("hang"), gets, 2);
    if (this.random() < this.rates.truncate) this.arm(fake, this.due("truncate"), ["/api/v1/test"], 2);
  }

  /**
   * Before a submit that has `posts` POSTs to make (one per suite and arch of each batch in the
   * outbox) to /api/v1/test/SUITE/ARCH: each fault due on one of them. The three ways of losing
   * an answer take turns. With nothing to send, the faults due wait for the next submit.
   */
  armSubmit(fake: FakeDebci, posts: number): void {
    const due: Fault[] = [];
    if (this.random() < this.rates.http500) due.push(this.due("500"));
    if (this.random() < this.rates.hang) due.push(this.due("hang"));
    if (this.random() < this.rates.lostAnswer) {
      const kinds: Fault[] = ["handle-then-reset", "handle-then-500", "handle-then-hang"];
      due.push(this.due(kinds[this.lostTurn++ % kinds.length]!));
    }
    this.waitingForPosts.push(...due);
    if (posts === 0) return;
    for (const fault of this.waitingForPosts) this.arm(fake, fault, ["/api/v1/test/"], posts);
    this.waitingForPosts = [];
  }

  /** After the command: the faults no request met are dropped; the rest were injected. */
  disarm(fake: FakeDebci): void {
    const unmet = fake.clearFaults();
    for (const fault of this.armed) {
      const i = unmet.indexOf(fault);
      if (i !== -1) unmet.splice(i, 1);
      else this.counts[OF_FAKE[fault]!].injected++;
    }
    this.armed = [];
  }

  /** Whether to SIGKILL this cycle's plan or submit, and after how long (a share of how long it usually takes). */
  killAfter(kind: "sigkill-plan" | "sigkill-submit", typicalMs: number): number | null {
    const rate = kind === "sigkill-plan" ? this.rates.killPlan : this.rates.killSubmit;
    if (this.random() >= rate) return null;
    this.counts[kind].due++;
    return Math.max(20, Math.round(typicalMs * (0.15 + this.random() * 0.85)));
  }

  killed(kind: "sigkill-plan" | "sigkill-submit"): void {
    this.counts[kind].injected++;
  }
}
