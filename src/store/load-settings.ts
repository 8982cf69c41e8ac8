import type { SettingsOverrides } from "../core/settings.js";
import { firstProblem } from "../formats/problems.js";
import { settingsFileSchema } from "../formats/settings-file.js";
import { InputError } from "./errors.js";
import { readJsonFile } from "./read-json.js";

/** Reads debci-bridge.json; absent means defaults, a bad one is an error (a wrong setting must not pass unnoticed). */
export async function loadSettingsFile(path: string): Promise<SettingsOverrides> {
  const read = await readJsonFile(path);
  if (!read.ok) {
    if (read.missing) return {};
    throw new InputError(`${path}: ${read.problem}`);
  }
  const parsed = settingsFileSchema.safeParse(read.value);
  if (!parsed.success) throw new InputError(`${path}: ${firstProblem(parsed.error)}`);
  return parsed.data;
}
