import { dirname, resolve } from "node:path";
import type { SettingsOverrides } from "../core/settings.js";
import { firstProblem } from "../formats/problems.js";
import { settingsFileSchema } from "../formats/settings-file.js";
import { InputError } from "./errors.js";
import { readJsonFile } from "./read-json.js";

/** debci-bridge.json: rule overrides, and perhaps where britney2's configuration is (as an absolute path). */
export type SettingsFile = SettingsOverrides & { britneyConf?: string };

/** Reads debci-bridge.json; absent means defaults, a bad one is an error (a wrong setting must not pass unnoticed). */
export async function loadSettingsFile(path: string): Promise<SettingsFile> {
  const read = await readJsonFile(path);
  if (!read.ok) {
    if (read.missing) return {};
    throw new InputError(`${path}: ${read.problem}`);
  }
  const parsed = settingsFileSchema.safeParse(read.value);
  if (!parsed.success) throw new InputError(`${path}: ${firstProblem(parsed.error)}`);
  const { britneyConf, ...overrides } = parsed.data;
  return britneyConf === undefined ? overrides : { ...overrides, britneyConf: resolve(dirname(path), britneyConf) };
}
