import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeWorkload } from "../bench/workload.js";
import { makeDebciWorkload } from "../bench/debci-workload.js";
import { runCli, spawnCli } from "./support/cli.js";
import { SCENARIOS, TESTDATA, copyScenarioState, tempDir } from "./support/temp-state.js";

/**
 * Answers must not change when the code is made faster: the exact output of
 * `plan` on every scenario and on a generated workload (from raw files and
 * from the compacted base) is held in testdata/golden/, recorded once
 * before the performance work. DEBCI_BRIDGE_RECORD_GOLDEN=1 records anew,
 * for a change that means to alter answers.
 */
const GOLDEN = join(TESTDATA, "golden");
const RECORD = process.env.DEBCI_BRIDGE_RECORD_GOLDEN === "1";
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

function golden<T>(name: string, actual: T): T {
  const path = join(GOLDEN, name);
  if (RECORD) writeFileSync(path, `${JSON.stringify(actual, null, 1)}\n`);
  if (!existsSync(path)) throw new Error(`${path} is missing: record it with DEBCI_BRIDGE_RECORD_GOLDEN=1`);
  return JSON.parse(readFileSync(path, "utf8")) as T;
}

describe("answers stay byte-identical", () => {
  it("on every scenario", async () => {
    const outputs: Record<string, string> = {};
    for (const name of readdirSync(SCENARIOS).sort()) {
      const dir = join(SCENARIOS, name);
      const scenario = JSON.parse(readFileSync(join(dir, "scenario.json"), "utf8")) as { now: string };
      const hints = existsSync(join(dir, "hints")) ? ["--hints", join(dir, "hints")] : [];
      const run = await runCli(["plan", "--state", copyScenarioState(name), "--needs", join(dir, "needs.jsonl"), "--now", scenario.now, "--scratch", tempDir(), ...hints]);
      outputs[name] = run.stdout;
    }
    expect(outputs).toEqual(golden("scenarios.json", outputs));
  });

  it("on a generated workload, from raw files and from the compacted base", async () => {
    const dir = tempDir();
    const state = join(dir, "state");
    const workload = makeWorkload(state, { results: 30_000, files: 12, needs: 4000, seed: 11 });
    const needs = join(dir, "needs.json");
    writeFileSync(needs, JSON.stringify(workload.needs));
    const args = ["plan", "--state", state, "--needs", needs, "--now", "2026-11-25T12:00:00Z", "--scratch", tempDir()];
    const raw = await runCli(args);
    expect(raw.code, raw.stderr).toBe(0);
    const summary = { lines: raw.stdout.split("\n").length - 1, sha256: sha256(raw.stdout) };
    expect(summary).toEqual(golden("generated-plan.json", summary));
    expect((await runCli(["compact", "--state", state, "--now", "2026-11-25T12:00:00Z"])).code).toBe(0);
    const fromBase = await runCli(args);
    expect(sha256(fromBase.stdout)).toBe(summary.sha256);
  });

  it.each(["debci", "many-triggers"] as const)("on the benchmark's %s shape, the results scanner answers, requests and warns exactly as the exact path (JSON.parse) does, on two threads", async (shape) => {
    const dir = tempDir();
    const state = join(dir, "state");
    // Ten files, so the worker thread takes its share.
    const workload = makeDebciWorkload(state, { results: 20_000, needs: 3000, perFile: 2000, shape });
    const needs = join(dir, "needs.json");
    writeFileSync(needs, JSON.stringify(workload.needs));
    const plan = (env: Record<string, string>) => spawnCli(["plan", "--state", state, "--needs", needs, "--now", "2026-11-25T12:00:00Z", "--scratch", tempDir()], env);
    const exact = await plan({ DEBCI_BRIDGE_SCANNER: "0" });
    const scanned = await plan({});
    expect(exact.code, exact.stderr).toBe(0);
    expect(scanned.stdout.split("\n").length).toBe(3001);
    expect(scanned.stdout).toBe(exact.stdout);
    // The same warnings and summary; the scratch batch's path has its own directory and random part.
    const summary = (stderr: string) => stderr.replace(/\/\S+\.json/g, "BATCH");
    expect(summary(scanned.stderr)).toBe(summary(exact.stderr));
  });
});
