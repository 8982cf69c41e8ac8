import { realpathSync } from "node:fs";
import { InputError } from "../store/errors.js";

/**
 * The demo state shipped in a checkout (testdata/demo/state) is the README's
 * tour and many tests' input: a committing run would write its outbox,
 * ledger or base into tracked files, and the next reader would start from
 * a changed demo. It is read-only to the commands that write a state;
 * answering from it is fine, and a copy is an ordinary state. (The npm and
 * Debian packages ship no testdata/, so there this finds nothing.)
 */
const SHIPPED_DEMO = new URL("../../testdata/demo/state", import.meta.url).pathname;

function realOrNull(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

/** Refuses a run of `command` that would write into the shipped demo state; `scratch` says whether --scratch is the way out. */
export function refuseShippedDemo(command: string, stateDir: string, scratch: boolean): void {
  const demo = realOrNull(SHIPPED_DEMO);
  if (demo === null || realOrNull(stateDir) !== demo) return;
  const way = scratch ? `add --scratch DIR to answer and write the requests there instead, or copy it first` : "copy it first";
  throw new InputError(`${stateDir} is the shipped demo state, which ${command} would write into; ${way} (cp -r ${stateDir} /tmp/demo-state)`);
}
