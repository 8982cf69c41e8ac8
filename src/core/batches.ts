import { keyTrigger } from "./trigger.js";
import type { BatchBody, BatchGroup, Need } from "./types.js";

/** Batch file names carry the run's time and a unique token: `20261125T120000Z-3f9a1c2b.json`, `.huge.json` for huge runs. */
const BATCH_NAME = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z-([0-9a-z]+)(\.huge)?\.json$/;

export function batchName(now: number, token: string, huge: boolean): string {
  const stamp = new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
  return `${stamp}-${token}${huge ? ".huge" : ""}.json`;
}

export function parseBatchName(name: string): { requestedAt: number; huge: boolean } | null {
  const m = BATCH_NAME.exec(name);
  if (m === null) return null;
  const requestedAt = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return { requestedAt, huge: m[8] !== undefined };
}

/**
 * Groups requests into one batch body per suite and arch, in a stable order
 * (suite, arch, then the order britney2 gave the needs).
 */
export function batchBody(requests: readonly Need[]): BatchBody {
  // By suite, then arch: two small maps, no string made per request to key them.
  const bySuite = new Map<string, Map<string, BatchGroup>>();
  const groups: BatchGroup[] = [];
  for (const need of requests) {
    let byArch = bySuite.get(need.suite);
    if (byArch === undefined) {
      byArch = new Map();
      bySuite.set(need.suite, byArch);
    }
    let group = byArch.get(need.arch);
    if (group === undefined) {
      group = { suite: need.suite, arch: [need.arch], tests: [] };
      byArch.set(need.arch, group);
      groups.push(group);
    }
    group.tests.push({ package: need.package, trigger: need.triggers, "pin-packages": need.pinPackages });
  }
  return groups.sort((a, b) => (a.suite === b.suite ? cmp(a.arch[0]!, b.arch[0]!) : cmp(a.suite, b.suite)));
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The requests a batch body carries, one per suite, arch and test: the inverse of batchBody. */
export function* batchRequests(body: BatchBody, huge: boolean): Generator<Need> {
  for (const group of body) {
    for (const arch of group.arch) {
      for (const test of group.tests) {
        const trigger = keyTrigger(test.trigger);
        if (trigger === undefined) continue;
        yield { suite: group.suite, arch, package: test.package, trigger, triggers: test.trigger, pinPackages: test["pin-packages"], huge };
      }
    }
  }
}

export interface PlannedBatch {
  name: string;
  huge: boolean;
  body: BatchBody;
  requests: Need[];
}

/** Splits requests into the batches one commit writes: normal runs, and huge runs on their own. */
export function planBatches(requests: readonly Need[], now: number, token: string): PlannedBatch[] {
  const out: PlannedBatch[] = [];
  for (const huge of [false, true]) {
    const part = requests.filter((r) => r.huge === huge);
    if (part.length > 0) out.push({ name: batchName(now, token, huge), huge, body: batchBody(part), requests: part });
  }
  return out;
}
