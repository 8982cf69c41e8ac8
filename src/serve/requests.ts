import { z } from "zod";
import { needSchema } from "../formats/needs-input.js";

/** One protocol request: a JSON object per line. */
export const requestSchema = z.object({
  id: z.union([z.number(), z.string(), z.null()]).optional(),
  method: z.string(),
  params: z.record(z.string(), z.unknown()).optional(),
});

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
