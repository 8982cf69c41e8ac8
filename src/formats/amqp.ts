import { z } from "zod";
import type { Need } from "../core/types.js";
import { NAME_RULES, isTriggerWord } from "./debian-names.js";
import { firstProblem } from "./problems.js";
import { pinPackagesSchema } from "./pin-packages.js";

/** Debian architectures whose names hold a hyphen, so `debci-SUITE-ARCH` cannot be split at the last one. */
const HYPHENATED_ARCHES = ["hurd-i386", "hurd-amd64", "kfreebsd-amd64", "kfreebsd-i386"];

const paramsSchema = z.strictObject({
  triggers: z.array(z.string().min(1)).min(1),
  "pin-packages": pinPackagesSchema.optional(),
  "submit-time": z.string().max(64).optional(),
});

/**
 * The parameters a request may carry: what Debian's britney2 writes
 * (`send_test_request`: triggers and submit-time; ppas only with ADT_PPAS,
 * to a debci-ppa-* queue) and pin-packages, which debci takes. Anything
 * else would be dropped on the way to debci, so a line carrying it is
 * refused rather than sent as a different request.
 */
const KNOWN_PARAMS = new Set(["triggers", "pin-packages", "submit-time"]);

/** Where britney2 sends a request: `debci-SUITE-ARCH`, or `debci-huge-SUITE-ARCH` for huge runs. */
function parseQueue(queue: string): { suite: string; arch: string; huge: boolean } | null {
  // send_test_request names a PPA queue debci-ppa-SERIES-ARCH: not a suite "ppa-SERIES".
  if (queue.startsWith("debci-ppa-")) return null;
  const m = /^debci-(huge-)?(.+)$/.exec(queue);
  if (m === null) return null;
  const rest = m[2]!;
  const arch = HYPHENATED_ARCHES.find((a) => rest.endsWith(`-${a}`)) ?? rest.slice(rest.lastIndexOf("-") + 1);
  const suite = rest.slice(0, rest.length - arch.length - 1);
  if (suite === "" || arch === "") return null;
  return { suite, arch, huge: m[1] !== undefined };
}

/**
 * One line of britney2's AMQP file (`debci.input`), as its autopkgtest
 * policy writes it in file mode (`send_test_request` in
 * britney2/policies/autopkgtest.py, Debian's britney2 as of 15d6868: "for
 * file-based submission, triggers are space separated", so all triggers of
 * a request are ONE string, then `'%s:%s %s\n' % (qname, src, params)`):
 * `debci-testing-amd64:baz {"triggers": ["glibc/2.41-7 gcc-14/14.2.0-5"], "submit-time": "2026-11-25 12:00:00+0000"}`.
 * The list form that real AMQP messages carry (one trigger per element) is
 * read too. The key's trigger is the first word of the first element (the
 * upload that asked for the test); the request's full trigger string is
 * every word, in order.
 */
export function parseAmqpLine(line: string): Need | { problem: string } {
  const space = line.indexOf(" ");
  const head = space === -1 ? line : line.slice(0, space);
  const colon = head.indexOf(":");
  if (colon === -1 || space === -1) return { problem: "expected QUEUE:PACKAGE {JSON}" };
  const queue = parseQueue(head.slice(0, colon));
  if (queue === null) {
    const name = head.slice(0, colon);
    return { problem: name.startsWith("debci-ppa-") ? `${name} is a PPA queue (britney2's ADT_PPAS): debci-bridge sends no PPA requests` : `not a debci queue (debci-SUITE-ARCH or debci-huge-SUITE-ARCH): ${name}` };
  }
  const pkg = head.slice(colon + 1);
  if (pkg === "") return { problem: "no package after the queue" };
  let json: unknown;
  try {
    json = JSON.parse(line.slice(space + 1));
  } catch (error) {
    return { problem: `not valid JSON: ${(error as Error).message}` };
  }
  if (json !== null && typeof json === "object" && !Array.isArray(json)) {
    const unknown = Object.keys(json).find((k) => !KNOWN_PARAMS.has(k));
    if (unknown !== undefined) return { problem: `parameter ${JSON.stringify(unknown)} is not one debci-bridge passes on (it reads triggers, pin-packages and submit-time): importing would drop it` };
  }
  const params = paramsSchema.safeParse(json);
  if (!params.success) return { problem: firstProblem(params.error) };
  const words = params.data.triggers.flatMap((t) => t.split(/\s+/)).filter((w) => w !== "");
  if (words.length === 0) return { problem: "triggers: no trigger in it" };
  const bad = words.find((w) => !isTriggerWord(w));
  if (bad !== undefined) return { problem: `triggers: ${JSON.stringify(bad)} is ${NAME_RULES.trigger.message}` };
  for (const [field, value] of [["package", pkg], ["arch", queue.arch], ["suite", queue.suite]] as const) {
    if (!NAME_RULES[field].test(value)) return { problem: `${field} ${JSON.stringify(value)}: ${NAME_RULES[field].message}` };
  }
  return { suite: queue.suite, arch: queue.arch, package: pkg, trigger: words[0]!, triggers: words.join(" "), pinPackages: params.data["pin-packages"] ?? [], huge: queue.huge };
}

/** The AMQP line britney2 would have written for a need, in file mode (all triggers one string): the inverse of parseAmqpLine. */
export function amqpLine(need: Need): string {
  const params: Record<string, unknown> = { triggers: [need.triggers] };
  if (need.pinPackages.length > 0) params["pin-packages"] = need.pinPackages;
  return `debci-${need.huge ? "huge-" : ""}${need.suite}-${need.arch}:${need.package} ${JSON.stringify(params)}`;
}
