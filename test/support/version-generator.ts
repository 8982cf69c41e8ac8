import { pick, seededRandom } from "./random.js";

/**
 * Generates pairs of valid Debian versions that stress the ordering rules:
 * epochs, tildes, letters against digits, hyphens inside upstream versions,
 * empty and zero revisions, leading zeros. Half the pairs are near-misses
 * made by nudging one version, because random pairs rarely tie.
 */
const PIECES = ["0", "1", "2", "9", "10", "01", "00", "123", "a", "b", "z", "A", "Z", "~", "~~", "~a", "+", ".", "+b1", "~rc1", "-"];

function upstream(random: () => number): string {
  let s = pick(random, ["0", "1", "2", "10", "1.0", "2.41", "0.9"]);
  const n = Math.floor(random() * 4);
  for (let i = 0; i < n; i++) s += pick(random, PIECES);
  return s.replace(/-+$/, "");
}

function revision(random: () => number): string {
  return pick(random, ["", "0", "1", "2", "1.1", "1+b1", "1~bpo1", "0ubuntu1", "a", "10", "1~", "7"]);
}

export function randomVersion(random: () => number): string {
  const epoch = random() < 0.15 ? `${pick(random, ["0", "1", "2", "10"])}:` : "";
  const rev = revision(random);
  let up = upstream(random);
  // An upstream version with a hyphen needs a revision to stay valid.
  if (up.includes("-") && rev === "") up = up.replace(/-/g, ".");
  return `${epoch}${up}${rev === "" && random() < 0.5 ? "" : `-${rev || "1"}`}`;
}

function nudge(random: () => number, version: string): string {
  const choices = [
    () => `${version}~`,
    () => `${version}+b1`,
    () => `${version}a`,
    () => version.replace(/(\d+)(?!.*\d)/, (d) => String(Number(d) + 1)),
    () => version.replace(/^(\d+):/, ""),
    () => (version.includes(":") ? version : `0:${version}`),
    () => version.replace(/-[^-]*$/, "-0"),
    () => version.replace(/\./, "~"),
    () => version.replace(/1/, "01"),
  ];
  return pick(random, choices)();
}

export function versionPairs(seed: number, count: number): Array<[string, string]> {
  const random = seededRandom(seed);
  const pairs: Array<[string, string]> = [];
  while (pairs.length < count) {
    const a = randomVersion(random);
    const b = random() < 0.5 ? nudge(random, a) : randomVersion(random);
    if (/^\d/.test(a.replace(/^\d+:/, "")) && /^\d/.test(b.replace(/^\d+:/, ""))) pairs.push([a, b]);
  }
  return pairs;
}
