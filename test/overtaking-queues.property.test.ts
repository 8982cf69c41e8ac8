import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Overtaking } from "../src/core/overtaking.js";
import { RunStore } from "../src/core/run-store.js";

/**
 * The overtaking rule's queues (overtaking.ts) are built by sorting each
 * queue's finished runs by creation second: a native sort for small queues,
 * counting passes for large ones (a state holds a million runs). Either way
 * the answer is the n-th earliest end among runs created in a later second,
 * which is checked here by brute force, on queues large enough to take the
 * counting passes, in creation order (nothing sorted) and in any order.
 */
function bruteNth(created: number[], finished: number[], n: number, at: number): number {
  const second = Math.floor(at / 1000);
  const ends = finished.filter((_, i) => Math.floor(created[i]! / 1000) > second).sort((a, b) => a - b);
  return ends.length < n ? Number.POSITIVE_INFINITY : ends[n - 1]!;
}

const BASE = Date.parse("2026-09-01T00:00:00Z");

describe("overtaking queues", () => {
  it("the n-th finish after a moment is the same however the queue is sorted, for large and small queues", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 30000 }), fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 1, max: 90 * 86400 }), fc.boolean(), (n, count, seed, spreadSeconds, inOrder) => {
        let x = seed >>> 0;
        const random = () => ((x = (Math.imul(x, 1664525) + 1013904223) >>> 0) / 2 ** 32);
        const created: number[] = [];
        const finished: number[] = [];
        for (let i = 0; i < count; i++) created.push(BASE + Math.floor(random() * spreadSeconds) * 1000 + Math.floor(random() * 1000));
        // In creation order, as debci numbers its runs and a state holds them (nothing to sort), or in any order.
        if (inOrder) created.sort((a, b) => a - b);
        for (let i = 0; i < count; i++) finished.push(created[i]! + Math.floor(random() * 86400_000));
        const runs = created.map((c, i) => ({ suite: "testing", arch: "amd64", createdAt: c, finishedAt: finished[i]! }));
        const store = new RunStore();
        created.forEach((c, i) => store.merge({ runId: i + 1, suite: "testing", arch: "amd64", package: `p${i % 50}`, version: "1", status: "pass", trigger: "t/1", createdAt: c, updatedAt: finished[i]! }));
        const fromRuns = Overtaking.ofRuns(runs, n);
        const fromStore = Overtaking.ofStore(store, n);
        for (let q = 0; q < 20; q++) {
          const at = BASE + Math.floor(random() * spreadSeconds * 1000);
          const expected = bruteNth(created, finished, n, at);
          expect(fromRuns.nthFinishAfter("testing", "amd64", at)).toBe(expected);
          expect(fromStore.nthFinishAfter("testing", "amd64", at)).toBe(expected);
        }
        expect(fromStore.nthFinishAfter("testing", "arm64", BASE)).toBe(Number.POSITIVE_INFINITY);
      }),
      { numRuns: 25 },
    );
  });
});
