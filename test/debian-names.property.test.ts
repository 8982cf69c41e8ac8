import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEBIAN_VERSION, SOURCE_NAME, isTriggerString, isTriggerWord } from "../src/formats/debian-names.js";

/** A trigger word as the rule is written: split at the first slash, the source and the version each tested. */
function plainTriggerWord(word: string): boolean {
  if (word === "migration-reference/0") return true;
  const slash = word.indexOf("/");
  return slash > 0 && SOURCE_NAME.test(word.slice(0, slash)) && DEBIAN_VERSION.test(word.slice(slash + 1));
}

/** Words over the characters that matter (and some that must be refused), slashes and spaces included. */
const word = fc.string({ unit: fc.constantFrom(..."ab09+.-~:/ A_\u00e9"), maxLength: 14 });

describe("trigger names", () => {
  it("one pattern for a trigger word refuses and accepts exactly what the source and version rules do", () => {
    fc.assert(
      fc.property(fc.oneof(word, fc.constantFrom("glibc/2.41-7", "g++-14/1:14.2.0-5+b1", "migration-reference/0", "a/1", "ab/1", "ab//1", "ab/1/2", "ab/x1")), (w) => {
        expect(isTriggerWord(w)).toBe(plainTriggerWord(w));
      }),
      { numRuns: 5000 },
    );
  });

  it("a trigger string is one or more trigger words separated by spaces, whether or not it holds a space", () => {
    fc.assert(
      fc.property(fc.oneof(word, fc.array(word, { maxLength: 3 }).map((ws) => ws.join(" "))), (text) => {
        const words = text.split(" ").filter((w) => w !== "");
        expect(isTriggerString(text)).toBe(words.length > 0 && words.every(plainTriggerWord));
      }),
      { numRuns: 5000 },
    );
  });
});
