export { EXPORT_BRITNEY_USAGE } from "./usage.js";
import { join, resolve } from "node:path";
import { JsonStreamStringify } from "json-stream-stringify";
import { writeFileAtomic } from "../store/atomic-write.js";
import { EXIT_OK, writeLine, type CliIO } from "./io.js";
import { openFromFlags } from "./open-from-flags.js";
import { parseCommand, required, ruleOptions, stateOptions } from "./options.js";


/** Writes autopkgtest-results.cache and autopkgtest-pending.json for an unmodified britney2. */
export async function exportBritneyCommand(argv: string[], io: CliIO): Promise<number> {
  const values = parseCommand(argv, { ...stateOptions, ...ruleOptions, out: { type: "string" } });
  required("export-britney", values, "state");
  const out = resolve(required("export-britney", values, "out"));
  const session = await openFromFlags("export-britney", values, "read-only");
  try {
    for (const warning of session.warnings) writeLine(io.stderr, `warning: ${warning}`);
    const { results, pending } = session.exportForBritney();
    const resultsPath = join(out, "autopkgtest-results.cache");
    const pendingPath = join(out, "autopkgtest-pending.json");
    await writeFileAtomic(resultsPath, new JsonStreamStringify(results, undefined, 1));
    await writeFileAtomic(pendingPath, `${JSON.stringify(pending, null, 1)}\n`);
    const count = (tree: object) => Object.values(tree).reduce((n, byPkg) => n + Object.values(byPkg as object).reduce((m, byArch) => m + Object.keys(byArch as object).length, 0), 0);
    writeLine(io.stdout, JSON.stringify({ results: resultsPath, resultKeys: count(results), pending: pendingPath, pendingKeys: count(pending) }));
    return EXIT_OK;
  } finally {
    await session.close();
  }
}
