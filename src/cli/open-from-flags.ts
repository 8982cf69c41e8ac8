import { openSession, type Session, type SessionMode } from "../session/session.js";
import { parseNow, pathsFromFlags, required, settingsFromFlags } from "./options.js";

/** Opens a session from the shared state and rule flags. */
export async function openFromFlags(command: string, values: Record<string, string | boolean | undefined>, mode: SessionMode, scratchDir?: string): Promise<Session> {
  return openSession({
    stateDir: required(command, values, "state"),
    paths: pathsFromFlags(values),
    mode,
    ...(scratchDir === undefined ? {} : { scratchDir }),
    now: parseNow(values.now as string | undefined),
    settings: settingsFromFlags(values),
    strict: values.strict === true,
    command: `debci-bridge ${command}`,
  });
}
