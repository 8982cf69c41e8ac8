import { resolve } from "node:path";
import { REPORT_LIMIT, buildReport, type Report, type ReportOptions } from "../core/report.js";
import type { Session } from "../session/session.js";
import { writeFileAtomic } from "../store/atomic-write.js";
import { InputError } from "../store/errors.js";
import { EXIT_OK, colourWanted, isTerminal, writeLine, type CliIO } from "./io.js";
import { reportText } from "./report-text.js";
import { openFromFlags } from "./open-from-flags.js";
import { parseCommand, ruleOptions, stateOptions } from "./options.js";

const reportOptions = {
  full: { type: "boolean" },
  html: { type: "string" },
  json: { type: "boolean" },
} as const;

/** The session's report, with the command's own options (Session.report builds the capped default). */
function reportOf(session: Session, options: ReportOptions): Report {
  const { base, foldedOnDisk, files, coverage, repairedBatches } = session.loaded;
  const baseSummary = base === null ? null : { path: session.paths.base, compactedAt: base.compactedAt, runs: base.runs, folded: base.folded.length, foldedOnDisk: foldedOnDisk.length };
  return buildReport(session.index, session.settings, session.options.now, files, coverage, repairedBatches, baseSummary, options);
}

/**
 * The state as a person checking it wants it: one JSON document on stdout,
 * data ages and counts first, each list its oldest REPORT_LIMIT entries
 * (`--full`: all). `--html FILE` also writes the same report as one
 * self-contained page, atomically.
 */
export async function reportCommand(argv: string[], io: CliIO): Promise<number> {
  const values = parseCommand(argv, { ...stateOptions, ...ruleOptions, ...reportOptions });
  if (values.html === "") throw new InputError("--html: expected a file to write the page to");
  const htmlPath = values.html === undefined ? null : resolve(values.html);
  const session = await openFromFlags("report", values, "read-only");
  try {
    const report = reportOf(session, { limit: values.full === true ? Number.POSITIVE_INFINITY : REPORT_LIMIT });
    if (htmlPath !== null) {
      // Loaded only when asked for: the page's renderer is no cost to the JSON report.
      const { renderReportHtml } = await import("../report/html.js");
      await writeFileAtomic(htmlPath, renderReportHtml(report, { warnings: session.warnings }));
    }
    // A person at a terminal gets the summary; --json, and anything reading a pipe or file, the document as always.
    writeLine(io.stdout, values.json === true || !isTerminal(io.stdout) ? JSON.stringify(report, null, 2) : reportText(report, colourWanted()));
    for (const warning of session.warnings) writeLine(io.stderr, `warning: ${warning}`);
    if (htmlPath !== null) writeLine(io.stderr, `debci-bridge report: page written to ${htmlPath}`);
    return EXIT_OK;
  } finally {
    await session.close();
  }
}
