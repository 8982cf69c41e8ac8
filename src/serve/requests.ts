import { z } from "zod";
import { archNameSchema, needSchema, packageFacts, packageNameSchema, quickNeed, suiteNameSchema, triggerStringSchema } from "../formats/needs-input.js";

/** A test key as the protocol names it: `trigger` is the full trigger string, as in `need`. */
export const keyParamsSchema = z.strictObject({
  package: packageNameSchema,
  trigger: triggerStringSchema,
  arch: archNameSchema,
  suite: suiteNameSchema.optional(),
  ...packageFacts,
});

export type KeyParams = z.infer<typeof keyParamsSchema>;

/** What a need may carry and a key may not (keyParamsSchema is strict). */
const REQUEST_ONLY = ["huge", "again", "pin-packages", "pinPackages"];

/**
 * The key params of a plainly right question, checked by hand (every
 * `status` question passes here); null sends the caller to
 * keyParamsSchema, which decides and words the problem. Key params are a
 * need's without what only a request carries. A property test holds the
 * two together.
 */
export function quickKeyParams(value: unknown): KeyParams | null {
  const need = quickNeed(value);
  if (need === null || REQUEST_ONLY.some((key) => Object.hasOwn(need, key))) return null;
  return need as KeyParams;
}

export const baselineParamsSchema = z.strictObject({
  package: packageNameSchema,
  arch: archNameSchema,
  suite: suiteNameSchema.optional(),
  versions: z.array(z.string().min(1)).max(16).optional(),
});

/** An upload's verdict from the labels of its tests: `trigger` names the upload (`source/version`). */
export const verdictParamsSchema = z.strictObject({
  trigger: triggerStringSchema,
  labels: z.array(z.string().nullable()).max(100_000),
});

export const needParamsSchema = needSchema;
export const noParamsSchema = z.strictObject({});
