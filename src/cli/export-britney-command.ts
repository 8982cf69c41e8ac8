export { EXPORT_BRITNEY_USAGE } from "./usage.js";
import { join, resolve } from "node:path";
import { JsonStreamStringify } from "json-stream-stringify";
import { writeFileAtomic } from "../store/atomic-write.js";
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

/**
 * Writes what an unmodified britney2 reads, into --out: its results cache
 * (autopkgtest-results.cache), its pending file (autopkgtest-pending.json)
 * and, for its ADT_SWIFT_URL, a debci.json holding the keys in flight as
 * queued jobs (see README, "Running an unmodified britney2").
 */
export async function exportBritneyCommand(argv: string[], io: CliIO): Promise<number> {
  const values = parseCommand(argv, { ...stateOptions, ...ruleOptions, out: { type: "string" }, needs: { type: "string" } });
  required("export-britney", values, "state");
  const out = resolve(required("export-britney", values, "out"));
  const needsText = values.needs === undefined ? null : await readNeedsFile(values.needs);
  const session = await openFromFlags("export-britney", values, "read-only");
  try {
    for (const warning of session.warnings) writeLine(io.stderr, `warning: ${warning}`);
    const versionsOf = needsText === null ? undefined : versionsByPackage(parseNeeds(needsText, values.needs!, session.settings.suite));
    const { results, pending, debci } = session.exportForBritney(versionsOf);
    const resultsPath = join(out, "autopkgtest-results.cache");
    const pendingPath = join(out, "autopkgtest-pending.json");
    const debciPath = join(out, "debci.json");
    await writeFileAtomic(resultsPath, new JsonStreamStringify(results, undefined, 1));
    await writeFileAtomic(pendingPath, `${JSON.stringify(pending, null, 1)}\n`);
    await writeFileAtomic(debciPath, `${JSON.stringify(debci)}\n`);
    const resultKeys = Object.values(results).reduce((n, byPkg) => n + Object.values(byPkg).reduce((m, byArch) => m + Object.keys(byArch).length, 0), 0);
    writeLine(io.stdout, JSON.stringify({ results: resultsPath, resultKeys, pending: pendingPath, pendingKeys: debci.results.length, debci: debciPath }));
    return EXIT_OK;
  } finally {
    await session.close();
  }
}
