import { z } from "zod";
import { needSchema } from "../formats/needs-input.js";

/** A test key as the protocol names it; `version` is the version britney2 tests now. */
export const keyParamsSchema = z.strictObject({
  package: z.string().min(1),
  trigger: z.string().min(1),
  arch: z.string().min(1),
  suite: z.string().min(1).optional(),
  version: z.string().min(1).optional(),
});

export const baselineParamsSchema = z.strictObject({
  package: z.string().min(1),
  arch: z.string().min(1),
  suite: z.string().min(1).optional(),
});

export const needParamsSchema = needSchema;
export const noParamsSchema = z.strictObject({});
