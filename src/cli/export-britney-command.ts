export { EXPORT_BRITNEY_USAGE } from "./usage.js";
import { open, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { JsonStreamStringify } from "json-stream-stringify";
import { writeFilesTogether } from "../store/atomic-write.js";
import { InputError, WriteError } from "../store/errors.js";
import { processUser } from "../store/process-user.js";
import type { BritneyPlace, BritneyRules } from "../formats/britney-rules.js";
import { EXIT_OK, writeLine, type CliIO } from "./io.js";
import { openFromFlags } from "./open-from-flags.js";
import { parseCommand, required, ruleOptions, stateOptions } from "./options.js";
import { parseNeeds, readNeedsFile } from "./read-needs.js";
import type { Need } from "../core/types.js";


/**
 * The versions britney2 would find for each package in its suites, from
 * needs: each need's `versions` (testing and unstable) or `version`.
 */
function versionsByPackage(needs: readonly Need[]): (pkg: string) => string[] | undefined {
  const byPackage = new Map<string, Set<string>>();
  for (const need of needs) {
    const versions = need.versions ?? (need.version === undefined ? [] : [need.version]);
    if (versions.length === 0) continue;
    let known = byPackage.get(need.package);
    if (known === undefined) byPackage.set(need.package, (known = new Set()));
    for (const v of versions) known.add(v);
  }
  return (pkg) => {
    const known = byPackage.get(pkg);
    return known === undefined ? undefined : [...known];
  };
}

/** Where export-britney writes each file britney2 reads, and what names each place in a message. */
interface Destinations {
  results: { path: string; source: string };
  pending: { path: string; source: string };
  debci: { path: string; source: string };
  /** ADT_AMQP's file, where britney2 will write its requests: printed for the script that imports them. */
  amqp?: string | null;
}

/** A place from britney.conf, or the error that says which line to change. */
function placeOrRefuse(place: BritneyPlace): { path: string; source: string } {
  if ("problem" in place) throw new InputError(`${place.problem}; nothing was exported`);
  return place;
}

/**
 * With britney.conf, where that britney2 reads (STATE_DIR, its results
 * cache wherever ADT_SHARED_RESULTS_CACHE puts it, ADT_SWIFT_URL's file);
 * without, the three files in --out.
 */
function destinations(britney: BritneyRules | null, out: string | undefined): Destinations {
  if (britney === null) {
    if (out === undefined) throw new InputError("--out is required: britney2's STATE_DIR (or --britney-conf FILE, to write where that britney2 reads)");
    const dir = resolve(out);
    const inOut = (name: string) => ({ path: join(dir, name), source: `--out ${out}` });
    return { results: inOut("autopkgtest-results.cache"), pending: inOut("autopkgtest-pending.json"), debci: inOut("debci.json") };
  }
  const stateDir = placeOrRefuse(britney.places.stateDir);
  if (out !== undefined && resolve(out) !== resolve(stateDir.path)) {
    throw new InputError(`--out ${out} is not where britney2 reads: STATE_DIR is ${stateDir.path} (${stateDir.source}); drop --out, or change STATE_DIR`);
  }
  const amqp = britney.places.amqpFile;
  return {
    results: placeOrRefuse(britney.places.resultsCache),
    pending: { path: join(stateDir.path, "autopkgtest-pending.json"), source: stateDir.source },
    debci: placeOrRefuse(britney.places.debciFile),
    amqp: "path" in amqp ? amqp.path : null,
  };
}

/**
 * A destination is replaced only if it is what britney2 or this command
 * writes there: a regular file holding a JSON object (or nothing). A
 * britney.conf line pointing at any other file must not overwrite it.
 */
async function checkReplaceable(places: readonly { path: string; source: string }[]): Promise<void> {
  const seen = new Map<string, string>();
  for (const place of places) {
    const earlier = seen.get(place.path);
    if (earlier !== undefined) throw new InputError(`${place.path} is named twice (${earlier}; ${place.source}): britney2 would read one file as two; nothing was exported`);
    seen.set(place.path, place.source);
    let head: string;
    try {
      const info = await stat(place.path);
      if (!info.isFile()) throw new InputError(`${place.path} (${place.source}) is not a regular file; nothing was exported`);
      const handle = await open(place.path, "r");
      try {
        const { buffer, bytesRead } = await handle.read(Buffer.alloc(64), 0, 64, 0);
        head = buffer.subarray(0, bytesRead).toString("latin1").trimStart();
      } finally {
        await handle.close();
      }
    } catch (error) {
      if (error instanceof InputError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      // Not there yet, or not reachable: writing it says which, with the line to change.
      if (code === "ENOENT" || code === "ENOTDIR" || code === "EACCES") continue;
      throw error;
    }
    if (head !== "" && !head.startsWith("{")) {
      throw new InputError(`${place.path} (${place.source}) exists and holds no JSON object: not a file britney2 or export-britney wrote, so it is not replaced; nothing was exported`);
    }
  }
}

/**
 * Writes what an unmodified britney2 reads: its results cache
 * (autopkgtest-results.cache), its pending file (autopkgtest-pending.json)
 * and, for its ADT_SWIFT_URL, a debci.json holding the keys in flight as
 * queued jobs (see docs/britney2.md, "Running an unmodified britney2"). All three or
 * none: britney2 must never read a cache this run did not write.
 */
export async function exportBritneyCommand(argv: string[], io: CliIO): Promise<number> {
  const values = parseCommand(argv, { ...stateOptions, ...ruleOptions, out: { type: "string" }, needs: { type: "string" } });
  required("export-britney", values, "state");
  const needsText = values.needs === undefined ? null : await readNeedsFile(values.needs);
  const session = await openFromFlags("export-britney", values, "read-only");
  try {
    const to = destinations(session.britney, values.out);
    await checkReplaceable([to.results, to.pending, to.debci]);
    for (const warning of session.warnings) writeLine(io.stderr, `warning: ${warning}`);
    const versionsOf = needsText === null ? undefined : versionsByPackage(parseNeeds(needsText, values.needs!, session.settings.suite));
    const { results, pending, debci } = session.exportForBritney(versionsOf);
    try {
      await writeFilesTogether([
        { path: to.results.path, content: new JsonStreamStringify(results, undefined, 1) },
        { path: to.pending.path, content: `${JSON.stringify(pending, null, 1)}\n` },
        { path: to.debci.path, content: `${JSON.stringify(debci)}\n` },
      ]);
    } catch (error) {
      if (!(error instanceof WriteError)) throw error;
      const place = [to.results, to.pending, to.debci].find((p) => p.path === error.file);
      const fix = place === undefined ? "" : `; britney2 reads it (${place.source}): make it writable for this user (${processUser()}), or change that line`;
      throw new InputError(`${error.message}${fix}; nothing was exported, and britney2 would read what it read before`);
    }
    const resultKeys = Object.values(results).reduce((n, byPkg) => n + Object.values(byPkg).reduce((m, byArch) => m + Object.keys(byArch).length, 0), 0);
    const printed: Record<string, unknown> = { results: to.results.path, resultKeys, pending: to.pending.path, pendingKeys: debci.results.length, debci: to.debci.path };
    if (to.amqp !== undefined) printed.amqp = to.amqp;
    writeLine(io.stdout, JSON.stringify(printed));
    return EXIT_OK;
  } finally {
    await session.close();
  }
}
