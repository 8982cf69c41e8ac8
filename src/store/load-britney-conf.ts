import { readFile, stat } from "node:fs/promises";
import { parseBritneyConf } from "../formats/britney-conf.js";
import { britneyRules, type BritneyRules } from "../formats/britney-rules.js";
import { firstOfProblems } from "../formats/problems.js";
import { InputError } from "./errors.js";

/** A britney.conf is a few kilobytes; anything near this is not one. */
const MAX_CONF_BYTES = 1024 * 1024;

/**
 * Reads britney2's configuration and what britney2 takes from it. A file
 * britney2 itself would stop on (not UTF-8, a rule it cannot read) is an
 * error naming the line and the fix: a run must not answer by a rule
 * britney2 does not apply.
 */
export async function loadBritneyConf(path: string): Promise<BritneyRules> {
  let bytes: Buffer;
  try {
    const { size } = await stat(path);
    if (size > MAX_CONF_BYTES) throw new InputError(`britney.conf ${path}: too large for a britney2 configuration (${size} bytes, over ${MAX_CONF_BYTES})`);
    bytes = await readFile(path);
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`britney.conf ${path}: ${code === "ENOENT" ? "no such file (--britney-conf, or britneyConf in debci-bridge.json, names britney2's configuration)" : `cannot be read (${code ?? (error as Error).message})`}`);
  }
  let text: string;
  try {
    // britney.py opens it with encoding='utf-8': a byte that is not UTF-8 stops britney2 too, and a byte-order mark stays part of the first key.
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw new InputError(`britney.conf ${path}: not UTF-8 text (britney2 stops on it with UnicodeDecodeError)`);
  }
  const rules = britneyRules(parseBritneyConf(text, path));
  if (rules.problems.length > 0) {
    throw new InputError(firstOfProblems(rules.problems));
  }
  return rules;
}
