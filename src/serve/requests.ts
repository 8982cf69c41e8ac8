import { z } from "zod";
import { needSchema, packageFacts, triggerStringSchema } from "../formats/needs-input.js";

/** A test key as the protocol names it: `trigger` is the full trigger string, as in `need`. */
export const keyParamsSchema = z.strictObject({
  package: z.string().min(1),
  trigger: triggerStringSchema,
  arch: z.string().min(1),
  suite: z.string().min(1).optional(),
  ...packageFacts,
});

export const baselineParamsSchema = z.strictObject({
  package: z.string().min(1),
  arch: z.string().min(1),
  suite: z.string().min(1).optional(),
  versions: z.array(z.string().min(1)).max(16).optional(),
});

/** An upload's verdict from the labels of its tests: `trigger` names the upload (`source/version`). */
export const verdictParamsSchema = z.strictObject({
  trigger: triggerStringSchema,
  labels: z.array(z.string().nullable()).max(100_000),
});

export const needParamsSchema = needSchema;
export const noParamsSchema = z.strictObject({});
