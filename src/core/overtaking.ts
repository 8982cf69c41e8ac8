import type { RunStore } from "./run-store.js";

/**
 * How far the CI service's queue for a suite and arch has moved past a
 * moment: for a creation time, when the n-th run created after it finished.
 *
 * debci serves each arch's queue by priority and then age (one AMQP queue
 * per arch with x-max-priority, workers taking one job at a time), so a run
 * of ours still waiting is taken before any run of ours created after it at
 * the same or a lower priority. Once n of those have finished, ours was
 * taken (and is running) or was dropped. All runs in the state are this
 * side's own: debci's results API lists only the caller's requests.
 */
export class Overtaking {
  /** By "suiteId arch­Id": finished runs' creation times, ascending, and nth[i]: the n-th earliest finish among positions i and after. */
  private byQueue: Map<number, { created: Float64Array; nth: Float64Array }> | null = null;

  constructor(
    private readonly store: RunStore,
    /** How many later runs must have finished (the overtakenBy setting). */
    private readonly n: number,
  ) {}

  /**
   * When the n-th run on the suite and arch created strictly after
   * `created` finished (its end time as debci reports it); +Infinity while
   * fewer than n have.
   */
  nthFinishAfter(suite: string, arch: string, created: number): number {
    const suiteId = this.store.suiteId(suite);
    const archId = this.store.archId(arch);
    if (suiteId === undefined || archId === undefined) return Number.POSITIVE_INFINITY;
    const queue = this.queues().get(queueNumber(suiteId, archId));
    if (queue === undefined) return Number.POSITIVE_INFINITY;
    // First position created strictly after `created`.
    let lo = 0;
    let hi = queue.created.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (queue.created[mid]! <= created) lo = mid + 1;
      else hi = mid;
    }
    return queue.nth[lo]!;
  }

  /** Built on first use, in one pass over the store: most plans have no run left unfinished to judge. */
  private queues(): Map<number, { created: Float64Array; nth: Float64Array }> {
    if (this.byQueue !== null) return this.byQueue;
    const rows = new Map<number, number[]>();
    for (let row = 0; row < this.store.size; row++) {
      const run = this.store.brief(row);
      // Finished (tmpfail too: a worker took it), with both times known.
      if (run.status === null || run.createdAt === null || run.updatedAt === null) continue;
      const queue = queueNumber(this.store.suiteIdOf(row), this.store.archIdOf(row));
      let list = rows.get(queue);
      if (list === undefined) rows.set(queue, (list = []));
      list.push(run.createdAt, run.updatedAt);
    }
    this.byQueue = new Map();
    for (const [queue, pairs] of rows) this.byQueue.set(queue, suffixNth(pairs, this.n));
    return this.byQueue;
  }
}

function queueNumber(suiteId: number, archId: number): number {
  // Ids are table positions, far below 2^26 each.
  return suiteId * 2 ** 26 + archId;
}

/** Sorts (created, finished) pairs by creation and, walking back from the newest, keeps the n earliest finishes seen. */
function suffixNth(pairs: number[], n: number): { created: Float64Array; nth: Float64Array } {
  const count = pairs.length / 2;
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => pairs[2 * a]! - pairs[2 * b]!);
  const created = new Float64Array(count);
  const nth = new Float64Array(count + 1);
  nth[count] = Number.POSITIVE_INFINITY;
  // The n earliest finishes among the positions walked so far, ascending.
  const earliest: number[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const k = order[i]!;
    created[i] = pairs[2 * k]!;
    const finished = pairs[2 * k + 1]!;
    if (earliest.length < n || finished < earliest[earliest.length - 1]!) {
      let at = earliest.length;
      while (at > 0 && earliest[at - 1]! > finished) at--;
      earliest.splice(at, 0, finished);
      if (earliest.length > n) earliest.pop();
    }
    nth[i] = earliest.length < n ? Number.POSITIVE_INFINITY : earliest[n - 1]!;
  }
  return { created, nth };
}
