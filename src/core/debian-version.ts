/**
 * Debian version ordering, as `dpkg --compare-versions` defines it
 * (deb-version(7)): epoch, then upstream, then revision, each of the last two
 * compared as alternating non-digit and digit runs, where `~` sorts before
 * everything, even the end of the string, and letters sort before other
 * punctuation.
 */

interface ParsedVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

function parse(version: string): ParsedVersion {
  const colon = version.indexOf(":");
  const epoch = colon === -1 ? 0 : Number.parseInt(version.slice(0, colon), 10) || 0;
  const rest = colon === -1 ? version : version.slice(colon + 1);
  const hyphen = rest.lastIndexOf("-");
  if (hyphen === -1) return { epoch, upstream: rest, revision: "" };
  return { epoch, upstream: rest.slice(0, hyphen), revision: rest.slice(hyphen + 1) };
}

const CODE_0 = 48;
const CODE_9 = 57;
const TILDE = 126;

function isDigit(code: number): boolean {
  return code >= CODE_0 && code <= CODE_9;
}

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** Weight of one character in a non-digit run; NaN (end of string) counts as 0. */
function order(code: number): number {
  if (Number.isNaN(code) || isDigit(code)) return 0;
  if (isLetter(code)) return code;
  if (code === TILDE) return -1;
  return code + 256;
}

function compareFragment(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    // Non-digit run: compared character by character with `order`.
    while ((i < a.length && !isDigit(a.charCodeAt(i))) || (j < b.length && !isDigit(b.charCodeAt(j)))) {
      const ac = order(a.charCodeAt(i));
      const bc = order(b.charCodeAt(j));
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    // Digit run: compared as numbers; strings avoid overflow on long runs.
    while (a.charCodeAt(i) === CODE_0) i++;
    while (b.charCodeAt(j) === CODE_0) j++;
    const aStart = i;
    const bStart = j;
    while (isDigit(a.charCodeAt(i))) i++;
    while (isDigit(b.charCodeAt(j))) j++;
    const aLen = i - aStart;
    const bLen = j - bStart;
    if (aLen !== bLen) return aLen - bLen;
    for (let k = 0; k < aLen; k++) {
      const d = a.charCodeAt(aStart + k) - b.charCodeAt(bStart + k);
      if (d !== 0) return d;
    }
  }
  return 0;
}

/** Negative if a < b, 0 if equal, positive if a > b, in Debian version order. */
export function compareDebianVersions(a: string, b: string): number {
  if (a === b) return 0;
  const pa = parse(a);
  const pb = parse(b);
  if (pa.epoch !== pb.epoch) return pa.epoch - pb.epoch;
  return compareFragment(pa.upstream, pb.upstream) || compareFragment(pa.revision, pb.revision);
}
