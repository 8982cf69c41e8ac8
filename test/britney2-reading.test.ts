import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Need } from "../src/core/types.js";
import { Britney2Reader, versionsFromNeeds, type BritneyOptions } from "./support/britney2-reader.js";
import { jsonLines, runCli } from "./support/cli.js";
import { SCENARIOS, TESTDATA, copyScenarioState, tempDir } from "./support/temp-state.js";

/**
 * export-britney's files read the way an unmodified britney2 reads them
 * (test/support/britney2-reader.ts mirrors its reading code, with the lines
 * it follows), for every scenario taken from britney2's own tests and the
 * demo: britney2 must neither fail on them nor disagree with `plan` on a
 * result, on what is in flight, or on what it would ask for.
 */
const REF = "migration-reference/0";
const worlds = [
  ...readdirSync(SCENARIOS)
    .filter((n) => n.startsWith("britney2-"))
    .sort()
    .map((name) => ({ name, dir: join(SCENARIOS, name), now: (JSON.parse(readFileSync(join(SCENARIOS, name, "scenario.json"), "utf8")) as { now: string }).now })),
  { name: "demo", dir: join(TESTDATA, "demo"), now: "2026-11-25T12:00:00Z" },
];


describe.each(worlds)("britney2 reading export-britney's files: $name", ({ name, dir, now }) => {
  it("reads them without failing, holds in flight exactly what plan does, and has plan's result for every key", async () => {
    const state = name === "demo" ? join(dir, "state") : copyScenarioState(name);
    const needsFile = join(dir, "needs.jsonl");
    const hints = existsSync(join(dir, "hints")) ? ["--hints", join(dir, "hints")] : [];
    const planned = await runCli(["plan", "--state", state, "--needs", needsFile, "--now", now, "--scratch", tempDir(), ...hints]);
    expect(planned.code, planned.stderr).toBe(0);
    const answers = jsonLines(planned.stdout);
    const out = tempDir();
    const exported = await runCli(["export-britney", "--state", state, "--out", out, "--needs", needsFile, "--now", now]);
    expect(exported.code, exported.stderr).toBe(0);

    const settingsPath = join(state, "debci-bridge.json");
    const settings = existsSync(settingsPath) ? (JSON.parse(readFileSync(settingsPath, "utf8")) as { baseline?: "reference" | "any"; referenceMaxAgeDays?: number | null }) : {};
    const needs = readFileSync(needsFile, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as Need);
    const options: BritneyOptions = { targetSuite: "testing", baseline: settings.baseline ?? "reference", referenceMaxAgeDays: settings.referenceMaxAgeDays ?? 7, now: Date.parse(now) / 1000, versionsOf: versionsFromNeeds(needs) };

    // initialise (autopkgtest.py:166-245): the pending file, the results cache, then the ADT_SWIFT_URL file, then old results.
    const britney = new Britney2Reader(options);
    britney.readPendingFile(readFileSync(join(out, "autopkgtest-pending.json"), "utf8"));
    const fromPendingFile = new Britney2Reader(options);
    fromPendingFile.readPendingFile(readFileSync(join(out, "autopkgtest-pending.json"), "utf8"));
    britney.readResultsCache(readFileSync(join(out, "autopkgtest-results.cache"), "utf8"));
    britney.readDebciFile(readFileSync(join(out, "debci.json"), "utf8"));
    britney.filterOldResults();
    // The cache as written, before britney2 marks anything old: it should already say what britney2 would write back.
    const asWritten = new Britney2Reader(options);
    asWritten.readResultsCache(readFileSync(join(out, "autopkgtest-results.cache"), "utf8"));

    for (const answer of answers) {
      const [pkg, arch] = [answer.package as string, answer.arch as string];
      const trigger = (answer.trigger as string).split(" ")[0]!;
      const what = `${pkg}/${arch} ${trigger}`;
      // The same result, by britney2's Result name (OLD_ ones included).
      expect(britney.result(trigger, pkg, arch)?.[0], what).toBe(answer.outcome === undefined ? undefined : answer.result);
      expect(asWritten.result(trigger, pkg, arch)?.[0], `${what} as written`).toBe(britney.result(trigger, pkg, arch)?.[0]);
      // In flight for britney2 (from debci.json, or from the pending file where britney2 has no ADT_SWIFT_URL file) as for plan.
      expect(britney.isPending(trigger, pkg, arch), what).toBe(answer.inFlight);
      expect(fromPendingFile.isPending(trigger, pkg, arch), what).toBe(answer.inFlight);
      // What plan asks for, britney2 would ask for too; what plan holds in flight, britney2 never asks for (and extending its pending list does not fail).
      if (answer.request !== null) expect(britney.requestTestIfNotQueued(pkg, arch, trigger), what).toBe(true);
      if (answer.inFlight) expect(britney.requestTestIfNotQueued(pkg, arch, trigger), what).toBe(false);
      if (answer.referenceRequest !== undefined) expect(britney.requestTestIfNotQueued(pkg, arch, REF), `${what} reference`).toBe(true);
    }
  });
});

describe("the reader itself fails where britney2 does", () => {
  const options: BritneyOptions = { targetSuite: "testing", baseline: "reference", referenceMaxAgeDays: 7, now: 1_795_600_800, versionsOf: () => undefined };

  it("the pending shape export-britney wrote before issue 16 (arch -> time) crashes the first append, as britney2 did", () => {
    const reader = new Britney2Reader(options);
    reader.readPendingFile(JSON.stringify({ "bar/1.1-1": { eta: { amd64: 1795600000 } } }));
    expect(reader.isPending("bar/1.1-1", "eta", "amd64")).toBe(true);
    expect(() => reader.requestTestIfNotQueued("eta", "arm64", "bar/1.1-1")).toThrow(/'dict' object has no attribute 'append'/);
  });

  it("a queued record without milliseconds, without updated_at or without suite is refused as britney2 refuses it", () => {
    const record = { run_id: 1, suite: "testing", arch: "amd64", package: "p", version: null, trigger: "t/1", status: null, updated_at: "2026-11-25T12:00:00.000Z" };
    const read = (r: object) => () => new Britney2Reader(options).readDebciFile(JSON.stringify({ results: [r] }));
    expect(read(record)).not.toThrow();
    expect(read({ ...record, updated_at: "2026-11-25T12:00:00Z" })).toThrow(/ValueError/);
    expect(read({ ...record, updated_at: null })).toThrow(/NoneType/);
    const { suite: _suite, ...noSuite } = record;
    expect(read(noSuite)).toThrow(/KeyError: 'suite'/);
  });
});
