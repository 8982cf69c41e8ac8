import { z } from "zod";
import type { Need, PinPackages } from "../core/types.js";
import { keyTrigger } from "../core/trigger.js";
import { pinPackagesSchema } from "./pin-packages.js";
import { ARCH_NAME, NAME_RULES, SOURCE_NAME, SUITE_NAME, isTriggerString } from "./debian-names.js";
import { isPins, isRecord, nonEmpty } from "./quick-checks.js";

/** A full trigger string: one or more `source/version`, space-separated; the first is the key's trigger. */
export const triggerStringSchema = z.string().refine(NAME_RULES.trigger.test, { message: NAME_RULES.trigger.message });

/** Names as Debian writes them (debian-names.ts), each refused with what it should be. */
export const packageNameSchema = z.string().refine(NAME_RULES.package.test, { message: NAME_RULES.package.message });
export const archNameSchema = z.string().refine(NAME_RULES.arch.test, { message: NAME_RULES.arch.message });
export const suiteNameSchema = z.string().refine(NAME_RULES.suite.test, { message: NAME_RULES.suite.message });

/**
 * What britney2 knows of the tested package: the version it tests now, the
 * versions in testing and unstable (results for any other are old), and
 * whether its test exists in testing.
 */
const packageFacts = {
  version: z.string().min(1).optional(),
  versions: z.array(z.string().min(1)).max(16).optional(),
  testInTarget: z.boolean().optional(),
};

/**
 * One need as britney2 hands it over; `trigger` is the full string, its
 * first word the key's trigger. Pins are spelt as debci and britney2 spell
 * them, `pin-packages` (`pinPackages` is still read).
 */
export const needSchema = z
  .strictObject({
    arch: archNameSchema,
    package: packageNameSchema,
    trigger: triggerStringSchema,
    suite: suiteNameSchema.optional(),
    ...packageFacts,
    "pin-packages": pinPackagesSchema.optional(),
    pinPackages: pinPackagesSchema.optional(),
    huge: z.boolean().optional(),
    again: z.boolean().optional(),
  })
  .refine((n) => n["pin-packages"] === undefined || n.pinPackages === undefined, { message: "give pin-packages once (pinPackages is its old spelling)" });

export type NeedInput = z.infer<typeof needSchema>;

/** The full trigger string with single spaces. */
export function normalTriggers(trigger: string): string {
  // Already normal, the common case: no split and join.
  if (!trigger.includes("  ") && !trigger.startsWith(" ") && !trigger.endsWith(" ")) return trigger;
  return trigger.split(" ").filter((t) => t !== "").join(" ");
}

/** The package facts a need or question carries, without undefined fields. */
type PackageFacts = { version?: string; versions?: string[]; testInTarget?: boolean };

/** Copies the package facts a question gives onto `target` (assigned, not spread: this is on every question's path). */
export function addPackageFacts<T extends PackageFacts>(target: T, input: { version?: string | undefined; versions?: string[] | undefined; testInTarget?: boolean | undefined }): T {
  if (input.version !== undefined) target.version = input.version;
  if (input.versions !== undefined) target.versions = input.versions;
  if (input.testInTarget !== undefined) target.testInTarget = input.testInTarget;
  return target;
}

const NEED_KEYS = new Set(["arch", "package", "trigger", "suite", "version", "versions", "testInTarget", "pin-packages", "pinPackages", "huge", "again"]);

/**
 * The common need checked by hand: 200,000 needs a run, and zod costs more
 * than answering them. Returns null for anything it is not sure of; the
 * caller then asks needSchema, which decides and words the problem. A
 * property test holds the two together.
 */
export function quickNeed(value: unknown): NeedInput | null {
  if (!isRecord(value)) return null;
  const n = value;
  for (const key in n) if (!NEED_KEYS.has(key) || !Object.hasOwn(n, key)) return null;
  if (typeof n.arch !== "string" || !ARCH_NAME.test(n.arch) || typeof n.package !== "string" || !SOURCE_NAME.test(n.package)) return null;
  if (typeof n.trigger !== "string" || !isTriggerString(n.trigger)) return null;
  if (n.suite !== undefined && (typeof n.suite !== "string" || !SUITE_NAME.test(n.suite))) return null;
  if (n.version !== undefined && !nonEmpty(n.version)) return null;
  if (n.versions !== undefined && !(Array.isArray(n.versions) && n.versions.length <= 16 && n.versions.every(nonEmpty))) return null;
  if (!optionalFlag(n.testInTarget) || !optionalFlag(n.huge) || !optionalFlag(n.again)) return null;
  if (n["pin-packages"] !== undefined && (!isPins(n["pin-packages"]) || n.pinPackages !== undefined)) return null;
  if (n.pinPackages !== undefined && !isPins(n.pinPackages)) return null;
  return n as NeedInput;
}

function optionalFlag(value: unknown): boolean {
  return value === undefined || typeof value === "boolean";
}

/** Most needs pin nothing: one shared empty list rather than one per need. */
const NO_PINS: PinPackages = Object.freeze([]);

/**
 * A need as the planner takes it. Every field is written in the one
 * literal, undefined when the input lacks it: a field added later puts the
 * object's extra fields in a separate array, and a run holds 200,000 needs
 * (this and the shared empty pins keep about 8 MB fewer live on 200,000).
 */
export function toNeed(input: NeedInput, defaultSuite: string): Need {
  return {
    suite: input.suite ?? defaultSuite,
    arch: input.arch,
    package: input.package,
    trigger: keyTrigger(input.trigger)!,
    triggers: normalTriggers(input.trigger),
    pinPackages: input["pin-packages"] ?? input.pinPackages ?? NO_PINS,
    huge: input.huge ?? false,
    version: input.version,
    versions: input.versions,
    testInTarget: input.testInTarget,
    again: input.again === true ? true : undefined,
  };
}

export { packageFacts };
