export { REPORT_USAGE } from "./usage.js";
import { EXIT_OK, writeLine, type CliIO } from "./io.js";
import { openFromFlags } from "./open-from-flags.js";
import { parseCommand, ruleOptions, stateOptions } from "./options.js";


/** The state as a person checking it wants it: one JSON document on stdout. */
export async function reportCommand(argv: string[], io: CliIO): Promise<number> {
  const values = parseCommand(argv, { ...stateOptions, ...ruleOptions });
  const session = await openFromFlags("report", values, "read-only");
  try {
    writeLine(io.stdout, JSON.stringify(session.report(), null, 2));
    for (const warning of session.warnings) writeLine(io.stderr, `warning: ${warning}`);
    return EXIT_OK;
  } finally {
    await session.close();
  }
}
