import { z } from "zod";

/** An ISO 8601 time as the CI service writes it; parsed to epoch milliseconds. */
export const isoTime = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), { message: "not a valid ISO 8601 time" })
  .transform((s) => Date.parse(s));

/** The last second a Date can print as a four-digit year (9999-12-31T23:59:59Z): later is no time the CI service meant. */
export const MAX_UNIX_SECONDS = 253_402_300_799;

/** A UNIX timestamp in seconds (the API's `since` and `until`). */
export const unixSeconds = z.number().finite().nonnegative().max(MAX_UNIX_SECONDS);
