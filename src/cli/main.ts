import { InputError, LockHeldError } from "../store/errors.js";
import { EXIT_BAD_INPUT, EXIT_LOCKED, EXIT_OK, writeLine, type CliIO } from "./io.js";
import { COMPACT_USAGE, DUMP_BASE_USAGE, EXPORT_BRITNEY_USAGE, FETCH_USAGE, IMPORT_AMQP_USAGE, PLAN_USAGE, PRUNE_USAGE, REPORT_USAGE, SERVE_USAGE, STATUS_USAGE, SUBMIT_USAGE, WATERMARK_USAGE } from "./usage.js";

type Run = (argv: string[], io: CliIO) => Promise<number>;

/**
 * Each command's module is loaded only when that command runs: `--help`
 * loads none, `status` not the server, and only fetch and submit load the
 * network code (src/sync), which nothing else in debci-bridge ever does.
 */
const COMMANDS: Record<string, { run: Run; usage: string }> = {
  plan: { run: async (a, io) => (await import("./plan-command.js")).planCommand(a, io), usage: PLAN_USAGE },
  status: { run: async (a, io) => (await import("./status-command.js")).statusCommand(a, io), usage: STATUS_USAGE },
  report: { run: async (a, io) => (await import("./report-command.js")).reportCommand(a, io), usage: REPORT_USAGE },
  serve: { run: async (a, io) => (await import("./serve-command.js")).serveCommand(a, io), usage: SERVE_USAGE },
  "export-britney": { run: async (a, io) => (await import("./export-britney-command.js")).exportBritneyCommand(a, io), usage: EXPORT_BRITNEY_USAGE },
  "import-amqp": { run: async (a, io) => (await import("./import-amqp-command.js")).importAmqpCommand(a, io), usage: IMPORT_AMQP_USAGE },
  compact: { run: async (a, io) => (await import("./maintenance-commands.js")).compactCommand(a, io), usage: COMPACT_USAGE },
  prune: { run: async (a, io) => (await import("./maintenance-commands.js")).pruneCommand(a, io), usage: PRUNE_USAGE },
  watermark: { run: async (a, io) => (await import("./maintenance-commands.js")).watermarkCommand(a, io), usage: WATERMARK_USAGE },
  "dump-base": { run: async (a, io) => (await import("./maintenance-commands.js")).dumpBaseCommand(a, io), usage: DUMP_BASE_USAGE },
  fetch: { run: async (a, io) => (await import("../sync/cli.js")).fetchCommand(a, io), usage: FETCH_USAGE },
  submit: { run: async (a, io) => (await import("../sync/cli.js")).submitCommand(a, io), usage: SUBMIT_USAGE },
};

const USAGE = ["usage:", `  ${PLAN_USAGE}`, `  ${STATUS_USAGE}`, `  ${REPORT_USAGE}`, `  ${SERVE_USAGE}`, `  ${EXPORT_BRITNEY_USAGE}`, `  ${IMPORT_AMQP_USAGE}`, `  ${COMPACT_USAGE}`, `  ${PRUNE_USAGE}`, `  ${WATERMARK_USAGE}`, `  ${DUMP_BASE_USAGE}`, `  ${FETCH_USAGE}`, `  ${SUBMIT_USAGE}`, "exit codes: 0 done (warnings allowed), 1 bad input or arguments, 2 lock held; fetch and submit: 3 CI service unavailable, 4 CI service refused (entries in outbox/rejected/), 5 API key not accepted, 6 response over --max-bytes or a redirect to another origin"].join("\n");

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
