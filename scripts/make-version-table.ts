/**
 * Regenerates testdata/debian-versions.tsv: generated version pairs with the
 * order `dpkg --compare-versions` gives them. Run on a Debian machine:
 *   npx tsx scripts/make-version-table.ts
 */
import { writeFileSync } from "node:fs";
import { dpkgCompare, dpkgVersion } from "../test/support/dpkg.js";
import { versionPairs } from "../test/support/version-generator.js";

const pairs = versionPairs(20261125, 4000);
const lines = [`# made with ${dpkgVersion()}: version-a<TAB>version-b<TAB>order (-1 a<b, 0 equal, 1 a>b)`];
for (const [a, b] of pairs) lines.push(`${a}\t${b}\t${dpkgCompare(a, b)}`);
writeFileSync("testdata/debian-versions.tsv", `${lines.join("\n")}\n`);
console.error(`wrote ${pairs.length} pairs`);
