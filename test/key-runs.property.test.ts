import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { emptyKnowledge, KnowledgeIndex } from "../src/core/knowledge.js";
import { mergeObservations } from "../src/core/observations.js";
import { RunStore } from "../src/core/run-store.js";
import { splitTriggers } from "../src/core/trigger.js";
import type { Need, Observation, TestKey } from "../src/core/types.js";
import { planNeeds } from "../src/core/plan.js";
import { DEFAULT_SETTINGS } from "../src/core/settings.js";

/**
 * The index finds a key's runs three ways: binary search over a group's
 * runs sorted by trigger id, a scan of a small group holding a run for
 * several triggers, and a per-group trigger index for a large one. All
 * three must find exactly the runs whose trigger list names the key's
 * trigger, as written plainly below. Groups here reach well past 32 runs
 * (the large-group threshold) with 40 triggers to a package.
 */
const TRIGGERS = Array.from({ length: 40 }, (_, i) => `src${i}/1.${i}-1`);
const T0 = Date.UTC(2026, 10, 20);

const observation = (multi: boolean) =>
  fc.record({
    runId: fc.integer({ min: 1, max: 1500 }),
    suite: fc.constant("testing"),
    arch: fc.constantFrom("amd64", "arm64"),
    package: fc.constantFrom("baz", "qux", "quux"),
    version: fc.constant("1.0-1"),
    status: fc.constantFrom("pass", "fail", null),
    trigger: multi
      ? fc.oneof(fc.constantFrom(...TRIGGERS), fc.tuple(fc.constantFrom(...TRIGGERS), fc.constantFrom(...TRIGGERS)).map(([a, b]) => `${a} ${b}`), fc.constant(null))
      : fc.oneof(fc.constantFrom(...TRIGGERS), fc.constant(null)),
    createdAt: fc.constant(T0),
    updatedAt: fc.integer({ min: 0, max: 6 }).map((h) => T0 + h * 3_600_000),
  }) as fc.Arbitrary<Observation>;

// size "max": fast-check otherwise keeps arrays to a handful of items, and the large-group paths would go untried.
const world = fc.boolean().chain((multi) => fc.array(observation(multi), { maxLength: 1200, size: "max" }));

const KEYS: TestKey[] = ["amd64", "arm64"].flatMap((arch) => ["baz", "qux", "quux", "absent"].flatMap((pkg) => [...TRIGGERS, "never/1"].map((trigger) => ({ suite: "testing", arch, package: pkg, trigger }))));

describe("a key's runs", () => {
  it("are exactly the runs of its package on its arch whose trigger list names its trigger, however the group is searched", () => {
    fc.assert(
      fc.property(world, (list) => {
        const store = mergeObservations(new RunStore(), list);
        const index = new KnowledgeIndex({ ...emptyKnowledge(), runs: store });
        const all = [...store.values()];
        for (const key of KEYS) {
          const found = index.runsFor(key).map((run) => run.runId).sort((a, b) => a - b);
          const expected = all
            .filter((run) => run.suite === key.suite && run.arch === key.arch && run.package === key.package && splitTriggers(run.trigger).includes(key.trigger))
            .map((run) => run.runId)
            .sort((a, b) => a - b);
          expect(found).toEqual(expected);
        }
      }),
      // No shrinking: shrinking a thousand-run world takes minutes, and the failing world is printed whole.
      { numRuns: 150, endOnFailure: true },
    );
  });

  it("stay none for a key with no run after every other key is answered and requested: the shared empty list is never written to", () => {
    // runsFor hands every key with no run the same empty list (not frozen: see NO_RUNS), so answering must only ever read it.
    const list: Observation[] = TRIGGERS.slice(0, 6).map((trigger, i) => ({ runId: i + 1, suite: "testing", arch: "amd64", package: "baz", version: "1.0-1", status: i % 2 === 0 ? "fail" : null, trigger, createdAt: T0, updatedAt: T0 + 3_600_000 }));
    const index = new KnowledgeIndex({ ...emptyKnowledge(), runs: mergeObservations(new RunStore(), list) });
    const needs: Need[] = KEYS.map((key) => ({ ...key, triggers: key.trigger, pinPackages: [], huge: false, version: "1.0-1" }));
    const plan = planNeeds(index, needs, DEFAULT_SETTINGS, T0 + 86_400_000);
    expect(plan.requests.length).toBeGreaterThan(0);
    for (const key of KEYS) if (key.package !== "baz" || key.arch !== "amd64" || !TRIGGERS.slice(0, 6).includes(key.trigger)) expect(index.runsFor(key)).toEqual([]);
  });
});
