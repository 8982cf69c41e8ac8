import type { Need } from "../core/types.js";
import { firstProblem } from "../formats/problems.js";
import { needSchema, quickNeed, toNeed } from "../formats/needs-input.js";
import { InputError } from "../store/errors.js";
import { readTextFile } from "./io.js";

/** The longest need line read: a need is a few hundred bytes. */
const MAX_NEED_LINE = 1 << 20;

/**
 * Parses needs: a JSON array, or one JSON object per line. Any bad need is an
 * error naming where it is: skipping one would leave britney2 without an answer.
 */
export function parseNeeds(text: string, source: string, defaultSuite: string, service: ServiceLists = NO_SERVICE_LISTS): Need[] {
  const trimmed = text.trim();
  if (trimmed.startsWith("[")) {
    let array: unknown[];
    try {
      array = JSON.parse(trimmed) as unknown[];
    } catch (error) {
      throw new InputError(`${source}: not valid JSON: ${(error as Error).message}`);
    }
    if (!Array.isArray(array)) throw new InputError(`${source}: expected a JSON array of needs`);
    return array.map((value, i) => needOf(value, defaultSuite, () => `${source} item ${i}`, service));
  }
  const needs: Need[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    if (line.length > MAX_NEED_LINE) throw new InputError(`${source} line ${i + 1}: longer than ${MAX_NEED_LINE} characters: not a need`);
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new InputError(`${source} line ${i + 1}: not valid JSON: ${(error as Error).message}`);
    }
    needs.push(needOf(value, defaultSuite, () => `${source} line ${i + 1}`, service));
  });
  return needs;
}

/** The suites and arches the CI service runs (debci-bridge.json, or ADT_ARCHES of britney.conf), when known, and where the arches came from. */
export interface ServiceLists {
  serviceSuites: readonly string[] | null;
  serviceArches: readonly string[] | null;
  sources?: { readonly serviceArches?: string };
}

const NO_SERVICE_LISTS: ServiceLists = { serviceSuites: null, serviceArches: null };

/** One need checked by hand, or by zod for the message naming `where` (made only then); then against the service's lists. */
function needOf(value: unknown, defaultSuite: string, where: () => string, service: ServiceLists): Need {
  const quick = quickNeed(value);
  let need: Need;
  if (quick !== null) need = toNeed(quick, defaultSuite);
  else {
    const parsed = needSchema.safeParse(value);
    if (!parsed.success) throw new InputError(`${where()}: ${firstProblem(parsed.error)}`);
    need = toNeed(parsed.data, defaultSuite);
  }
  const problem = serviceProblem(need, defaultSuite, service);
  if (problem !== null) throw new InputError(`${where()}: ${problem}`);
  return need;
}

/** Why a need's suite or arch is not one the CI service runs, or null: a need, a serve param and an imported request are held to the same lists. */
export function serviceProblem(need: Pick<Need, "suite" | "arch">, defaultSuite: string, service: ServiceLists): string | null {
  // britney2 runs for one target suite: without serviceSuites, that (the configured suite) is the only one a need may name.
  const suites = service.serviceSuites ?? [defaultSuite];
  if (!suites.includes(need.suite)) {
    const setting = service.serviceSuites === null ? `the configured suite is ${defaultSuite}; serviceSuites in debci-bridge.json lists others the CI service runs` : `serviceSuites in debci-bridge.json: ${suites.join(", ")}`;
    return `suite: ${JSON.stringify(need.suite)} is not one the CI service runs (${setting})`;
  }
  if (service.serviceArches !== null && !service.serviceArches.includes(need.arch)) {
    const from = service.sources?.serviceArches ?? "debci-bridge.json";
    return `arch: ${JSON.stringify(need.arch)} is not one the CI service runs (serviceArches: ${service.serviceArches.join(", ") || "none"}, from ${from})`;
  }
  return null;
}

export function readNeedsFile(path: string): Promise<string> {
  return readTextFile(path, `--needs ${path}`);
}
