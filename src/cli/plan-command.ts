export { PLAN_USAGE } from "./usage.js";
import type { AnswerState } from "../core/types.js";
import { ANSWER_LINES } from "./answer-lines.js";
import { EXIT_OK, LineBuffer, readAll, writeLine, type CliIO } from "./io.js";
import { openFromFlags } from "./open-from-flags.js";
import { commitOptions, planOptions, parseCommand, required, ruleOptions, stateOptions } from "./options.js";
import { parseNeeds, readNeedsFile } from "./read-needs.js";
import { phaseTimes, phaseTimesWanted, timed, timedAsync } from "../store/phase-times.js";


/** britney2's run: answer every need (one JSON line each, input order), then commit the outbox. */
export async function planCommand(argv: string[], io: CliIO): Promise<number> {
  const values = parseCommand(argv, { ...stateOptions, ...ruleOptions, ...commitOptions, ...planOptions, needs: { type: "string" }, scratch: { type: "string" } });
  required("plan", values, "state");
  const needsPath = required("plan", values, "needs");
  // Read needs before taking the lock: stdin may be slow, and bad needs should fail without touching anything.
  let text: string | undefined = needsPath === "-" ? await readAll(io.stdin) : await readNeedsFile(needsPath);
  const scratch = values.scratch;
  const session = await openFromFlags("plan", values, scratch === undefined ? "commit" : "scratch", scratch);
  try {
    const needs = timed("needs", () => parseNeeds(text!, needsPath === "-" ? "stdin" : needsPath, session.settings.suite, session.settings));
    // Let go of the text (20 MB for 200,000 needs): this function's frame would hold it until the commit ends.
    text = undefined;
    const counts: Record<AnswerState, number> = { pass: 0, fail: 0, pending: 0, missing: 0 };
    const out = new LineBuffer(io.stdout);
    timed("answer", () => {
      for (const need of needs) {
        const answer = session.need(need);
        counts[answer.state]++;
        out.pushWritten(answer, ANSWER_LINES);
      }
      out.flush();
    });
    const result = await timedAsync("write", () => session.commit());
    if (phaseTimesWanted) writeLine(io.stderr, `phase times (ms): ${JSON.stringify(phaseTimes())}`);
    for (const warning of session.warnings) writeLine(io.stderr, `warning: ${warning}`);
    const written = result.batches.length === 0 ? "no requests written" : `${result.requests} request(s) written to ${result.batches.map((b) => b.path).join(" and ")}`;
    writeLine(
      io.stderr,
      `debci-bridge plan${scratch === undefined ? "" : " (scratch)"}: ${needs.length} need(s): ${counts.pass} pass, ${counts.fail} fail, ${counts.pending} pending, ${counts.missing} missing; ${written}; ${session.warnings.length} warning(s)`,
    );
    return EXIT_OK;
  } finally {
    await session.close();
  }
}
