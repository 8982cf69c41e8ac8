import { Writable } from "node:stream";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LineBuffer } from "../src/cli/io.js";

/** A stream that keeps every chunk it is given, as a slow consumer would, without copying. */
function keepingStream(): { stream: Writable; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
      done();
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

describe("LineBuffer (plan's answer lines)", () => {
  it("writes every line once, in order, whatever its length or characters, and never overwrites a chunk the stream still holds", () => {
    const line = fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: "grapheme", maxLength: 300 }), fc.constantFrom("é".repeat(30_000), "x".repeat(70_000), "🙂".repeat(20_000)));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 400 }), (lines) => {
        const { stream, text } = keepingStream();
        const out = new LineBuffer(stream);
        for (const l of lines) out.push(l);
        out.flush();
        expect(text()).toBe(lines.map((l) => `${l}\n`).join(""));
      }),
      { numRuns: 200 },
    );
  });
});
