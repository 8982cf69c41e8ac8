import { z } from "zod";
import type { Need } from "../core/types.js";
import { firstProblem } from "./problems.js";
import { pinPackagesSchema } from "./pin-packages.js";

/** Debian architectures whose names hold a hyphen, so `debci-SUITE-ARCH` cannot be split at the last one. */
const HYPHENATED_ARCHES = ["hurd-i386", "hurd-amd64", "kfreebsd-amd64", "kfreebsd-i386"];

const paramsSchema = z.looseObject({
  triggers: z.array(z.string().min(1)).min(1),
  "pin-packages": pinPackagesSchema.optional(),
});

/** Where britney2 sends a request: `debci-SUITE-ARCH`, or `debci-huge-SUITE-ARCH` for huge runs. */
function parseQueue(queue: string): { suite: string; arch: string; huge: boolean } | null {
  const m = /^debci-(huge-)?(.+)$/.exec(queue);
  if (m === null) return null;
  const rest = m[2]!;
  const arch = HYPHENATED_ARCHES.find((a) => rest.endsWith(`-${a}`)) ?? rest.slice(rest.lastIndexOf("-") + 1);
  const suite = rest.slice(0, rest.length - arch.length - 1);
  if (suite === "" || arch === "") return null;
  return { suite, arch, huge: m[1] !== undefined };
}

/** One line of britney2's AMQP file (`debci.input`): `debci-testing-amd64:baz {"triggers": ["glibc/2.41-7"]}`. */
export function parseAmqpLine(line: string): Need | { problem: string } {
  const space = line.indexOf(" ");
  const head = space === -1 ? line : line.slice(0, space);
  const colon = head.indexOf(":");
  if (colon === -1 || space === -1) return { problem: "expected QUEUE:PACKAGE {JSON}" };
  const queue = parseQueue(head.slice(0, colon));
  if (queue === null) return { problem: `not a debci queue: ${head.slice(0, colon)}` };
  const pkg = head.slice(colon + 1);
  if (pkg === "") return { problem: "no package after the queue" };
  let json: unknown;
  try {
    json = JSON.parse(line.slice(space + 1));
  } catch (error) {
    return { problem: `not valid JSON: ${(error as Error).message}` };
  }
  const params = paramsSchema.safeParse(json);
  if (!params.success) return { problem: firstProblem(params.error) };
  const triggers = params.data.triggers.join(" ");
  return { suite: queue.suite, arch: queue.arch, package: pkg, trigger: params.data.triggers[0]!, triggers, pinPackages: params.data["pin-packages"] ?? [], huge: queue.huge };
}

/** The AMQP lines britney2 would have written for a need: the inverse of parseAmqpLine. */
export function amqpLine(need: Need): string {
  const params: Record<string, unknown> = { triggers: need.triggers.split(" ") };
  if (need.pinPackages.length > 0) params["pin-packages"] = need.pinPackages;
  return `debci-${need.huge ? "huge-" : ""}${need.suite}-${need.arch}:${need.package} ${JSON.stringify(params)}`;
}
