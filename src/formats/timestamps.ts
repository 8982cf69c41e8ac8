import { z } from "zod";

/** An ISO 8601 time as the CI service writes it; parsed to epoch milliseconds. */
export const isoTime = z
  .string()
  .refine((s) => !Number.isNaN(Date.parse(s)), { message: "not a valid ISO 8601 time" })
  .transform((s) => Date.parse(s));

/** A UNIX timestamp in seconds (the API's `since` and `until`). */
export const unixSeconds = z.number().finite().nonnegative();
