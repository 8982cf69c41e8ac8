import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Need } from "../src/core/types.js";
import { readAsBritney2, versionsFromNeeds, type BritneyOptions } from "./support/britney2-reader.js";
import { jsonLines, runCli } from "./support/cli.js";
import { SCENARIOS, TESTDATA, tempDir } from "./support/temp-state.js";

/**
 * One configuration: each scenario of britney2's own autopkgtest tests (and
 * the demo) run with its rules in a britney.conf only, none in
 * debci-bridge.json. plan must answer exactly as with the same rules given
 * as flags, for every value the release team's question names (ADT_BASELINE
 * reference and absent, ADT_RETRY_OLDER_THAN 1 and empty, ADT_REFERENCE_MAX_AGE
 * 7 and absent); and the files export-britney writes must reach britney2
 * whatever ADT_SHARED_RESULTS_CACHE says, read as britney2 reads them
 * (test/support/britney2-reader.ts, readAsBritney2, mirrors autopkgtest.py
 * __init__ and initialise).
 */
interface RuleSettings {
  baseline?: "reference" | "any";
  retryOlderThanDays?: number | "off";
  referenceMaxAgeDays?: number | "off";
}
const RULE_KEYS = ["baseline", "retryOlderThanDays", "referenceMaxAgeDays"] as const;

const worlds = [
  ...readdirSync(SCENARIOS)
    .filter((n) => n.startsWith("britney2-"))
    .sort()
    .map((name) => ({ name, dir: join(SCENARIOS, name), stateFrom: join(SCENARIOS, name, "state"), now: (JSON.parse(readFileSync(join(SCENARIOS, name, "scenario.json"), "utf8")) as { now: string }).now })),
  { name: "demo", dir: join(TESTDATA, "demo"), stateFrom: join(TESTDATA, "demo", "state"), now: "2026-11-25T12:00:00Z" },
];

/** The ADT_* lines britney2 would need to apply these rules, as a site writes them. */
function ruleLines(rules: RuleSettings): string[] {
  const lines: string[] = [];
  if ((rules.baseline ?? "reference") === "reference") lines.push("ADT_BASELINE = reference"); // absent: britney2's ever-passed baseline
  const retry = rules.retryOlderThanDays ?? 1;
  lines.push(`ADT_RETRY_OLDER_THAN = ${retry === "off" ? "" : retry}`);
  const maxAge = rules.referenceMaxAgeDays ?? 7;
  if (maxAge !== "off") lines.push(`ADT_REFERENCE_MAX_AGE = ${maxAge}`); // absent: never too old
  return lines;
}

/** The same rules as flags. */
function ruleFlags(rules: RuleSettings): string[] {
  const off = (v: number | "off" | undefined, d: number) => String(v ?? d);
  return ["--baseline", rules.baseline ?? "reference", "--retry-older-than", off(rules.retryOlderThanDays, 1), "--reference-max-age", off(rules.referenceMaxAgeDays, 7)];
}

/** A copy of the world's state with the rules taken out of debci-bridge.json (other settings stay), and the rules it had. */
function stateWithoutRules(stateFrom: string): { state: string; rules: RuleSettings } {
  const state = join(tempDir(), "state");
  cpSync(stateFrom, state, { recursive: true });
  const settingsPath = join(state, "debci-bridge.json");
  if (!existsSync(settingsPath)) return { state, rules: {} };
  const settings = JSON.parse(readFileSync(settingsPath, "utf8")) as Record<string, unknown>;
  const rules: RuleSettings = {};
  for (const key of RULE_KEYS) {
    if (settings[key] !== undefined) (rules as Record<string, unknown>)[key] = settings[key];
    delete settings[key];
  }
  writeFileSync(settingsPath, JSON.stringify(settings));
  return { state, rules };
}

function readNeeds(file: string): Need[] {
  return readFileSync(file, "utf8").split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as Need);
}

function writeConf(dir: string, lines: string[], arches: string[], sharedCache: string): { conf: string; britneyState: string } {
  const britneyState = join(dir, "britney-state");
  mkdirSync(britneyState, { recursive: true });
  const conf = join(dir, "britney.conf");
  writeFileSync(conf, [`STATE_DIR = ${britneyState}`, `ADT_ARCHES = ${arches.join(" ")}`, `ADT_SWIFT_URL = file://${britneyState}/debci.json`, `ADT_AMQP = file://${britneyState}/debci.input`, `ADT_SHARED_RESULTS_CACHE = ${sharedCache}`, ...lines, ""].join("\n"));
  return { conf, britneyState };
}

const COMBINATIONS: RuleSettings[] = [];
for (const baseline of ["reference", "any"] as const)
  for (const retryOlderThanDays of [1, "off"] as const)
    for (const referenceMaxAgeDays of [7, "off"] as const) COMBINATIONS.push({ baseline, retryOlderThanDays, referenceMaxAgeDays });

describe.each(worlds)("with only britney.conf: $name", ({ name, dir, stateFrom, now }) => {
  const needsFile = join(dir, "needs.jsonl");
  const hints = existsSync(join(dir, "hints")) ? ["--hints", join(dir, "hints")] : [];
  const arches = () => [...new Set(readNeeds(needsFile).map((n) => n.arch))].sort();

  it("plan answers as with the same rules as flags, for every combination of the three rules", async () => {
    const { state } = stateWithoutRules(stateFrom);
    for (const rules of COMBINATIONS) {
      const { conf } = writeConf(tempDir(), ruleLines(rules), arches(), "");
      const plan = (args: string[]) => runCli(["plan", "--state", state, "--needs", needsFile, "--now", now, "--scratch", tempDir(), ...hints, ...args]);
      const byConf = await plan(["--britney-conf", conf]);
      expect(byConf.code, byConf.stderr).toBe(0);
      const byFlags = await plan(ruleFlags(rules));
      expect(byConf.stdout, `${name} ${JSON.stringify(rules)}`).toBe(byFlags.stdout);
    }
  });

  for (const cache of ["empty", "the local file", "another file"] as const) {
    it(`britney2 reads export-britney's results whatever the cache: ADT_SHARED_RESULTS_CACHE is ${cache}`, async () => {
      const { state, rules } = stateWithoutRules(stateFrom);
      const root = tempDir();
      const shared = cache === "empty" ? "" : cache === "the local file" ? join(root, "britney-state", "autopkgtest-results.cache") : join(root, "shared", "autopkgtest-results.cache");
      const { conf, britneyState } = writeConf(root, ruleLines(rules), arches(), shared);
      // A shared cache another instance left behind, from before any result: what britney2 would read were it not replaced.
      if (shared !== "") {
        mkdirSync(join(shared, ".."), { recursive: true });
        writeFileSync(shared, "{}\n");
      }
      const planned = await runCli(["plan", "--state", state, "--needs", needsFile, "--now", now, "--scratch", tempDir(), "--britney-conf", conf, ...hints]);
      expect(planned.code, planned.stderr).toBe(0);
      const exported = await runCli(["export-britney", "--state", state, "--needs", needsFile, "--now", now, "--britney-conf", conf]);
      expect(exported.code, exported.stderr).toBe(0);

      const options: BritneyOptions = {
        targetSuite: "testing",
        baseline: (rules.baseline ?? "reference") === "reference" ? "reference" : "any",
        referenceMaxAgeDays: rules.referenceMaxAgeDays === "off" ? null : (rules.referenceMaxAgeDays ?? 7),
        now: Date.parse(now) / 1000,
        versionsOf: versionsFromNeeds(readNeeds(needsFile)),
      };
      const read = (path: string) => (existsSync(path) ? readFileSync(path, "utf8") : null);
      const britney = readAsBritney2(options, { stateDir: britneyState, sharedResultsCache: shared, swiftUrl: `file://${britneyState}/debci.json` }, read);
      const answers = jsonLines(planned.stdout);
      for (const answer of answers) {
        const trigger = (answer.trigger as string).split(" ")[0]!;
        const what = `${answer.package}/${answer.arch} ${trigger}`;
        expect(britney.result(trigger, answer.package as string, answer.arch as string)?.[0], what).toBe(answer.outcome === undefined ? undefined : answer.result);
        expect(britney.isPending(trigger, answer.package as string, answer.arch as string), what).toBe(answer.inFlight);
      }

      // The control: exported the old way (--out STATE_DIR, the cache setting unread), britney2 with a shared cache elsewhere misses every result.
      if (cache === "another file" && answers.some((a) => a.outcome !== undefined)) {
        writeFileSync(shared, "{}\n");
        expect((await runCli(["export-britney", "--state", state, "--needs", needsFile, "--now", now, "--out", britneyState])).code).toBe(0);
        const stale = readAsBritney2(options, { stateDir: britneyState, sharedResultsCache: shared, swiftUrl: `file://${britneyState}/debci.json` }, read);
        const missed = answers.filter((a) => a.outcome !== undefined && stale.result((a.trigger as string).split(" ")[0]!, a.package as string, a.arch as string) === undefined);
        expect(missed.length).toBeGreaterThan(0);
      }
    });
  }
});

