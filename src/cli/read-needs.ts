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
export function parseNeeds(text: string, source: string, defaultSuite: string): Need[] {
  const trimmed = text.trim();
  const items: Array<{ where: string; value: unknown }> = [];
  if (trimmed.startsWith("[")) {
    let array: unknown[];
    try {
      array = JSON.parse(trimmed) as unknown[];
    } catch (error) {
      throw new InputError(`${source}: not valid JSON: ${(error as Error).message}`);
    }
    if (!Array.isArray(array)) throw new InputError(`${source}: expected a JSON array of needs`);
    array.forEach((value, i) => items.push({ where: `${source} item ${i}`, value }));
  } else {
    text.split("\n").forEach((line, i) => {
      if (line.trim() === "") return;
      if (line.length > MAX_NEED_LINE) throw new InputError(`${source} line ${i + 1}: longer than ${MAX_NEED_LINE} characters: not a need`);
      try {
        items.push({ where: `${source} line ${i + 1}`, value: JSON.parse(line) });
      } catch (error) {
        throw new InputError(`${source} line ${i + 1}: not valid JSON: ${(error as Error).message}`);
      }
    });
  }
  return items.map(({ where, value }) => {
    const quick = quickNeed(value);
    if (quick !== null) return toNeed(quick, defaultSuite);
    const parsed = needSchema.safeParse(value);
    if (!parsed.success) throw new InputError(`${where}: ${firstProblem(parsed.error)}`);
    return toNeed(parsed.data, defaultSuite);
  });
}

export function readNeedsFile(path: string): Promise<string> {
  return readTextFile(path, `--needs ${path}`);
}
