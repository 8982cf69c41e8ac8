import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach } from "vitest";

export const TESTDATA = new URL("../../testdata/", import.meta.url).pathname;
export const SCENARIOS = join(TESTDATA, "scenarios");

const made: string[] = [];
afterEach(() => {
  while (made.length > 0) rmSync(made.pop()!, { recursive: true, force: true });
});

export function tempDir(prefix = "debci-bridge-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** A temporary copy of a scenario's state directory (tests never write into testdata). */
export function copyScenarioState(name: string): string {
  const dir = join(tempDir(), "state");
  cpSync(join(SCENARIOS, name, "state"), dir, { recursive: true });
  return dir;
}

/** Every file under a directory with its bytes, for byte-for-byte comparisons. */
export function snapshotTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p).toString("base64");
    }
  };
  walk(dir);
  return out;
}
