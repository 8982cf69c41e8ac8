import { z } from "zod";

/** debci's integer run id; britney2's own test data writes it as a string of digits, so that is read too. */
export const runIdSchema = z.union([
  z.number().int().nonnegative(),
  z
    .string()
    .regex(/^\d+$/, { message: "expected a run id (digits)" })
    .transform((s) => Number(s)),
]);
