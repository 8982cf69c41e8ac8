import { z } from "zod";

/** The last second a Date can print as a four-digit year (9999-12-31T23:59:59Z): later is no time the CI service meant. */
export const MAX_UNIX_SECONDS = 253_402_300_799;

/**
 * An ISO 8601 time as the CI service writes it; parsed to epoch
 * milliseconds. A time before 1970 or after 9999 is no time the service
 * meant: a malformed value, not something to compute with.
 */
export const isoTime = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), { message: "not a valid ISO 8601 time" })
  .transform((s) => Date.parse(s))
  .refine((t) => t >= 0 && t <= MAX_UNIX_SECONDS * 1000, { message: "a time outside 1970 to 9999" });

/** A UNIX timestamp in seconds (the API's `since` and `until`). */
export const unixSeconds = z.number().finite().nonnegative().max(MAX_UNIX_SECONDS);
