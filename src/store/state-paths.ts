import { join, resolve } from "node:path";

/** Where each part of a state directory lives; every path can be overridden on its own. */
export interface StatePaths {
  stateDir: string;
  results: string;
  pending: string;
  ledger: string;
  outbox: string;
  rejectList: string;
  settings: string;
  lock: string;
  /** The compacted base: every run folded from earlier results files. */
  base: string;
}

export function statePaths(stateDir: string, overrides: Partial<Omit<StatePaths, "stateDir">> = {}): StatePaths {
  const dir = resolve(stateDir);
  return {
    stateDir: dir,
    results: resolve(overrides.results ?? join(dir, "results")),
    pending: resolve(overrides.pending ?? join(dir, "pending.json")),
    ledger: resolve(overrides.ledger ?? join(dir, "requested.json")),
    outbox: resolve(overrides.outbox ?? join(dir, "outbox")),
    rejectList: resolve(overrides.rejectList ?? join(dir, "reject-list.json")),
    settings: resolve(overrides.settings ?? join(dir, "debci-bridge.json")),
    lock: resolve(overrides.lock ?? join(dir, "debci-bridge.lock")),
    base: resolve(overrides.base ?? join(dir, "compacted.jsonl")),
  };
}
