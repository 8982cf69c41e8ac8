export { STATUS_USAGE } from "./usage.js";
import { answerLine } from "../formats/answer-line.js";
import { EXIT_OK, writeLine, type CliIO } from "./io.js";
import { openFromFlags } from "./open-from-flags.js";
import { parseCommand, required, ruleOptions, stateOptions } from "./options.js";
import { needOf } from "./read-needs.js";


/** One answer, no writes at all. */
export async function statusCommand(argv: string[], io: CliIO): Promise<number> {
  const values = parseCommand(argv, { ...stateOptions, ...ruleOptions, package: { type: "string" }, trigger: { type: "string" }, arch: { type: "string" }, "tested-version": { type: "string" } });
  const key = {
    package: required("status", values, "package"),
    trigger: required("status", values, "trigger"),
    arch: required("status", values, "arch"),
    ...(values["tested-version"] === undefined ? {} : { version: values["tested-version"] }),
  };
  const session = await openFromFlags("status", values, "read-only");
  try {
    // The names as plan takes them in a need: Debian's name rules, and the suites and arches the CI service runs.
    needOf(key, session.settings.suite, () => "the key given by --package, --trigger and --arch", session.settings);
    writeLine(io.stdout, answerLine(session.describe(key)));
    for (const warning of session.warnings) writeLine(io.stderr, `warning: ${warning}`);
    return EXIT_OK;
  } finally {
    await session.close();
  }
}
