export { IMPORT_AMQP_USAGE } from "./usage.js";
import type { Need } from "../core/types.js";
import { parseAmqpLine } from "../formats/amqp.js";
import { firstOfProblems } from "../formats/problems.js";
import { InputError } from "../store/errors.js";
import { ANSWER_LINES } from "./answer-lines.js";
import { EXIT_OK, LineBuffer, readTextFile, writeLine, type CliIO } from "./io.js";
import { openFromFlags } from "./open-from-flags.js";
import { resolve } from "node:path";
import type { Session } from "../session/session.js";
import { serviceProblem } from "../core/service-lists.js";
import { commitOptions, planOptions, parseWithPositionals, required, ruleOptions, stateOptions } from "./options.js";


/**
 * Reads britney2's AMQP file whole: every line must be a request for a suite
 * and arch this state serves, or nothing of the file is imported (as for
 * any bad input): a request read half-way, or with a parameter dropped,
 * would be sent as something britney2 did not ask for.
 */
async function readAmqpFile(path: string, session: Session): Promise<Need[]> {
  const text = await readTextFile(path, path);
  const needs: Need[] = [];
  const problems: string[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    const parsed = parseAmqpLine(line.trim());
    const problem = "problem" in parsed ? parsed.problem : serviceProblem(parsed, session.settings.suite, session.settings);
    if (problem !== null) problems.push(`${path} line ${i + 1}: ${problem}`);
    else needs.push(parsed as Need);
  });
  if (problems.length > 0) {
    throw new InputError(`${firstOfProblems(problems, "line(s)")}; nothing was imported from ${path}`);
  }
  return needs;
}

/** The file to import: the one named, or ADT_AMQP's of britney.conf; both must agree. */
function amqpFileOf(named: string | undefined, session: Session): string {
  const britney = session.britney;
  if (britney === null) {
    if (named === undefined) throw new InputError("FILE is required: britney2's AMQP file, debci.input (or --britney-conf FILE, to import ADT_AMQP's)");
    return named;
  }
  const place = britney.places.amqpFile;
  if ("problem" in place) {
    if (named === undefined) throw new InputError(place.problem);
    return named;
  }
  if (named !== undefined && resolve(named) !== resolve(place.path)) {
    throw new InputError(`${named} is not the file britney2 writes its requests to: ${place.path} (${place.source}); name no FILE, or change ADT_AMQP`);
  }
  return place.path;
}

/**
 * britney2's own request path (the AMQP file, debci.input) into the outbox
 * and the ledger, so a site can move to the outbox without changing britney2.
 * Each line is sent as britney2 decided, except what is in flight, waiting
 * in the outbox, reject-listed or repeated.
 */
export async function importAmqpCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseWithPositionals(argv, { ...stateOptions, ...ruleOptions, ...commitOptions, ...planOptions, scratch: { type: "string" } }, 1, true);
  required("import-amqp", values, "state");
  const scratch = values.scratch;
  const session = await openFromFlags("import-amqp", values, scratch === undefined ? "commit" : "scratch", scratch);
  try {
    const file = amqpFileOf(positionals[0], session);
    const needs = await readAmqpFile(file, session);
    const out = new LineBuffer(io.stdout);
    for (const need of needs) out.pushWritten(session.needDecided(need), ANSWER_LINES);
    out.flush();
    const result = await session.commit();
    for (const warning of session.warnings) writeLine(io.stderr, `warning: ${warning}`);
    const written = result.batches.length === 0 ? "no requests written" : `${result.requests} request(s) written to ${result.batches.map((b) => b.path).join(" and ")}`;
    writeLine(io.stderr, `debci-bridge import-amqp: ${needs.length} request(s) read from ${file}; ${written}`);
    return EXIT_OK;
  } finally {
    await session.close();
  }
}
