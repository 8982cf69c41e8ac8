import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compareDebianVersions } from "../src/core/debian-version.js";
import { dpkgCompare, hasDpkg } from "./support/dpkg.js";
import { TESTDATA } from "./support/temp-state.js";
import { versionPairs } from "./support/version-generator.js";

const sign = (n: number) => (n < 0 ? -1 : n > 0 ? 1 : 0);

describe("Debian version order", () => {
  it("agrees with dpkg on every pair of the committed table", () => {
    const lines = readFileSync(join(TESTDATA, "debian-versions.tsv"), "utf8").split("\n").filter((l) => l !== "" && !l.startsWith("#"));
    expect(lines.length).toBeGreaterThanOrEqual(4000);
    const wrong = lines
      .map((l) => l.split("\t"))
      .filter(([a, b, order]) => sign(compareDebianVersions(a!, b!)) !== Number(order))
      .map(([a, b, order]) => `${a} vs ${b}: dpkg says ${order}`);
    expect(wrong).toEqual([]);
  });

  it.each([
    ["1.0~rc1", "1.0", -1],
    ["1.0~~", "1.0~", -1],
    ["1.0", "1.0+b1", -1],
    ["1:0.1", "2.0", 1],
    ["1.0", "1.0-0", 0],
    ["0:1.0", "1.0", 0],
    ["1.0a", "1.0+", -1],
    ["1.0-1", "1.0.0-1", -1],
    ["2.41-7", "2.41-10", -1],
    ["1.2-3-4", "1.2-3", 1],
    ["007", "7", 0],
    ["1.0-1~bpo1", "1.0-1", -1],
  ] as const)("%s against %s is %d", (a, b, order) => {
    expect(sign(compareDebianVersions(a, b))).toBe(order);
    expect(sign(compareDebianVersions(b, a))).toBe(order === 0 ? 0 : -order);
  });

  it("handles digit runs longer than a double can hold", () => {
    expect(sign(compareDebianVersions("1.123456789012345678901", "1.123456789012345678902"))).toBe(-1);
  });

  it.skipIf(!hasDpkg())("agrees with the dpkg on this machine on freshly generated pairs", () => {
    const pairs = versionPairs(Date.UTC(2026, 10, 25) % 100_000, 150);
    const wrong = pairs.filter(([a, b]) => sign(compareDebianVersions(a, b)) !== dpkgCompare(a, b));
    expect(wrong).toEqual([]);
  });
});
