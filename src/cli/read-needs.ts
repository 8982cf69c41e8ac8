import type { Need } from "../core/types.js";
import { firstProblem } from "../formats/problems.js";
import { needSchema, quickNeed, toNeed } from "../formats/needs-input.js";
import { serviceProblem, type ServiceLists } from "../core/service-lists.js";
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

const NO_SERVICE_LISTS: ServiceLists = { serviceSuites: null, serviceArches: null };

/** One need checked by hand, or by zod for the message naming `where` (made only then); then against the service's lists. `status` holds its key to the same checks. */
export function needOf(value: unknown, defaultSuite: string, where: () => string, service: ServiceLists): Need {
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

export function readNeedsFile(path: string): Promise<string> {
  return readTextFile(path, `--needs ${path}`);
}
