export { IMPORT_AMQP_USAGE } from "./usage.js";
import type { Need } from "../core/types.js";
import { parseAmqpLine } from "../formats/amqp.js";
import { InputError } from "../store/errors.js";
import { answerLine } from "../formats/answer-line.js";
import { EXIT_OK, LineBuffer, readTextFile, writeLine, type CliIO } from "./io.js";
import { openFromFlags } from "./open-from-flags.js";
import { commitOptions, planOptions, parseWithPositionals, required, ruleOptions, stateOptions } from "./options.js";


/** Reads britney2's AMQP file: needs, and the problems of lines that are not requests. */
async function readAmqpFile(path: string): Promise<{ needs: Need[]; problems: string[] }> {
  const text = await readTextFile(path, path);
  const needs: Need[] = [];
  const problems: string[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    const parsed = parseAmqpLine(line.trim());
    if ("problem" in parsed) problems.push(`${path} line ${i + 1}: ${parsed.problem}`);
    else needs.push(parsed);
  });
  return { needs, problems };
}

/**
 * britney2's own request path (the AMQP file, debci.input) into the outbox
 * and the ledger, so a site can move to the outbox without changing britney2.
 * Each line is sent as britney2 decided, except what is in flight, waiting
 * in the outbox, reject-listed or repeated.
 */
export async function importAmqpCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseWithPositionals(argv, { ...stateOptions, ...ruleOptions, ...commitOptions, ...planOptions, scratch: { type: "string" } }, 1);
  required("import-amqp", values, "state");
  const { needs, problems } = await readAmqpFile(positionals[0]!);
  if (values.strict && problems.length > 0) throw new InputError(`strict mode: ${problems[0]}`);
  const scratch = values.scratch;
  const session = await openFromFlags("import-amqp", values, scratch === undefined ? "commit" : "scratch", scratch);
  try {
    const out = new LineBuffer(io.stdout);
    for (const need of needs) out.push(answerLine(session.needDecided(need)));
    out.flush();
    const result = await session.commit();
    for (const warning of [...session.warnings, ...problems]) writeLine(io.stderr, `warning: ${warning}`);
    const written = result.batches.length === 0 ? "no requests written" : `${result.requests} request(s) written to ${result.batches.map((b) => b.path).join(" and ")}`;
    writeLine(io.stderr, `debci-bridge import-amqp: ${needs.length} request(s) read, ${problems.length} line(s) skipped; ${written}`);
    return EXIT_OK;
  } finally {
    await session.close();
  }
}
