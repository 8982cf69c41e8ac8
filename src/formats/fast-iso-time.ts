/**
 * The one time format the CI service writes (`2026-11-25T08:10:00.000Z`,
 * milliseconds optional), read without Date.parse or Date.UTC: the results
 * scanner reads two times a record, two million on a million results, and
 * those builtins cost more than the rest of the record. Every valid day of
 * every month is read, so no record falls off to the slow path for being
 * dated the 29th to the 31st. Anything else gives NaN and the caller takes
 * the general path. A property test holds both readers to Date.parse.
 */

const MS_PER_DAY = 86_400_000;

/** Days in each month of a common year, 1-based (index 0 unused). */
const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function daysIn(month: number, year: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month]!;
}

/**
 * Days from 1970-01-01 to a date of the proleptic Gregorian calendar (as
 * Date.UTC counts them), for years 1970 to 9999: the year is counted from
 * March, so the leap day falls last and each month's first day is a line
 * in the day of the year.
 */
function daysSinceEpoch(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/** The time from its fields, or NaN when one is out of range. Fields are whole numbers here: digits were checked by the caller. */
function timeOf(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): number {
  // Before 1970 is no time of the CI service's.
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  return daysSinceEpoch(year, month, day) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
}

/** Whether a character code minus 48 is no digit: one unsigned comparison. */
function notDigit(d: number): boolean {
  return d >>> 0 > 9;
}

/** A time in the CI service's format as epoch milliseconds; NaN for any other text (the caller then takes the general path). */
export function parseIsoTimeFast(s: string): number {
  const n = s.length;
  if ((n !== 20 && n !== 24) || s.charCodeAt(n - 1) !== 90 /* Z */) return Number.NaN;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return Number.NaN;
  if (n === 24 && s.charCodeAt(19) !== 46 /* . */) return Number.NaN;
  const m = n === 24;
  // A character beyond Latin-1 is no digit either: notDigit sees a number far above 9.
  return fromDigits(s.charCodeAt(0) - 48, s.charCodeAt(1) - 48, s.charCodeAt(2) - 48, s.charCodeAt(3) - 48, s.charCodeAt(5) - 48, s.charCodeAt(6) - 48, s.charCodeAt(8) - 48, s.charCodeAt(9) - 48, s.charCodeAt(11) - 48, s.charCodeAt(12) - 48, s.charCodeAt(14) - 48, s.charCodeAt(15) - 48, s.charCodeAt(17) - 48, s.charCodeAt(18) - 48, m ? s.charCodeAt(20) - 48 : 0, m ? s.charCodeAt(21) - 48 : 0, m ? s.charCodeAt(22) - 48 : 0);
}

/** parseIsoTimeFast of bytes[from, to) read as ASCII, with no string made. */
export function parseIsoTimeBytes(b: Uint8Array, from: number, to: number): number {
  const n = to - from;
  if ((n !== 20 && n !== 24) || b[to - 1] !== 90 /* Z */) return Number.NaN;
  if (b[from + 4] !== 45 || b[from + 7] !== 45 || b[from + 10] !== 84 || b[from + 13] !== 58 || b[from + 16] !== 58) return Number.NaN;
  if (n === 24 && b[from + 19] !== 46 /* . */) return Number.NaN;
  const m = n === 24;
  return fromDigits(b[from]! - 48, b[from + 1]! - 48, b[from + 2]! - 48, b[from + 3]! - 48, b[from + 5]! - 48, b[from + 6]! - 48, b[from + 8]! - 48, b[from + 9]! - 48, b[from + 11]! - 48, b[from + 12]! - 48, b[from + 14]! - 48, b[from + 15]! - 48, b[from + 17]! - 48, b[from + 18]! - 48, m ? b[from + 20]! - 48 : 0, m ? b[from + 21]! - 48 : 0, m ? b[from + 22]! - 48 : 0);
}

/** The time from its seventeen digits (year, month, day, hour, minute, second, milliseconds), NaN unless every one is a digit. */
function fromDigits(y0: number, y1: number, y2: number, y3: number, mo0: number, mo1: number, d0: number, d1: number, h0: number, h1: number, mi0: number, mi1: number, s0: number, s1: number, ms0: number, ms1: number, ms2: number): number {
  if (notDigit(y0) || notDigit(y1) || notDigit(y2) || notDigit(y3) || notDigit(mo0) || notDigit(mo1) || notDigit(d0) || notDigit(d1)) return Number.NaN;
  if (notDigit(h0) || notDigit(h1) || notDigit(mi0) || notDigit(mi1) || notDigit(s0) || notDigit(s1) || notDigit(ms0) || notDigit(ms1) || notDigit(ms2)) return Number.NaN;
  return timeOf(y0 * 1000 + y1 * 100 + y2 * 10 + y3, mo0 * 10 + mo1, d0 * 10 + d1, h0 * 10 + h1, mi0 * 10 + mi1, s0 * 10 + s1, ms0 * 100 + ms1 * 10 + ms2);
}
