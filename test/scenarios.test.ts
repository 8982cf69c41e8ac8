import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jsonLines, runCli } from "./support/cli.js";
import { requestsIn } from "./support/outbox.js";
import { SCENARIOS, copyScenarioState, snapshotTree, tempDir } from "./support/temp-state.js";

interface Scenario {
  description: string;
  now: string;
  expectedRequests: string[];
  expectedWarnings: number;
}

const names = readdirSync(SCENARIOS).sort();

describe.each(names)("scenario %s", (name) => {
  const dir = join(SCENARIOS, name);
  const scenario = JSON.parse(readFileSync(join(dir, "scenario.json"), "utf8")) as Scenario;
  const expected = jsonLines(readFileSync(join(dir, "expected.jsonl"), "utf8"));

  it("answers each need as a release team member would expect, and requests exactly what is needed", async () => {
    const state = copyScenarioState(name);
    const scratch = tempDir();
    const before = snapshotTree(state);
    // A scenario's britney2 hints file, when it has one, is passed as britney2's run would pass it.
    const hints = existsSync(join(dir, "hints")) ? ["--hints", join(dir, "hints")] : [];
    const run = await runCli(["plan", "--state", state, "--needs", join(dir, "needs.jsonl"), "--now", scenario.now, "--scratch", scratch, ...hints]);

    expect(run.code, run.stderr).toBe(0);
    const answers = jsonLines(run.stdout);
    expect(answers).toHaveLength(expected.length);
    answers.forEach((answer, i) => expect(answer, `answer ${i} of ${name}`).toMatchObject(expected[i]!));
    expect(requestsIn(scratch)).toEqual([...scenario.expectedRequests].sort());
    expect(run.stderr.split("\n").filter((l) => l.startsWith("warning:"))).toHaveLength(scenario.expectedWarnings);
    // An ad-hoc run changes nothing in the state directory, byte for byte.
    expect(snapshotTree(state)).toEqual(before);
  });
});

it("ships a scenario for each situation the core issue lists", () => {
  expect(names).toEqual(
    expect.arrayContaining([
      "pass-to-pass",
      "pass-to-fail",
      "new-package",
      "fail-then-pending-rerun",
      "tmpfail-only",
      "multi-trigger",
      "older-version",
      "lost-request",
      "reject-listed",
      "truncated-file",
      "britney-debci-json",
      "null-then-final",
    ]),
  );
});

it("ships britney2's own autopkgtest policy cases, labels and requests included", () => {
  const britney2 = [
    "pass-to-pass",
    "pass-to-fail",
    "pass-to-fail-retry",
    "pass-to-neutral",
    "new",
    "pass-to-new",
    "fail-to-new",
    "neutral-to-new",
    "neutral-to-fail",
    "neutral-to-fail-pending-retest",
    "pass-to-new-with-breaks",
    "fail-old-test-result",
    "fail-to-fail",
    // Today's britney2 (tests/test_policy.py, and its rules since 2020):
    "remember-old-test-result",
    "pass-to-fail-to-neutral",
    "unordered-debci-json",
    "reference-too-old-and-fail",
    "reference-too-old-and-pass",
    "reference-too-old-and-neutral",
    "reference-too-old-and-neutral-not-in-target",
    "neutral-after-pass",
    "kernel-trigger-ever-passed",
    "force-badtest",
  ].map((n) => `britney2-${n}`);
  expect(names).toEqual(expect.arrayContaining(britney2));
  for (const name of britney2) {
    for (const line of jsonLines(readFileSync(join(SCENARIOS, name, "expected.jsonl"), "utf8"))) expect(line).toHaveProperty("label");
  }
});
