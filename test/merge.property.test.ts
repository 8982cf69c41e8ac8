import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { answerKey } from "../src/core/answer.js";
import { baselineFor } from "../src/core/baseline.js";
import { emptyKnowledge, KnowledgeIndex } from "../src/core/knowledge.js";
import { compareObservations, mergeObservations, sameRun } from "../src/core/observations.js";
import { RunStore, TABLE_NAMES } from "../src/core/run-store.js";
import { DEFAULT_SETTINGS } from "../src/core/settings.js";
import { REFERENCE_TRIGGER } from "../src/core/trigger.js";
import type { Observation, TestKey } from "../src/core/types.js";

const T0 = Date.UTC(2026, 10, 20);
const TRIGGERS = ["glibc/2.41-7", "gcc-14/14.2.0-5", REFERENCE_TRIGGER, "baz/4.6-1"];

/** Observations over a small world, so run ids, keys and times collide often. */
const observation = fc.record({
  runId: fc.integer({ min: 1, max: 12 }),
  suite: fc.constant("testing"),
  arch: fc.constantFrom("amd64", "arm64"),
  package: fc.constantFrom("baz", "qux"),
  version: fc.constantFrom("4.5-1", "4.6-1", null),
  status: fc.constantFrom("pass", "fail", "neutral", "tmpfail", null),
  trigger: fc.oneof(
    fc.constantFrom(...TRIGGERS),
    fc.constant(`${TRIGGERS[0]} ${TRIGGERS[1]}`),
    fc.constant(null),
  ),
  createdAt: fc.constant(T0),
  updatedAt: fc.option(fc.integer({ min: 0, max: 6 }).map((h) => T0 + h * 3_600_000), { nil: null }),
}) as fc.Arbitrary<Observation>;

/** Observations over the same small world, sometimes reusing a run id as another run (debci never does; corrupt input may). */
const observations = fc.array(observation, { maxLength: 30 });

/**
 * Observations as debci makes them: a run id is always the same run
 * (suite, arch, package, trigger string), so only its times, status and
 * version vary between records of it.
 */
const runOf = (runId: number) => ({ arch: runId % 2 === 0 ? "amd64" : "arm64", package: runId % 3 === 0 ? "qux" : "baz", trigger: [...TRIGGERS, `${TRIGGERS[0]} ${TRIGGERS[1]}`, null][runId % 6]! });
const consistent = fc.array(observation.map((o) => ({ ...o, ...runOf(o.runId) })), { maxLength: 30 });

/** A shuffled copy of a list, with the list. */
const withShuffled = <T>(list: fc.Arbitrary<T[]>) => list.chain((l) => fc.tuple(fc.constant(l), fc.shuffledSubarray(l, { minLength: l.length, maxLength: l.length })));

/**
 * What merging must keep, written plainly: per run id, the run of its first
 * observation, and of that run's observations the one compareObservations
 * ranks highest; observations of another run under that id are skipped.
 */
function firstRunStands(list: Observation[]): Observation[] {
  const kept = new Map<number, Observation>();
  for (const o of list) {
    const known = kept.get(o.runId);
    if (known === undefined || (sameRun(o, known) && compareObservations(o, known) > 0)) kept.set(o.runId, o);
  }
  return [...kept.values()].sort((a, b) => a.runId - b.runId);
}

const KEYS: TestKey[] = ["amd64", "arm64"].flatMap((arch) =>
  ["baz", "qux"].flatMap((pkg) => TRIGGERS.map((trigger) => ({ suite: "testing", arch, package: pkg, trigger }))),
);

function merged(list: Observation[]): RunStore {
  return mergeObservations(new RunStore(), list);
}

/** A store's content, independent of the order its rows were made in. */
function sorted(store: RunStore): Observation[] {
  return [...store.values()].sort((a, b) => a.runId - b.runId);
}

function answers(list: Observation[]) {
  const knowledge = { ...emptyKnowledge(), runs: merged(list) };
  const index = new KnowledgeIndex(knowledge);
  return KEYS.map((key) => answerKey(index, key, DEFAULT_SETTINGS));
}

describe("merging observations", () => {
  it("gives the same state whatever order the files arrive in, while no run id stands for two runs", () => {
    fc.assert(
      fc.property(withShuffled(consistent), ([list, shuffled]) => {
        expect(sorted(merged(shuffled))).toEqual(sorted(merged(list)));
      }),
    );
  });

  it("keeps, per run id, the first observation's run: an observation of another run is refused, whenever it comes", () => {
    let refused = 0;
    fc.assert(
      fc.property(observations, (list) => {
        const store = new RunStore();
        for (const o of list) {
          const known = store.get(o.runId);
          const taken = store.merge(o);
          expect(taken).toBe(known === undefined || sameRun(o, known));
          if (!taken) {
            refused++;
            expect(store.get(o.runId)).toEqual(known);
          }
        }
        expect(sorted(store)).toEqual(firstRunStands(list));
      }),
    );
    // The generated histories do reuse run ids as other runs, often.
    expect(refused).toBeGreaterThan(30);
  });

  it("with run ids reused as other runs, the first observation of each run id decides: the rest may come in any order", () => {
    // Each run id's first observation first, then the rest in any order.
    const firstsThenRest = observations.chain((list) => {
      const firsts = [...new Set(list.map((o) => list.find((p) => p.runId === o.runId)!))];
      const rest = list.filter((o) => !firsts.includes(o));
      return fc.tuple(fc.constant(list), fc.constant(firsts), fc.shuffledSubarray(rest, { minLength: rest.length, maxLength: rest.length }));
    });
    fc.assert(
      fc.property(firstsThenRest, ([list, firsts, shuffledRest]) => {
        expect(sorted(merged([...firsts, ...shuffledRest]))).toEqual(sorted(merged(list)));
      }),
    );
  });

  it("is idempotent: loading a file twice changes nothing", () => {
    fc.assert(
      fc.property(observations, (list) => {
        expect(sorted(merged([...list, ...list]))).toEqual(sorted(merged(list)));
        expect(sorted(mergeObservations(merged(list), list))).toEqual(sorted(merged(list)));
      }),
    );
  });

  it("merging file by file equals merging all at once; in either order while no run id stands for two runs", () => {
    fc.assert(
      fc.property(observations, observations, (a, b) => {
        expect(sorted(mergeObservations(merged(a), b))).toEqual(sorted(merged([...a, ...b])));
      }),
    );
    fc.assert(
      fc.property(consistent, consistent, (a, b) => {
        const ab = mergeObservations(merged(a), b);
        const ba = mergeObservations(merged(b), a);
        expect(sorted(ab)).toEqual(sorted(merged([...a, ...b])));
        expect(sorted(ba)).toEqual(sorted(ab));
      }),
    );
  });

  it("a store read back from its encoded rows (as from a base) merges later observations the same", () => {
    fc.assert(
      fc.property(observations, observations, (first, later) => {
        const original = merged(first);
        const copy = new RunStore();
        const tables = original.tables();
        for (const name of TABLE_NAMES) copy.adoptTable(name, tables[name]);
        copy.sealTables();
        for (const row of original.rowsByRunId()) copy.mergeEncoded(original.encodedRow(row));
        expect(sorted(copy)).toEqual(sorted(original));
        // The same observations taken and refused (a run id reused as another run), the same state after.
        expect(later.map((o) => copy.merge(o))).toEqual(later.map((o) => original.merge(o)));
        expect(sorted(copy)).toEqual(sorted(original));
        for (const o of later) expect(copy.get(o.runId)).toEqual(original.get(o.runId));
      }),
    );
  });

  it("merging another store's rows (a worker's) equals merging its observations, while no run id stands for two runs", () => {
    fc.assert(
      fc.property(consistent, consistent, (mine, theirs) => {
        const worker = merged(theirs);
        const rows = new Float64Array(worker.size * 9);
        for (let row = 0; row < worker.size; row++) worker.encodedRow(row).forEach((v, i) => (rows[row * 9 + i] = v ?? Number.NaN));
        expect(rows).toEqual(worker.encodedRows());
        const store = merged(mine);
        expect(store.mergeForeign(worker.tableParts(), rows)).toEqual([]);
        expect(sorted(store)).toEqual(sorted(merged([...mine, ...theirs])));
      }),
    );
  });

  it("merging a worker's rows hands back, untouched, exactly the runs known here as other runs, and merges the rest", () => {
    let handedBack = 0;
    fc.assert(
      fc.property(observations, observations, (mine, theirs) => {
        const worker = merged(theirs);
        const before = merged(mine);
        const store = merged(mine);
        const others = store.mergeForeign(worker.tableParts(), worker.encodedRows(), worker.encodedSources());
        const differ = [...worker.values()].filter((o) => before.get(o.runId) !== undefined && !sameRun(o, before.get(o.runId)!));
        expect(others.map((r) => r.observation)).toEqual(differ);
        handedBack += others.length;
        for (const o of differ) expect(store.get(o.runId)).toEqual(before.get(o.runId));
        const rest = [...worker.values()].filter((o) => !differ.includes(o));
        expect(sorted(store)).toEqual(sorted(mergeObservations(merged(mine), rest)));
      }),
    );
    expect(handedBack).toBeGreaterThan(30);
  });

  it("keeps the latest observation of a run, and a finished one over null at the same time", () => {
    fc.assert(
      fc.property(observations, (list) => {
        const result = merged(list);
        for (const o of list) {
          const kept = result.get(o.runId)!;
          // Observations of another run under a run id were refused (see above): they say nothing of the run kept.
          if (!sameRun(o, kept)) continue;
          expect((kept.updatedAt ?? -Infinity) >= (o.updatedAt ?? -Infinity)).toBe(true);
          if (kept.updatedAt === o.updatedAt && o.status !== null) expect(kept.status).not.toBeNull();
        }
      }),
    );
  });

  it("answers the same whatever the order, while no run id stands for two runs", () => {
    fc.assert(
      fc.property(withShuffled(consistent), ([list, shuffled]) => {
        expect(answers(shuffled)).toEqual(answers(list));
      }),
    );
  });
});

describe("answer rules over any history", () => {
  const history = fc.uniqueArray(observation, { selector: (o) => o.runId, maxLength: 20 });

  it("a pass is not undone by a later failing re-run (except for the reference trigger)", () => {
    fc.assert(
      fc.property(history, (list) => {
        const index = new KnowledgeIndex({ ...emptyKnowledge(), runs: merged(list) });
        for (const key of KEYS.filter((k) => k.trigger !== REFERENCE_TRIGGER && k.trigger !== "baz/4.6-1")) {
          const passed = list.some((o) => o.arch === key.arch && o.package === key.package && (o.status === "pass" || o.status === "neutral") && (o.trigger ?? "").split(" ").includes(key.trigger));
          expect(answerKey(index, key, DEFAULT_SETTINGS).state === "pass").toBe(passed);
        }
      }),
    );
  });

  it("for the reference trigger the latest finished run decides", () => {
    fc.assert(
      fc.property(history, (list) => {
        const index = new KnowledgeIndex({ ...emptyKnowledge(), runs: merged(list) });
        for (const key of KEYS.filter((k) => k.trigger === REFERENCE_TRIGGER)) {
          const finished = list
            .filter((o) => o.arch === key.arch && o.package === key.package && o.trigger === REFERENCE_TRIGGER && o.status !== null && o.status !== "tmpfail")
            .sort((a, b) => (a.updatedAt ?? -Infinity) - (b.updatedAt ?? -Infinity) || a.runId - b.runId);
          const answer = answerKey(index, key, DEFAULT_SETTINGS);
          if (finished.length === 0) expect(["pending", "missing"]).toContain(answer.state);
          else expect(answer.runId).toBe(finished.at(-1)!.runId);
        }
      }),
    );
  });

  it("tmpfail never decides an answer", () => {
    fc.assert(
      fc.property(history, (list) => {
        const index = new KnowledgeIndex({ ...emptyKnowledge(), runs: merged(list) });
        for (const key of KEYS) {
          const answer = answerKey(index, key, DEFAULT_SETTINGS);
          if (answer.runId !== undefined) expect(merged(list).get(answer.runId)!.status).not.toBe("tmpfail");
        }
      }),
    );
  });

  it("a result for an older version of the triggering package itself never counts", () => {
    fc.assert(
      fc.property(history, (list) => {
        const index = new KnowledgeIndex({ ...emptyKnowledge(), runs: merged(list) });
        const answer = answerKey(index, { suite: "testing", arch: "amd64", package: "baz", trigger: "baz/4.6-1" }, DEFAULT_SETTINGS);
        if (answer.runId !== undefined) expect(answer.version).not.toBe("4.5-1");
      }),
    );
  });
});

describe("a baseline judged against the versions a question gives", () => {
  it("is the reference key's own answer under those versions, whatever the runs, versions, age limit and time (the cached basis changes nothing)", () => {
    const versions = fc.option(fc.array(fc.constantFrom("4.5-1", "4.6-1", "4.5-01", "9"), { maxLength: 3 }), { nil: undefined });
    fc.assert(
      fc.property(observations, versions, fc.option(fc.integer({ min: 1, max: 8 }), { nil: null }), fc.integer({ min: 0, max: 12 }), (list, current, maxAgeHours, nowHours) => {
        const index = new KnowledgeIndex({ ...emptyKnowledge(), runs: merged(list) });
        const settings = { ...DEFAULT_SETTINGS, referenceMaxAgeMs: maxAgeHours === null ? null : maxAgeHours * 3_600_000 };
        const now = T0 + nowHours * 3_600_000;
        for (const arch of ["amd64", "arm64"]) {
          const direct = answerKey(index, { suite: "testing", arch, package: "baz", trigger: REFERENCE_TRIGGER, ...(current === undefined ? {} : { versions: current }) }, settings, now);
          const baseline = baselineFor(index, "testing", arch, "baz", settings, now, current);
          expect(baseline.state).toBe(direct.state);
          expect(baseline.result).toBe(direct.runId === undefined ? "NONE" : direct.result);
          expect(baseline.runId).toBe(direct.runId);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe("groups stay apart in a state with any number of arches", () => {
  it("a package on (unstable, the first arch) and on (testing, the 65,537th arch) are two groups", () => {
    const base = { version: "1.0", createdAt: T0, updatedAt: T0 + 60_000 };
    const list: Observation[] = [{ ...base, runId: 1, suite: "testing", arch: "x0", package: "q", status: "pass", trigger: "t/1" }];
    // A hostile results file may name tens of thousands of arches.
    for (let i = 1; i <= 65_536; i++) list.push({ ...base, runId: 1 + i, suite: "testing", arch: `x${i}`, package: "q", status: "pass", trigger: "t/1" });
    list.push({ ...base, runId: 100_000, suite: "unstable", arch: "x0", package: "p", status: "fail", trigger: "t/1" });
    list.push({ ...base, runId: 100_001, suite: "testing", arch: "x65536", package: "p", status: "pass", trigger: "t/1" });
    const index = new KnowledgeIndex({ ...emptyKnowledge(), runs: merged(list) });
    expect(answerKey(index, { suite: "unstable", arch: "x0", package: "p", trigger: "t/1" }, DEFAULT_SETTINGS)).toMatchObject({ state: "fail", runId: 100_000 });
    expect(answerKey(index, { suite: "testing", arch: "x65536", package: "p", trigger: "t/1" }, DEFAULT_SETTINGS)).toMatchObject({ state: "pass", runId: 100_001 });
  });
});
