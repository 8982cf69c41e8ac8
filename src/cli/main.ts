import { InputError, LockHeldError } from "../store/errors.js";
import { permissionMessage } from "../store/shared-mode.js";
import { EXIT_BAD_INPUT, EXIT_LOCKED, EXIT_OK, isTerminal, writeLine, type CliIO } from "./io.js";
import { progressLine } from "./progress-line.js";
import { setProgressReporter } from "../store/progress.js";
import { commandHelp, overviewHelp } from "./help-text.js";
import { closestNames } from "./closest.js";
import { packageVersion } from "./help-version.js";

type Run = (argv: string[], io: CliIO) => Promise<number>;

/**
 * Each command's module is loaded only when that command runs: `--help`
 * loads none, `status` not the server, and only fetch and submit load the
 * network code (src/sync), which nothing else in debci-bridge ever does.
 */
const COMMANDS: Record<string, Run> = {
  plan: async (a, io) => (await import("./plan-command.js")).planCommand(a, io),
  status: async (a, io) => (await import("./status-command.js")).statusCommand(a, io),
  report: async (a, io) => (await import("./report-command.js")).reportCommand(a, io),
  serve: async (a, io) => (await import("./serve-command.js")).serveCommand(a, io),
  "export-britney": async (a, io) => (await import("./export-britney-command.js")).exportBritneyCommand(a, io),
  "import-amqp": async (a, io) => (await import("./import-amqp-command.js")).importAmqpCommand(a, io),
  compact: async (a, io) => (await import("./maintenance-commands.js")).compactCommand(a, io),
  prune: async (a, io) => (await import("./maintenance-commands.js")).pruneCommand(a, io),
  watermark: async (a, io) => (await import("./maintenance-commands.js")).watermarkCommand(a, io),
  "dump-base": async (a, io) => (await import("./maintenance-commands.js")).dumpBaseCommand(a, io),
  fetch: async (a, io) => (await import("../sync/cli.js")).fetchCommand(a, io),
  submit: async (a, io) => (await import("../sync/cli.js")).submitCommand(a, io),
};

/** The commands main runs; the help table (help-text.ts) says the same names. */
export const COMMAND_NAMES: readonly string[] = Object.keys(COMMANDS);

/** Runs one CLI command; returns the exit code. Bad input gets a message, never a stack trace. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === "--version" || name === "-V" || (name === "version" && rest.length === 0)) {
    const version = packageVersion();
    if (version === undefined) {
      writeLine(io.stderr, "debci-bridge: no package.json of debci-bridge found above this module: version unknown");
      return EXIT_BAD_INPUT;
    }
    writeLine(io.stdout, `debci-bridge ${version}`);
    return EXIT_OK;
  }
  // `help COMMAND` is `COMMAND --help`.
  const helpWanted = name === "help" && rest.length > 0;
  const commandName = helpWanted ? rest[0]! : name;
  if (commandName === undefined || commandName === "help" || commandName === "--help" || commandName === "-h") {
    writeLine(commandName === undefined ? io.stderr : io.stdout, overviewHelp());
    return commandName === undefined ? EXIT_BAD_INPUT : EXIT_OK;
  }
  // Only the table's own names: `constructor` or `__proto__` are not commands.
  const command = Object.hasOwn(COMMANDS, commandName) ? COMMANDS[commandName] : undefined;
  if (command === undefined) {
    const near = closestNames(commandName, COMMAND_NAMES);
    const guess = near.length === 0 ? "" : ` (did you mean ${near.join(" or ")}?)`;
    writeLine(io.stderr, `debci-bridge: unknown command ${JSON.stringify(commandName)}${guess}; debci-bridge --help lists the commands`);
    return EXIT_BAD_INPUT;
  }
  if (helpWanted || rest.includes("--help") || rest.includes("-h")) {
    // Wrapped to the terminal when stdout is one; whole lines for anything reading it.
    const out = io.stdout as { isTTY?: boolean; columns?: number };
    const help = commandHelp(commandName, out.isTTY === true ? out.columns ?? 80 : undefined);
    if (help === undefined) throw new Error(`debci-bridge ${commandName}: no help written for this command`);
    writeLine(io.stdout, help);
    return EXIT_OK;
  }
  // Long work shows its progress on a terminal's stderr, never elsewhere.
  const line = isTerminal(io.stderr) ? progressLine(io.stderr, commandName) : null;
  setProgressReporter(line?.report ?? null);
  try {
    return await command(rest, io);
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
      // Filesystem trouble (permissions, full disk): the message names the path; a permission refused in a state, also who and the fix.
      writeLine(io.stderr, `debci-bridge ${name}: ${permissionMessage(error) ?? (error as Error).message}`);
      return EXIT_BAD_INPUT;
    }
    throw error;
  } finally {
    line?.end();
    setProgressReporter(null);
  }
}
