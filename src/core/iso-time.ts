const DAY_MS = 86_400_000;
/** 9999-12-31T23:59:59.999Z: past it toISOString writes six-digit years. */
const LAST_FOUR_DIGIT_YEAR_MS = 253_402_300_799_999;
/** A digit's character code. */
const ZERO = 0x30;

/**
 * Exactly what `new Date(ms).toISOString()` writes, without making a Date:
 * an answer line carries one or two times, and toISOString cost more than
 * finding the run. Days to a civil date by integer arithmetic (the
 * proleptic Gregorian calendar, as Date uses); outside 1970-9999, or for a
 * fractional or non-finite ms, Date does it.
 */
export function isoTime(ms: number): string {
  if (!(ms >= 0 && ms <= LAST_FOUR_DIGIT_YEAR_MS) || ms !== Math.floor(ms)) return new Date(ms).toISOString();
  const days = Math.floor(ms / DAY_MS);
  let rest = ms - days * DAY_MS;
  const milli = rest % 1000;
  rest = (rest - milli) / 1000;
  const second = rest % 60;
  rest = (rest - second) / 60;
  const minute = rest % 60;
  const hour = (rest - minute) / 60;
  // Civil date from days since 1970-01-01, counting in 400-year eras from 0000-03-01.
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  // One flat string from its 24 characters: a template of thirteen parts made a dozen intermediate strings, flattened again when the line was written.
  return String.fromCharCode(
    ZERO + Math.floor(year / 1000), ZERO + (Math.floor(year / 100) % 10), ZERO + (Math.floor(year / 10) % 10), ZERO + (year % 10), 0x2d,
    ZERO + Math.floor(month / 10), ZERO + (month % 10), 0x2d, ZERO + Math.floor(day / 10), ZERO + (day % 10), 0x54,
    ZERO + Math.floor(hour / 10), ZERO + (hour % 10), 0x3a, ZERO + Math.floor(minute / 10), ZERO + (minute % 10), 0x3a,
    ZERO + Math.floor(second / 10), ZERO + (second % 10), 0x2e, ZERO + Math.floor(milli / 100), ZERO + (Math.floor(milli / 10) % 10), ZERO + (milli % 10), 0x5a,
  );
}
