import type { Observation } from "./types.js";

/**
 * The merge rule for observations of one run: the latest `updated_at` wins,
 * and at equal `updated_at` a finished one beats `null`. Remaining ties are
 * broken on the content itself, so the winner never depends on load order.
 */
export function compareObservations(a: Observation, b: Observation): number {
  const at = a.updatedAt ?? Number.NEGATIVE_INFINITY;
  const bt = b.updatedAt ?? Number.NEGATIVE_INFINITY;
  if (at !== bt) return at < bt ? -1 : 1;
  const af = a.status === null ? 0 : 1;
  const bf = b.status === null ? 0 : 1;
  if (af !== bf) return af - bf;
  const ac = canonical(a);
  const bc = canonical(b);
  return ac < bc ? -1 : ac > bc ? 1 : 0;
}

function canonical(o: Observation): string {
  return JSON.stringify([o.status, o.version, o.trigger, o.suite, o.arch, o.package, o.createdAt]);
}

/** Whether two observations are of one run: the same suite, arch, package and trigger string (null included). */
export function sameRun(a: Observation, b: Observation): boolean {
  return a.package === b.package && a.arch === b.arch && a.suite === b.suite && a.trigger === b.trigger;
}

/**
 * Folds observations into the latest per run_id. Idempotent, and
 * order-independent as long as no run id stands for two runs; when one
 * does, the first observation's run stands (RunStore.merge), so the order
 * given is the order that decides.
 */
export function mergeObservations<S extends { merge(o: Observation): unknown }>(into: S, observations: Iterable<Observation>): S {
  for (const o of observations) into.merge(o);
  return into;
}

/** Whether run a is later than run b for answering: by updated_at, then run_id. */
export function later(a: Pick<Observation, "updatedAt" | "runId">, b: Pick<Observation, "updatedAt" | "runId"> | null): boolean {
  if (b === null) return true;
  const at = a.updatedAt ?? Number.NEGATIVE_INFINITY;
  const bt = b.updatedAt ?? Number.NEGATIVE_INFINITY;
  return at !== bt ? at > bt : a.runId > b.runId;
}

/** The latest run of a list by `later`, or null for an empty list. */
export function latestRun(runs: Iterable<Observation>): Observation | null {
  let best: Observation | null = null;
  for (const run of runs) if (later(run, best)) best = run;
  return best;
}
