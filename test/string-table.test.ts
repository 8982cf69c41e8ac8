import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RunRows } from "../src/core/run-rows.js";
import { StringTable } from "../src/core/string-table.js";

/** The table a Map of strings would be: what the byte-interned StringTable must behave as. */
describe("StringTable", () => {
  const names = fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.string({ unit: "binary", maxLength: 4 }), fc.constantFrom("\ud800", "\ufffd", "\udc00x", "a b", "")), { maxLength: 200 });

  it("gives one id per distinct string (lone surrogates and U+FFFD apart), found again by string and by bytes", () => {
    fc.assert(
      fc.property(names, (values) => {
        const table = new StringTable();
        const reference = new Map<string, number>();
        for (const value of values) {
          const id = table.intern(value);
          if (!reference.has(value)) reference.set(value, reference.size + 1);
          expect(id).toBe(reference.get(value));
        }
        for (const [value, id] of reference) {
          expect(table.find(value)).toBe(id);
          expect(table.get(id)).toBe(value);
          const bytes = Buffer.from(value, "utf8");
          // Bytes find only a name whose bytes they are: a lone surrogate's "bytes" are U+FFFD's, another name.
          if (bytes.toString("utf8") === value) expect(table.findBytes(bytes, 0, bytes.length)).toBe(id);
        }
        expect(table.size).toBe(reference.size);
        expect(table.all()).toEqual([...reference.keys()]);
      }),
    );
  });

  it("interning from bytes and from strings meet on one id", () => {
    const table = new StringTable();
    const bytes = Buffer.from('"glibc/2.41-7","baz"');
    const fromBytes = table.internBytes(bytes, 1, 13);
    expect(table.intern("glibc/2.41-7")).toBe(fromBytes);
    expect(table.internBytes(bytes, 16, 19)).toBe(table.intern("baz"));
    expect(table.hasSpace(fromBytes)).toBe(false);
    expect(table.hasSpace(table.intern("a/1 b/2"))).toBe(true);
  });

  it("reads its parts back (as a base stores them), and refuses parts that do not hold together", () => {
    fc.assert(
      fc.property(names, (values) => {
        const table = new StringTable();
        for (const value of values) table.intern(value);
        const parts = table.parts();
        const back = StringTable.fromParts({ bytes: Uint8Array.from(parts.bytes), ends: Uint32Array.from(parts.ends), slots: Int32Array.from(parts.slots), odd: parts.odd });
        expect(back).not.toBeNull();
        expect(back!.all()).toEqual(table.all());
        for (const value of values) expect(back!.find(value)).toBe(table.find(value));
      }),
    );
    const table = new StringTable();
    for (const value of ["baz", "qux", "glibc/2.41-7"]) table.intern(value);
    const parts = table.parts();
    const damaged = (change: (p: { bytes: Uint8Array; ends: Uint32Array; slots: Int32Array }) => void) => {
      const copy = { bytes: Uint8Array.from(parts.bytes), ends: Uint32Array.from(parts.ends), slots: Int32Array.from(parts.slots), odd: parts.odd };
      change(copy);
      return StringTable.fromParts(copy);
    };
    expect(damaged(() => undefined)).not.toBeNull();
    // A name's bytes changed (its hash no longer leads to it), a name twice, an id out of range, ends past the bytes.
    expect(damaged((p) => (p.bytes[0] = 0x63))).toBeNull();
    expect(damaged((p) => p.bytes.set(Buffer.from("baz"), 3))).toBeNull();
    expect(damaged((p) => (p.slots[p.slots.indexOf(1)] = 9))).toBeNull();
    expect(damaged((p) => (p.ends[3] = 999))).toBeNull();
  });
});

describe("RunRows", () => {
  it("finds every row as a Map would, whatever the spread of run ids", () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.integer({ min: 40_000_000, max: 40_100_000 }), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })), { maxLength: 500 }), (ids) => {
        const rows = new RunRows();
        const reference = new Map<number, number>();
        ids.forEach((id) => {
          if (reference.has(id)) return;
          expect(rows.get(id)).toBeUndefined();
          reference.set(id, reference.size);
          rows.set(id, reference.size - 1);
        });
        for (const [id, row] of reference) expect(rows.get(id)).toBe(row);
        expect(rows.get(-1)).toBeUndefined();
      }),
    );
  });
});
