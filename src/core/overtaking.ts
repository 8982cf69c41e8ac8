import type { RunStore } from "./run-store.js";

/**
 * How far the CI service's queue for a suite and arch has moved past a
 * moment: for a creation time, when the n-th run created after it finished.
 *
 * debci serves each arch's queue by priority and then age (one AMQP queue
 * per arch and backend with x-max-priority, workers taking one job at a
 * time), so a run of ours still waiting is taken before any run of ours
 * created after it at the same or a lower priority. Once n of those have
 * finished, ours was taken (and may be running) or was dropped. All runs in
 * the state are this side's own: debci's results API lists only the
 * caller's requests.
 */
export class Overtaking {
  private constructor(
    /** By suite and arch ("suite arch"): the queue's finished runs. */
    private readonly queues: ReadonlyMap<string, Queue>,
  ) {}

  /** Every finished run of the store (each queue at every priority): what a normal request's run waits behind. */
  static ofStore(store: RunStore, n: number): Overtaking {
    return new Overtaking(new Map(store.finishedQueues().map((q) => [queueName(q.suite, q.arch), suffixNth(q.createdSeconds, q.finished, n)])));
  }

  /** The given finished runs only (the huge requests' runs: their own, lower, queue). */
  static ofRuns(runs: Iterable<{ suite: string; arch: string; createdAt: number; finishedAt: number }>, n: number): Overtaking {
    const byQueue = new Map<string, { created: number[]; finished: number[] }>();
    for (const run of runs) {
      const name = queueName(run.suite, run.arch);
      let queue = byQueue.get(name);
      if (queue === undefined) byQueue.set(name, (queue = { created: [], finished: [] }));
      queue.created.push(Math.floor(run.createdAt / 1000));
      queue.finished.push(run.finishedAt);
    }
    return new Overtaking(new Map([...byQueue].map(([name, q]) => [name, suffixNth(Float64Array.from(q.created), Float64Array.from(q.finished), n)])));
  }

  /**
   * When the n-th run on the suite and arch created after `created` (in a
   * later second: debci's times are whole seconds, and a tie proves
   * nothing) finished, as debci reports its end; +Infinity while fewer
   * than n have.
   */
  nthFinishAfter(suite: string, arch: string, created: number): number {
    const queue = this.queues.get(queueName(suite, arch));
    if (queue === undefined) return Number.POSITIVE_INFINITY;
    const second = Math.floor(created / 1000);
    // First position created in a later second.
    let lo = 0;
    let hi = queue.seconds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (queue.seconds[mid]! <= second) lo = mid + 1;
      else hi = mid;
    }
    return queue.nth[lo]!;
  }
}

/** One string for a suite and arch, unambiguous whatever the names hold. */
function queueName(suite: string, arch: string): string {
  return JSON.stringify([suite, arch]);
}

/** A queue's finished runs by creation second, ascending, and nth[i]: the n-th earliest end among positions i and after. */
interface Queue {
  seconds: Float64Array;
  nth: Float64Array;
}

/**
 * The positions of `seconds` in ascending order: a native sort of (second,
 * position) packed in one double where they fit. Null when they are in
 * order already: debci numbers runs as it creates them, and states hold
 * them in run-id order, so usually there is nothing to sort, and then
 * neither an order nor a sorted copy is made.
 */
function ascending(seconds: Float64Array): Uint32Array | null {
  const count = seconds.length;
  let sorted = true;
  for (let i = 1; i < count && sorted; i++) sorted = seconds[i - 1]! <= seconds[i]!;
  if (sorted) return null;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < count; i++) {
    if (seconds[i]! < min) min = seconds[i]!;
    if (seconds[i]! > max) max = seconds[i]!;
  }
  // Seconds within 2^32 of each other (a state spans months): two stable 16-bit counting passes, linear in the runs.
  if (count >= RADIX_FROM && max - min < 2 ** 32) return radixAscending(seconds, min);
  const span = 2 ** Math.ceil(Math.log2(count + 1));
  if (count > 0 && (max - min + 1) * span < 2 ** 53) {
    const keys = new Float64Array(count);
    for (let i = 0; i < count; i++) keys[i] = (seconds[i]! - min) * span + i;
    keys.sort();
    const order = new Uint32Array(count);
    for (let i = 0; i < count; i++) order[i] = keys[i]! % span;
    return order;
  }
  return Uint32Array.from({ length: count }, (_, i) => i).sort((a, b) => seconds[a]! - seconds[b]!);
}

/** Below this many runs a native sort is as quick as two counting passes over 65,536 buckets. */
const RADIX_FROM = 1 << 14;

/** The positions of `seconds` in ascending order, ties in position order (as the packed sort gives them): an LSD radix sort of seconds - min. */
function radixAscending(seconds: Float64Array, min: number): Uint32Array {
  const count = seconds.length;
  const low = new Uint16Array(count);
  const high = new Uint16Array(count);
  for (let i = 0; i < count; i++) {
    const offset = seconds[i]! - min;
    low[i] = offset % 65536;
    high[i] = Math.floor(offset / 65536);
  }
  const byLow = countingPass(low, null);
  return countingPass(high, byLow);
}

/** One stable counting pass: `order` (or 0..n-1) rearranged by digit. */
function countingPass(digits: Uint16Array, order: Uint32Array | null): Uint32Array {
  const count = digits.length;
  const starts = new Uint32Array(65537);
  for (let i = 0; i < count; i++) starts[digits[i]! + 1]!++;
  for (let d = 1; d <= 65536; d++) starts[d]! += starts[d - 1]!;
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const position = order === null ? i : order[i]!;
    out[starts[digits[position]!]!++] = position;
  }
  return out;
}

/**
 * Walking back from the newest, keeps the n earliest ends seen so far
 * (ascending, n is small). `seconds` becomes the queue's own when it is in
 * order: the caller hands over arrays it no longer needs.
 */
function suffixNth(seconds: Float64Array, finished: Float64Array, n: number): Queue {
  const count = seconds.length;
  const order = ascending(seconds);
  const sorted = order === null ? seconds : new Float64Array(count);
  const nth = new Float64Array(count + 1);
  nth[count] = Number.POSITIVE_INFINITY;
  const earliest = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  for (let i = count - 1; i >= 0; i--) {
    const k = order === null ? i : order[i]!;
    if (order !== null) sorted[i] = seconds[k]!;
    const end = finished[k]!;
    if (end < earliest[n - 1]!) {
      let at = n - 1;
      while (at > 0 && earliest[at - 1]! > end) {
        earliest[at] = earliest[at - 1]!;
        at--;
      }
      earliest[at] = end;
    }
    nth[i] = earliest[n - 1]!;
  }
  return { seconds: sorted, nth };
}
