import { cpSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "./support/cli.js";
import { TESTDATA, tempDir } from "./support/temp-state.js";

const LATER = "2027-03-01T12:00:00Z"; // three months after the demo state's newest data
const demo = () => {
  const state = join(tempDir(), "state");
  cpSync(join(TESTDATA, "demo", "state"), state, { recursive: true });
  return state;
};

describe("stale data", () => {
  it("a state three months old warns on every command, naming the ages and what to run", async () => {
    const state = demo();
    const amqp = join(tempDir(), "debci.input");
    writeFileSync(amqp, "");
    const commands = [
      ["plan", "--needs", join(TESTDATA, "demo", "needs.jsonl"), "--scratch", tempDir()],
      ["status", "--package", "qux", "--trigger", "glibc/2.41-7", "--arch", "amd64"],
      ["report"],
      ["serve", "--scratch", tempDir()],
      ["export-britney", "--out", tempDir()],
      ["import-amqp", amqp, "--scratch", tempDir()],
      ["compact"],
      ["prune", "--older-than", "400"],
      ["watermark"],
    ];
    for (const [name, ...rest] of commands) {
      const run = await runCli([name!, "--state", state, "--now", LATER, ...rest]);
      expect(run.code, `${name}: ${run.stderr}`).toBe(0);
      expect(run.stderr, name).toContain("warning: stale data: the pending snapshot is 96 days old (2026-11-25T11:30:00.000Z), the newest results are 96 days old (up to 2026-11-25T11:00:00.000Z)");
      expect(run.stderr, name).toContain("run debci-bridge fetch");
    }
  });

  it("the same state the day it was fetched warns of nothing; staleAfterHours moves the threshold", async () => {
    const state = demo();
    const fresh = await runCli(["report", "--state", state, "--now", "2026-11-25T12:00:00Z"]);
    expect(fresh.stderr).not.toContain("stale data");
    expect(JSON.parse(fresh.stdout).ages).toMatchObject({ stale: false });
    writeFileSync(join(state, "debci-bridge.json"), JSON.stringify({ staleAfterHours: 0.25 }));
    const strict = await runCli(["watermark", "--state", state, "--now", "2026-11-25T12:00:00Z"]);
    expect(strict.stderr).toContain("stale data");
  });

  it("report shows the ages first", async () => {
    const run = await runCli(["report", "--state", demo(), "--now", LATER]);
    const report = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(report).slice(0, 3)).toEqual(["now", "ages", "summary"]);
    expect(report.ages).toMatchObject({ stale: true, snapshotAt: "2026-11-25T11:30:00.000Z", resultsUntil: "2026-11-25T11:00:00.000Z" });
  });
});
