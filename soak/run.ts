/** `npm run soak -- [options]`: runs the soak and prints its figures (a table, or JSON with --json). */
import { formatFigures } from "./figures.js";
import { OptionError, parseOptions, USAGE } from "./options.js";
import { runSoak } from "./soak.js";

async function main(argv: string[]): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let options;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof OptionError)) throw error;
    process.stderr.write(`soak: ${error.message}\n`);
    return 1;
  }
  const { figures, root } = await runSoak(options, options.verbose ? (line) => process.stderr.write(`${line}\n`) : () => {});
  process.stdout.write(options.json ? `${JSON.stringify(figures, null, 2)}\n` : `${formatFigures(figures)}\n`);
  if (options.keep !== null) process.stderr.write(`soak: state kept in ${root}\n`);
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
