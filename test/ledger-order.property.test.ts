import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { recordBatches, repairLedger } from "../src/core/ledger.js";
import { keyId } from "../src/core/test-key.js";
import type { PlannedBatch } from "../src/core/batches.js";
import type { Ledger, LedgerEntry, Need } from "../src/core/types.js";

/**
 * The ledger as a commit writes it: the latest request per test key, in the
 * order of the keys' JSON text. keyId joins plain names by hand and
 * toLedger merges the ledger as read (already in order) with the new keys:
 * both held here to the plain definitions, JSON.stringify and one sort of
 * every key.
 */
const name = fc.oneof(fc.constantFrom("testing", "amd64", "baz", "glibc/2.41-7", "a b", 'q"uote', "back\\slash", "!", "\u0000", "\ud800", "é", "😀"), fc.string({ maxLength: 5 }), fc.string({ unit: "binary", maxLength: 3 }));
const key = fc.record({ suite: name, arch: name, package: name, trigger: name });

function reference(ledger: Ledger, requests: Array<{ need: Need; at: number; batch: string }>): LedgerEntry[] {
  const byKey = new Map<string, LedgerEntry>();
  const upsert = (entry: LedgerEntry) => {
    const id = JSON.stringify([entry.suite, entry.arch, entry.package, entry.trigger]);
    const current = byKey.get(id);
    if (current === undefined || current.requestedAt < entry.requestedAt) byKey.set(id, entry);
  };
  for (const entry of ledger.entries) upsert(entry);
  for (const { need, at, batch } of requests) upsert({ ...need, requestedAt: at, batch });
  return [...byKey].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, entry]) => entry);
}

const entryOf = (k: { suite: string; arch: string; package: string; trigger: string }, requestedAt: number, batch: string): LedgerEntry => ({ ...k, triggers: k.trigger, pinPackages: [], huge: false, requestedAt, batch });

describe("the ledger's order", () => {
  it("keyId is the JSON text of [suite, arch, package, trigger], whatever the names hold", () => {
    fc.assert(
      fc.property(key, (k) => {
        expect(keyId(k)).toBe(JSON.stringify([k.suite, k.arch, k.package, k.trigger]));
      }),
      { numRuns: 2000 },
    );
  });

  it("a commit's ledger is the latest request per key in key order, whether the ledger read was in order or not", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(key, fc.integer({ min: 0, max: 5 })), { maxLength: 30 }), fc.array(key, { maxLength: 30 }), fc.boolean(), (old, added, inOrder) => {
        const entries = old.map(([k, t]) => entryOf(k, t, "old.json"));
        const ledger: Ledger = { batches: ["old.json"], entries: inOrder ? reference({ batches: [], entries }, []) : entries };
        const needs: Need[] = added.map((k) => ({ ...k, triggers: k.trigger, pinPackages: [], huge: false }));
        const batch = { name: "new.json", requests: needs, huge: false, body: [] } as unknown as PlannedBatch;
        const next = recordBatches(ledger, [batch], 3);
        expect(next.entries).toEqual(reference(ledger, needs.map((need) => ({ need, at: 3, batch: "new.json" }))));
        expect(next.batches).toEqual(["old.json", "new.json"]);
      }),
    );
  });

  it("repairing folds an orphan batch's requests in, in key order", () => {
    const ledger: Ledger = { batches: [], entries: [entryOf({ suite: "testing", arch: "amd64", package: "qux", trigger: "b/1" }, 1, "a.json")] };
    const body = [{ suite: "testing", arch: ["amd64"], tests: [{ package: "baz", trigger: "a/1", "pin-packages": [] }] }];
    const { ledger: repaired, repaired: names } = repairLedger(ledger, [{ name: "x.json", place: "outbox", huge: false, body, requestedAt: 2 } as never]);
    expect(names).toEqual(["x.json"]);
    expect(repaired.entries.map((e) => e.package)).toEqual(["baz", "qux"]);
  });
});
