import { z } from "zod";
import type { Need } from "../core/types.js";
import { keyTrigger } from "../core/trigger.js";
import { pinPackagesSchema } from "./pin-packages.js";

/** One need as britney2 hands it over; `trigger` is the full string, its first word the key's trigger. */
export const needSchema = z.strictObject({
  arch: z.string().min(1),
  package: z.string().min(1),
  trigger: z.string().refine((t) => keyTrigger(t) !== undefined, { message: "must hold at least one trigger" }),
  suite: z.string().min(1).optional(),
  version: z.string().min(1).optional(),
  pinPackages: pinPackagesSchema.optional(),
  huge: z.boolean().optional(),
});

export type NeedInput = z.infer<typeof needSchema>;

export function toNeed(input: NeedInput, defaultSuite: string): Need {
  return {
    suite: input.suite ?? defaultSuite,
    arch: input.arch,
    package: input.package,
    trigger: keyTrigger(input.trigger)!,
    triggers: input.trigger.split(" ").filter((t) => t !== "").join(" "),
    pinPackages: input.pinPackages ?? [],
    huge: input.huge ?? false,
    ...(input.version === undefined ? {} : { version: input.version }),
  };
}
