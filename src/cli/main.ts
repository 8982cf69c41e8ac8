import { InputError, LockHeldError } from "../store/errors.js";
import { EXIT_BAD_INPUT, EXIT_LOCKED, EXIT_OK, writeLine, type CliIO } from "./io.js";
import { PLAN_USAGE, planCommand } from "./plan-command.js";
import { REPORT_USAGE, reportCommand } from "./report-command.js";
import { EXPORT_BRITNEY_USAGE, exportBritneyCommand } from "./export-britney-command.js";
import { IMPORT_AMQP_USAGE, importAmqpCommand } from "./import-amqp-command.js";
import { COMPACT_USAGE, PRUNE_USAGE, WATERMARK_USAGE, compactCommand, pruneCommand, watermarkCommand } from "./maintenance-commands.js";
import { SERVE_USAGE, serveCommand } from "./serve-command.js";
import { STATUS_USAGE, statusCommand } from "./status-command.js";

// Usage lines are plain strings: importing them from src/sync would load the network code.
const FETCH_USAGE = "debci-bridge fetch --state DIR --url BASE [--key-file F] [--now ISO] [--since ISO | --backfill DAYS] [--pending-window DAYS] [--overlap MINUTES] [--max-bytes N] [--slice-bytes N] [--timeout SECONDS] [--deadline SECONDS] [--retries N] [--backoff MS]";
const SUBMIT_USAGE = "debci-bridge submit --state DIR --url BASE [--key-file F] [--now ISO] [--priority 1-10] [--huge-priority 1-10] [--timeout SECONDS] [--deadline SECONDS] [--retries N] [--backoff MS]";

const COMMANDS: Record<string, { run: (argv: string[], io: CliIO) => Promise<number>; usage: string }> = {
  plan: { run: planCommand, usage: PLAN_USAGE },
  status: { run: statusCommand, usage: STATUS_USAGE },
  report: { run: reportCommand, usage: REPORT_USAGE },
  serve: { run: serveCommand, usage: SERVE_USAGE },
  "export-britney": { run: exportBritneyCommand, usage: EXPORT_BRITNEY_USAGE },
  "import-amqp": { run: importAmqpCommand, usage: IMPORT_AMQP_USAGE },
  compact: { run: compactCommand, usage: COMPACT_USAGE },
  prune: { run: pruneCommand, usage: PRUNE_USAGE },
  watermark: { run: watermarkCommand, usage: WATERMARK_USAGE },
  // The sync tools touch the network: loaded only when asked for, never by the module.
  fetch: { run: async (argv, io) => (await import("../sync/cli.js")).fetchCommand(argv, io), usage: FETCH_USAGE },
  submit: { run: async (argv, io) => (await import("../sync/cli.js")).submitCommand(argv, io), usage: SUBMIT_USAGE },
};

const USAGE = ["usage:", `  ${PLAN_USAGE}`, `  ${STATUS_USAGE}`, `  ${REPORT_USAGE}`, `  ${SERVE_USAGE}`, `  ${EXPORT_BRITNEY_USAGE}`, `  ${IMPORT_AMQP_USAGE}`, `  ${COMPACT_USAGE}`, `  ${PRUNE_USAGE}`, `  ${WATERMARK_USAGE}`, `  ${FETCH_USAGE}`, `  ${SUBMIT_USAGE}`, "exit codes: 0 done (warnings allowed), 1 bad input or arguments, 2 lock held; fetch and submit: 3 CI service unavailable, 4 CI service refused (entries in outbox/rejected/), 5 API key not accepted, 6 response over --max-bytes or a redirect to another origin"].join("\n");

/** Runs one CLI command; returns the exit code. Bad input gets a message, never a stack trace. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    writeLine(name === undefined ? io.stderr : io.stdout, USAGE);
    return name === undefined ? EXIT_BAD_INPUT : EXIT_OK;
  }
  // Only the table's own names: `constructor` or `__proto__` are not commands.
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    writeLine(io.stderr, `debci-bridge: unknown command ${JSON.stringify(name)}\n${USAGE}`);
    return EXIT_BAD_INPUT;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    writeLine(io.stdout, `usage: ${command.usage}`);
    return EXIT_OK;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof LockHeldError) {
      writeLine(io.stderr, `debci-bridge ${name}: ${error.message}`);
      return EXIT_LOCKED;
    }
    if (error instanceof InputError) {
      writeLine(io.stderr, `debci-bridge ${name}: ${error.message}`);
      return EXIT_BAD_INPUT;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === "string") {
      // Filesystem trouble (permissions, full disk): the message names the path.
      writeLine(io.stderr, `debci-bridge ${name}: ${(error as Error).message}`);
      return EXIT_BAD_INPUT;
    }
    throw error;
  }
}
