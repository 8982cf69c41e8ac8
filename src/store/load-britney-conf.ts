import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { parseBritneyConf, placeOf, type BritneyConf } from "../formats/britney-conf.js";
import { britneyRules, type BritneyRules, type TestingRelease } from "../formats/britney-rules.js";
import { readRelease } from "../formats/release-file.js";
import { firstOfProblems } from "../formats/problems.js";
import { InputError } from "./errors.js";

/** A britney.conf is a few kilobytes; anything near this is not one. */
const MAX_CONF_BYTES = 1024 * 1024;
/** A Release file is a few hundred kilobytes (its checksums); anything near this is not one. */
const MAX_RELEASE_BYTES = 16 * 1024 * 1024;

/** What britney2 would stop on when reading a file, or null when it is missing (which britney2 allows). */
function unreadable(error: unknown): string | null {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" ? null : `cannot be read (${code ?? (error as Error).message})`;
}

/**
 * TESTING's Release file, read only when britney.conf leaves something to it
 * (SERIES or ARCHITECTURES unset: formats/release-file.ts) and TESTING names
 * a directory. None there, or no TESTING line: null, as britney2 reads no file.
 */
async function testingReleaseOf(conf: BritneyConf): Promise<TestingRelease> {
  const series = conf.options.get("series");
  const testing = conf.options.get("testing");
  const needed = series === undefined || series.value === "" || !conf.options.has("architectures");
  if (!needed || testing === undefined || testing.value === "") return null;
  if (!testing.value.startsWith("/")) {
    return { problem: `${placeOf(conf, testing)}: relative, so britney2 reads the suite's Release file (its Suite names britney2's series while SERIES is unset, its Architectures the architectures while ARCHITECTURES is) from whatever directory it is started in; write an absolute path, or set SERIES and ARCHITECTURES` };
  }
  const path = join(testing.value, "Release");
  let bytes: Buffer;
  try {
    const { size } = await stat(path);
    if (size > MAX_RELEASE_BYTES) return { problem: `${path}: too large for a Release file (${size} bytes, over ${MAX_RELEASE_BYTES})` };
    bytes = await readFile(path);
  } catch (error) {
    const problem = unreadable(error);
    return problem === null ? null : { problem: `${path}: ${problem}; britney2 reads it (set SERIES and ARCHITECTURES in britney.conf to leave nothing to it)` };
  }
  try {
    return readRelease(new TextDecoder("utf-8", { fatal: true }).decode(bytes), path);
  } catch {
    return { problem: `${path}: not UTF-8 text` };
  }
}

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
  const conf = parseBritneyConf(text, path);
  const rules = britneyRules(conf, await testingReleaseOf(conf));
  if (rules.problems.length > 0) {
    throw new InputError(firstOfProblems(rules.problems));
  }
  return rules;
}
