export { SERVE_USAGE } from "./usage.js";
import { Dispatcher } from "../serve/dispatch.js";
import { serveLines } from "../serve/line-server.js";
import { EXIT_OK, writeLine, type CliIO } from "./io.js";
import { openFromFlags } from "./open-from-flags.js";
import { commitOptions, planOptions, parseCommand, required, ruleOptions, stateOptions } from "./options.js";


/**
 * A long-lived session for britney2: load once, answer JSON requests line by
 * line on stdin. A committing server holds the lock until it commits or its
 * input ends; input ending without `commit` writes nothing.
 */
export async function serveCommand(argv: string[], io: CliIO): Promise<number> {
  const values = parseCommand(argv, { ...stateOptions, ...ruleOptions, ...commitOptions, ...planOptions, scratch: { type: "string" } });
  required("serve", values, "state");
  const scratch = values.scratch;
  const session = await openFromFlags("serve", values, scratch === undefined ? "commit" : "scratch", scratch);
  try {
    for (const warning of session.warnings) writeLine(io.stderr, `warning: ${warning}`);
    const dispatcher = new Dispatcher(session);
    const stats = await serveLines(io.stdin, io.stdout, dispatcher);
    const seconds = (ms: number) => (ms / 1000).toFixed(3);
    writeLine(
      io.stderr,
      `debci-bridge serve: ${stats.lines} line(s) served in ${seconds(stats.busyMs)} s busy (${seconds(dispatcher.answeringMs)} s answering, ${seconds(stats.busyMs - dispatcher.answeringMs)} s protocol); ${dispatcher.hasCommitted ? "committed" : "input ended without commit: nothing written"}`,
    );
    return EXIT_OK;
  } finally {
    await session.close();
  }
}
