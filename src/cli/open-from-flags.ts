import { basename } from "node:path";
import { parseHints, type Hint } from "../core/hints.js";
import { openSession, type Session, type SessionMode } from "../session/session.js";
import { readTextFile } from "./io.js";
import { parseNow, pathsFromFlags, required, settingsFromFlags } from "./options.js";
import { refuseShippedDemo } from "./shipped-demo.js";

/** britney2's hints files (`--hints FILE`, repeatable): the hints this policy reads, and the lines it could not. */
async function readHints(files: readonly string[]): Promise<{ hints: Hint[]; problems: string[] }> {
  const hints: Hint[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const parsed = parseHints(await readTextFile(file, `--hints ${file}`), basename(file));
    hints.push(...parsed.hints);
    problems.push(...parsed.problems.map((p) => `--hints ${file}: ${p}`));
  }
  return { hints, problems };
}

/** Opens a session from the shared state and rule flags. */
export async function openFromFlags(command: string, values: Record<string, string | boolean | string[] | undefined>, mode: SessionMode, scratchDir?: string): Promise<Session> {
  const stateDir = required(command, values, "state");
  if (mode === "commit") refuseShippedDemo(command, stateDir, true);
  const { hints, problems } = await readHints((values.hints as string[] | undefined) ?? []);
  const session = await openSession({
    stateDir,
    paths: pathsFromFlags(values),
    mode,
    ...(scratchDir === undefined ? {} : { scratchDir }),
    now: parseNow(values.now as string | undefined),
    settings: settingsFromFlags(values),
    ...(typeof values["britney-conf"] === "string" ? { britneyConf: values["britney-conf"] } : {}),
    strict: values.strict === true,
    command: `debci-bridge ${command}`,
    hints,
  });
  session.warnings.push(...problems);
  return session;
}
