const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(month: number, year: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
}

/**
 * Parses the one time format the CI service writes (`2026-11-25T08:10:00.000Z`,
 * milliseconds optional) without Date.parse, which costs more than the rest
 * of a record's checks; every valid day of every month, so no record falls
 * off to the slow path for being dated the 29th to the 31st. Anything else
 * returns NaN so the caller takes the general path.
 */
export function parseIsoTimeFast(s: string): number {
  const n = s.length;
  if ((n !== 20 && n !== 24) || s.charCodeAt(n - 1) !== 90 /* Z */) return Number.NaN;
  if (s[4] !== "-" || s[7] !== "-" || s[10] !== "T" || s[13] !== ":" || s[16] !== ":") return Number.NaN;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  let ms = 0;
  if (n === 24) {
    if (s[19] !== ".") return Number.NaN;
    ms = digits(s, 20, 3);
  }
  // Before 1970 is no time of the CI service's (and Date.UTC would read years below 100 as 19xx).
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

/** The number in s[from, from+length), or NaN unless all are ASCII digits. */
function digits(s: string, from: number, length: number): number {
  let value = 0;
  for (let i = from; i < from + length; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return Number.NaN;
    value = value * 10 + d;
  }
  return value;
}

/**
 * parseIsoTimeFast of bytes[from, to) read as ASCII, with no string made:
 * the results scanner reads two times a record. A property test holds the
 * two equal on the same text.
 */
export function parseIsoTimeBytes(b: Uint8Array, from: number, to: number): number {
  const n = to - from;
  if ((n !== 20 && n !== 24) || b[to - 1] !== 90 /* Z */) return Number.NaN;
  if (b[from + 4] !== 45 || b[from + 7] !== 45 || b[from + 10] !== 84 || b[from + 13] !== 58 || b[from + 16] !== 58) return Number.NaN;
  const year = byteDigits(b, from, 4);
  const month = byteDigits(b, from + 5, 2);
  const day = byteDigits(b, from + 8, 2);
  const hour = byteDigits(b, from + 11, 2);
  const minute = byteDigits(b, from + 14, 2);
  const second = byteDigits(b, from + 17, 2);
  let ms = 0;
  if (n === 24) {
    if (b[from + 19] !== 46 /* . */) return Number.NaN;
    ms = byteDigits(b, from + 20, 3);
  }
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second, ms);
}

function byteDigits(b: Uint8Array, from: number, length: number): number {
  let value = 0;
  for (let i = from; i < from + length; i++) {
    const d = b[i]! - 48;
    if (d < 0 || d > 9) return Number.NaN;
    value = value * 10 + d;
  }
  return value;
}
