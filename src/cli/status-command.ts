export { STATUS_USAGE } from "./usage.js";
import { answerLine } from "../formats/answer-line.js";
import { EXIT_OK, colourWanted, isTerminal, writeLine, type CliIO } from "./io.js";
import { openFromFlags } from "./open-from-flags.js";
import { parseCommand, required, ruleOptions, stateOptions } from "./options.js";
import { needOf } from "./read-needs.js";
import { statusText } from "./status-text.js";

/**
 * One answer, no writes at all. On a terminal, explained in words (see
 * status-text.ts), coloured unless NO_COLOR is set; `--json`, and any
 * stdout that is not a terminal, get the JSON line as always.
 */
export async function statusCommand(argv: string[], io: CliIO): Promise<number> {
  const values = parseCommand(argv, { ...stateOptions, ...ruleOptions, package: { type: "string" }, trigger: { type: "string" }, arch: { type: "string" }, "tested-version": { type: "string" }, json: { type: "boolean" } });
  const key = {
    package: required("status", values, "package"),
    trigger: required("status", values, "trigger"),
    arch: required("status", values, "arch"),
    ...(values["tested-version"] === undefined ? {} : { version: values["tested-version"] }),
  };
  const session = await openFromFlags("status", values, "read-only");
  try {
    // The names as plan takes them in a need: Debian's name rules, and the suites and arches the CI service runs.
    const need = needOf(key, session.settings.suite, () => "the key given by --package, --trigger and --arch", session.settings);
    if (values.json === true || !isTerminal(io.stdout)) writeLine(io.stdout, answerLine(session.describe(key)));
    else {
      // What a committing run would do with it too: preview registers nothing.
      const answer = session.preview(need);
      const baseline = session.baseline(need.arch, need.package, need.suite, need.versions ?? (need.version === undefined ? undefined : [need.version]));
      writeLine(io.stdout, statusText({ answer, baseline, now: session.options.now, colour: colourWanted() }));
    }
    for (const warning of session.warnings) writeLine(io.stderr, `warning: ${warning}`);
    return EXIT_OK;
  } finally {
    await session.close();
  }
}
