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

/** A small text file read whole: its text, or why not. Both of britney2's files here are read so, each caller wording its own messages. */
type SmallText = { text: string } | { missing: true } | { tooLarge: number } | { unreadable: string } | { notUtf8: true };

/** Reads a file of at most `maxBytes` as strict UTF-8 (a byte-order mark kept as a character, as Python's utf-8 codec keeps it). */
async function readSmallText(path: string, maxBytes: number): Promise<SmallText> {
  let bytes: Buffer;
  try {
    const { size } = await stat(path);
    if (size > maxBytes) return { tooLarge: size };
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "ENOENT" ? { missing: true } : { unreadable: code ?? (error as Error).message };
  }
  try {
    return { text: new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes) };
  } catch {
    return { notUtf8: true };
  }
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
  const read = await readSmallText(path, MAX_RELEASE_BYTES);
  if ("missing" in read) return null;
  if ("tooLarge" in read) return { problem: `${path}: too large for a Release file (${read.tooLarge} bytes, over ${MAX_RELEASE_BYTES})` };
  if ("unreadable" in read) return { problem: `${path}: cannot be read (${read.unreadable}); britney2 reads it (set SERIES and ARCHITECTURES in britney.conf to leave nothing to it)` };
  if ("notUtf8" in read) return { problem: `${path}: not UTF-8 text` };
  return readRelease(read.text, path);
}

/**
 * Reads britney2's configuration and what britney2 takes from it. A file
 * britney2 itself would stop on (not UTF-8, a rule it cannot read) is an
 * error naming the line and the fix: a run must not answer by a rule
 * britney2 does not apply.
 */
export async function loadBritneyConf(path: string): Promise<BritneyRules> {
  const read = await readSmallText(path, MAX_CONF_BYTES);
  if ("missing" in read) throw new InputError(`britney.conf ${path}: no such file (--britney-conf, or britneyConf in debci-bridge.json, names britney2's configuration)`);
  if ("tooLarge" in read) throw new InputError(`britney.conf ${path}: too large for a britney2 configuration (${read.tooLarge} bytes, over ${MAX_CONF_BYTES})`);
  if ("unreadable" in read) throw new InputError(`britney.conf ${path}: cannot be read (${read.unreadable})`);
  // britney.py opens it with encoding='utf-8': a byte that is not UTF-8 stops britney2 too, and a byte-order mark stays part of the first key.
  if ("notUtf8" in read) throw new InputError(`britney.conf ${path}: not UTF-8 text (britney2 stops on it with UnicodeDecodeError)`);
  const text = read.text;
  const conf = parseBritneyConf(text, path);
  const rules = britneyRules(conf, await testingReleaseOf(conf));
  if (rules.problems.length > 0) {
    throw new InputError(firstOfProblems(rules.problems));
  }
  return rules;
}
