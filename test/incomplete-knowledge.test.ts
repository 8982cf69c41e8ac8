import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jsonLines, runCli } from "./support/cli.js";
import { batchFiles, requestsIn } from "./support/outbox.js";
import { SCENARIOS, copyScenarioState } from "./support/temp-state.js";

const NOW = "2026-11-25T12:00:00Z";
const DIR = join(SCENARIOS, "truncated-file");
const NEEDS = join(DIR, "needs.jsonl");

describe("a committing run that could not read part of its knowledge", () => {
  it("answers as ever, but holds the requests only the missing knowledge calls for, with one warning naming the files", async () => {
    const state = copyScenarioState("truncated-file");
    const run = await runCli(["plan", "--state", state, "--needs", NEEDS, "--now", NOW]);
    expect(run.code, run.stderr).toBe(0);
    const answers = jsonLines(run.stdout);
    expect(answers.map((a) => [a.package, a.state, a.request, a.held, a.referenceRequest])).toEqual([
      ["baz", "pass", null, undefined, undefined],
      ["qux", "fail", null, undefined, undefined],
      ["zed", "missing", null, "incomplete", undefined],
    ]);
    expect(batchFiles(join(state, "outbox"))).toEqual([]);
    const incomplete = run.stderr.split("\n").filter((l) => l.includes("knowledge is incomplete"));
    expect(incomplete).toHaveLength(1);
    expect(incomplete[0]).toContain(join(state, "results", "20261125T090000.json"));
    expect(incomplete[0]).toContain("--allow-incomplete");
  });

  it("--allow-incomplete (or allowIncomplete) requests them anyway", async () => {
    const state = copyScenarioState("truncated-file");
    expect((await runCli(["plan", "--state", state, "--needs", NEEDS, "--now", NOW, "--allow-incomplete"])).code).toBe(0);
    expect(requestsIn(join(state, "outbox"))).toEqual(["qux migration-reference/0 amd64", "zed glibc/2.41-7 amd64"]);
    const other = copyScenarioState("truncated-file");
    const settings = JSON.parse(readFileSync(join(other, "debci-bridge.json"), "utf8"));
    writeFileSync(join(other, "debci-bridge.json"), JSON.stringify({ ...settings, allowIncomplete: true }));
    expect((await runCli(["plan", "--state", other, "--needs", NEEDS, "--now", NOW])).code).toBe(0);
    expect(requestsIn(join(other, "outbox"))).toHaveLength(2);
  });

  it("with the files whole again, it behaves as it always did", async () => {
    const state = copyScenarioState("truncated-file");
    // The cut-off download fetched again, and the malformed record's file replaced by its good records.
    const good = { results: [{ run_id: 301, trigger: "glibc/2.41-7", package: "zed", arch: "amd64", suite: "testing", version: "3.0-1", status: "pass", created_at: "2026-11-25T08:30:00Z", updated_at: "2026-11-25T08:50:00Z" }], until: 1795600000 };
    writeFileSync(join(state, "results", "20261125T090000.json"), JSON.stringify(good));
    const bad = JSON.parse(readFileSync(join(state, "results", "20261125T100000.json"), "utf8")) as { results: Array<Record<string, unknown>> };
    bad.results = bad.results.filter((r) => typeof r.run_id === "number" && typeof r.package === "string");
    writeFileSync(join(state, "results", "20261125T100000.json"), JSON.stringify(bad));
    const run = await runCli(["plan", "--state", state, "--needs", NEEDS, "--now", NOW]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).not.toContain("knowledge is incomplete");
    expect(jsonLines(run.stdout).map((a) => a.held)).toEqual([undefined, undefined, undefined]);
    expect(requestsIn(join(state, "outbox"))).toEqual(["qux migration-reference/0 amd64"]);
  });

  it("a pending snapshot that cannot be used counts as incomplete too", async () => {
    const state = copyScenarioState("new-package");
    writeFileSync(join(state, "pending.json"), '{"generated_at": "2026-11-25T11:00:00Z", "pending": [');
    const run = await runCli(["plan", "--state", state, "--needs", join(SCENARIOS, "new-package", "needs.jsonl"), "--now", NOW]);
    expect(run.code, run.stderr).toBe(0);
    expect(jsonLines(run.stdout).every((a) => a.held === "incomplete")).toBe(true);
    copyFileSync(join(SCENARIOS, "new-package", "state", "pending.json"), join(state, "pending.json"));
    expect(jsonLines((await runCli(["plan", "--state", state, "--needs", join(SCENARIOS, "new-package", "needs.jsonl"), "--now", NOW])).stdout).every((a) => a.request === "missing")).toBe(true);
  });
});
