import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { amqpLine, parseAmqpLine } from "../src/formats/amqp.js";
import type { Need } from "../src/core/types.js";
import { jsonLines, runCli } from "./support/cli.js";
import { batchFiles, requestsIn } from "./support/outbox.js";
import { TESTDATA, copyScenarioState, snapshotTree, tempDir } from "./support/temp-state.js";

const NOW = "2026-11-25T12:00:00Z";
const INPUT = join(TESTDATA, "britney2-files", "debci.input");
/** Every line of the fixture is a request as britney2 writes it (see testdata/britney2-files/README.md). */
const GOOD_LINES = readFileSync(INPUT, "utf8").split("\n").filter((l) => l !== "");

/** The needs the batch files in a directory carry, as britney2's AMQP lines. */
function asAmqpLines(dir: string): string[] {
  const lines: string[] = [];
  for (const name of batchFiles(dir)) {
    const body = JSON.parse(readFileSync(join(dir, name), "utf8")) as Array<{ suite: string; arch: string[]; tests: Array<{ package: string; trigger: string; "pin-packages": Array<[string, string]> }> }>;
    for (const group of body)
      for (const arch of group.arch)
        for (const t of group.tests) {
          const need: Need = { suite: group.suite, arch, package: t.package, trigger: t.trigger.split(" ")[0]!, triggers: t.trigger, pinPackages: t["pin-packages"], huge: name.endsWith(".huge.json") };
          lines.push(amqpLine(need));
        }
  }
  return lines.sort();
}

describe("import-amqp: britney2's request file into the outbox", () => {
  it("reads britney2's lines: the key's trigger is the first word, the request's trigger all of them; amqpLine writes the line back", () => {
    for (const line of GOOD_LINES) {
      const need = parseAmqpLine(line) as Need;
      expect(need).not.toHaveProperty("problem");
      expect(parseAmqpLine(amqpLine(need))).toEqual(need);
      expect(amqpLine(need).split(" ")[0]).toBe(line.split(" ")[0]);
      const written = JSON.parse(line.slice(line.indexOf(" ") + 1)) as { triggers: string[] };
      expect(JSON.parse(amqpLine(need).slice(amqpLine(need).indexOf(" ") + 1)).triggers).toEqual(written.triggers); // one string, as britney2 writes it
    }
    expect(parseAmqpLine(GOOD_LINES[2]!)).toMatchObject({ package: "lightgreen", trigger: "lightgreen/2", triggers: "lightgreen/2 green/2", huge: false });
    expect(parseAmqpLine(GOOD_LINES[4]!)).toMatchObject({ package: "darkgreen", trigger: "green/2", triggers: "green/2 lightgreen/2 libgreen1/2" });
    expect(parseAmqpLine(GOOD_LINES[5]!)).toMatchObject({ trigger: "migration-reference/0", huge: false });
    // The word-list form of a real AMQP message (one trigger per element) reads the same.
    expect(parseAmqpLine('debci-testing-amd64:lightgreen {"triggers": ["lightgreen/2", "green/2"]}')).toEqual(parseAmqpLine(GOOD_LINES[2]!));
    expect(parseAmqpLine('debci-testing-amd64:qux {"triggers": ["glibc/2.41-7"], "pin-packages": [["src:glibc", "unstable"]]}')).toMatchObject({ pinPackages: [["src:glibc", "unstable"]] });
    expect(parseAmqpLine('debci-testing-amd64:qux {"triggers": ["  "]}')).toEqual({ problem: "triggers: no trigger in it" });
    expect(parseAmqpLine("debci-testing-hurd-i386:baz {\"triggers\": [\"glibc/2.41-7\"]}")).toMatchObject({ suite: "testing", arch: "hurd-i386" });
    expect(parseAmqpLine("debci-testing-proposed-updates-amd64:zed {\"triggers\": [\"zed/1.0-2\"]}")).toMatchObject({ suite: "testing-proposed-updates", arch: "amd64" });
    expect(parseAmqpLine("debci-huge-testing-amd64:texlive-base {\"triggers\": [\"glibc/2.41-7\"]}")).toMatchObject({ huge: true, arch: "amd64" });
    // Names as Debian writes them, in a line as in a need.
    expect(parseAmqpLine('debci-testing-amd64:Baz_2 {"triggers": ["glibc/2.41-7"]}')).toEqual({ problem: expect.stringContaining("package \"Baz_2\": not a Debian source package name") });
    expect(parseAmqpLine('debci-testing-amd64:baz {"triggers": ["glibc 2.41-7"]}')).toEqual({ problem: expect.stringContaining('triggers: "glibc" is not a trigger string') });
  });

  it("a multi-trigger request imported and sent is in flight for the next plan under its first trigger: never sent twice", async () => {
    const state = copyScenarioState("new-package");
    expect((await runCli(["import-amqp", "--state", state, INPUT, "--now", NOW])).code).toBe(0);
    const ledger = JSON.parse(readFileSync(join(state, "requested.json"), "utf8")) as { requests: Array<{ package: string; arch: string; trigger: string; triggers: string }> };
    expect(ledger.requests.filter((r) => r.package === "lightgreen").map((r) => [r.trigger, r.triggers])).toEqual([["lightgreen/2", "lightgreen/2 green/2"], ["migration-reference/0", "migration-reference/0"]]);
    const needs = join(tempDir(), "needs.jsonl");
    writeFileSync(needs, `${JSON.stringify({ package: "lightgreen", arch: "amd64", trigger: "lightgreen/2 green/2" })}\n${JSON.stringify({ package: "darkgreen", arch: "amd64", trigger: "green/2 lightgreen/2 libgreen1/2" })}\n`);
    const next = jsonLines((await runCli(["plan", "--state", state, "--needs", needs, "--now", "2026-11-25T12:10:00Z"])).stdout);
    expect(next.map((a) => [a.trigger, a.state, a.request, a.label])).toEqual([
      ["lightgreen/2 green/2", "pending", null, "RUNNING"],
      ["green/2 lightgreen/2 libgreen1/2", "pending", null, "RUNNING"],
    ]);
    // Sent (as submit moves a delivered batch): the ledger still holds them in flight.
    mkdirSync(join(state, "outbox", "sent"), { recursive: true });
    for (const name of batchFiles(join(state, "outbox"))) renameSync(join(state, "outbox", name), join(state, "outbox", "sent", name));
    const afterSend = jsonLines((await runCli(["plan", "--state", state, "--needs", needs, "--now", "2026-11-25T12:20:00Z"])).stdout);
    expect(afterSend.map((a) => [a.state, a.request, a.label])).toEqual([
      ["pending", null, "RUNNING"],
      ["pending", null, "RUNNING"],
    ]);
  });

  it("round-trips: the batches it writes say again exactly what britney2 asked, once each", async () => {
    const state = copyScenarioState("new-package");
    const run = await runCli(["import-amqp", "--state", state, INPUT, "--now", NOW]);
    expect(run.code, run.stderr).toBe(0);
    const unique = [...new Set(GOOD_LINES.map((l) => amqpLine(parseAmqpLine(l) as Need)))].sort();
    expect(asAmqpLines(join(state, "outbox"))).toEqual(unique);
    expect(jsonLines(run.stdout).map((a) => a.request ?? a.held)).toEqual(["imported", "imported", "imported", "imported", "imported", "imported", "imported", "duplicate"]);
    expect(run.stderr).toContain(`8 request(s) read from ${INPUT}`);
    const ledger = JSON.parse(readFileSync(join(state, "requested.json"), "utf8")) as { requests: unknown[] };
    expect(ledger.requests).toHaveLength(7);
  });

  it("does not ask again for what the ledger shows in flight", async () => {
    const state = copyScenarioState("new-package");
    await runCli(["import-amqp", "--state", state, INPUT, "--now", NOW]);
    const again = await runCli(["import-amqp", "--state", state, INPUT, "--now", "2026-11-25T13:00:00Z"]);
    expect(again.code).toBe(0);
    expect(jsonLines(again.stdout).every((a) => a.held === "in-flight" || a.held === "duplicate")).toBe(true);
    expect(again.stderr).toContain("no requests written");
  });

  it("in scratch mode touches nothing; with no file and no britney.conf it says what to give", async () => {
    const state = copyScenarioState("new-package");
    const before = snapshotTree(state);
    const scratch = tempDir();
    expect((await runCli(["import-amqp", "--state", state, INPUT, "--now", NOW, "--scratch", scratch])).code).toBe(0);
    expect(requestsIn(scratch)).toHaveLength(7);
    expect(snapshotTree(state)).toEqual(before);
    expect((await runCli(["import-amqp", "--state", state, "--now", NOW])).stderr).toContain("FILE is required: britney2's AMQP file, debci.input (or --britney-conf FILE");
  });

  /**
   * One line britney2's Debian code would not write for this state, added to
   * the good file: the whole file is refused (exit 1, the line and why) and
   * nothing of it reaches the outbox or the ledger. send_test_request
   * (britney2/policies/autopkgtest.py) names queues debci-SERIES-ARCH,
   * debci-huge-SERIES-ARCH, or with ADT_PPAS debci-ppa-SERIES-ARCH and a
   * "ppas" parameter; its parameters are triggers and submit-time.
   */
  const REFUSED: Array<[string, string, string]> = [
    ["not a request", "this line is not a request", "expected QUEUE:PACKAGE {JSON}"],
    ["no trigger", 'debci-testing-amd64:broken {"triggers": []}', "triggers: Too small"],
    ["a PPA queue", 'debci-ppa-testing-amd64:baz {"triggers": ["glibc/2.41-7"], "ppas": ["team/ppa"], "submit-time": "2026-11-25 11:58:02+0000"}', "debci-ppa-testing-amd64 is a PPA queue (britney2's ADT_PPAS): debci-bridge sends no PPA requests"],
    ["a parameter it would drop", 'debci-testing-amd64:baz {"triggers": ["glibc/2.41-7"], "ppas": ["team/ppa"]}', 'parameter "ppas" is not one debci-bridge passes on (it reads triggers, pin-packages and submit-time): importing would drop it'],
    ["another suite", 'debci-testing-proposed-updates-amd64:zed {"triggers": ["zed/1.0-2"], "submit-time": "2026-11-25 11:58:05+0000"}', 'suite: "testing-proposed-updates" is not one the CI service runs (the configured suite is testing'],
    ["an unknown queue", 'ubuntu-testing-amd64:baz {"triggers": ["glibc/2.41-7"]}', "not a debci queue (debci-SUITE-ARCH or debci-huge-SUITE-ARCH): ubuntu-testing-amd64"],
  ];
  for (const [what, line, message] of REFUSED) {
    it(`refuses the whole file for ${what}, naming the line, and imports nothing`, async () => {
      const state = copyScenarioState("new-package");
      const before = snapshotTree(state);
      const file = join(tempDir(), "debci.input");
      writeFileSync(file, `${GOOD_LINES.slice(0, 3).join("\n")}\n${line}\n${GOOD_LINES.slice(3).join("\n")}\n`);
      const run = await runCli(["import-amqp", "--state", state, file, "--now", NOW]);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`${file} line 4: ${message}`);
      expect(run.stderr).toContain(`nothing was imported from ${file}`);
      expect(run.stdout).toBe("");
      expect(snapshotTree(state)).toEqual(before);
    });
  }

  it("takes another suite's queue when serviceSuites lists it; an arch outside serviceArches is refused", async () => {
    const state = copyScenarioState("new-package");
    writeFileSync(join(state, "debci-bridge.json"), JSON.stringify({ serviceSuites: ["testing", "testing-proposed-updates"], serviceArches: ["amd64", "arm64"] }));
    const file = join(tempDir(), "debci.input");
    writeFileSync(file, 'debci-testing-proposed-updates-amd64:zed {"triggers": ["zed/1.0-2"], "submit-time": "2026-11-25 11:58:05+0000"}\n');
    const scratch = tempDir();
    const run = await runCli(["import-amqp", "--state", state, file, "--now", NOW, "--scratch", scratch]);
    expect(run.code, run.stderr).toBe(0);
    expect(jsonLines(run.stdout).map((a) => [a.suite, a.arch, a.package, a.request])).toEqual([["testing-proposed-updates", "amd64", "zed", "imported"]]);
    const refused = await runCli(["import-amqp", "--state", state, INPUT, "--now", NOW, "--scratch", tempDir()]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${INPUT} line 7: arch: "hurd-i386" is not one the CI service runs (serviceArches: amd64, arm64, from ${join(state, "debci-bridge.json")})`);
  });
});

describe("export-britney: the state as britney2's own files", () => {
  /**
   * britney2's results cache turned back into a results file, as the fetch
   * tool would have written it. The cache files a multi-trigger run under
   * each trigger: one record per run again, with its triggers joined.
   */
  function cacheAsResults(cache: Record<string, Record<string, Record<string, [string, string, string, number]>>>) {
    const runs = new Map<number, { run_id: number; trigger: string; package: string; arch: string; suite: string; version: string | null; status: string; updated_at: string }>();
    for (const [trigger, byPkg] of Object.entries(cache))
      for (const [pkg, byArch] of Object.entries(byPkg))
        for (const [arch, [status, version, runId, seen]] of Object.entries(byArch)) {
          const known = runs.get(Number(runId));
          if (known !== undefined) known.trigger += ` ${trigger}`;
          else runs.set(Number(runId), { run_id: Number(runId), trigger, package: pkg, arch, suite: "testing", version: version === "blocked-on-ci-infra" ? null : version, status: status.replace(/^OLD_/, "").toLowerCase(), updated_at: new Date(seen * 1000).toISOString() });
        }
    return { results: [...runs.values()] };
  }

  it("round-trips: every pass/fail answer comes back from the exported cache, and every key in flight is pending", async () => {
    const state = copyScenarioState("fail-then-pending-rerun");
    const demo = join(TESTDATA, "demo", "state");
    for (const source of [state, demo]) {
      const out = tempDir();
      const run = await runCli(["export-britney", "--state", source, "--out", out, "--now", NOW]);
      expect(run.code, run.stderr).toBe(0);
      const cache = JSON.parse(readFileSync(join(out, "autopkgtest-results.cache"), "utf8"));
      const pending = JSON.parse(readFileSync(join(out, "autopkgtest-pending.json"), "utf8")) as Record<string, Record<string, string[]>>;
      const rebuilt = join(tempDir(), "state");
      mkdirSync(join(rebuilt, "results"), { recursive: true });
      writeFileSync(join(rebuilt, "results", "from-britney.json"), JSON.stringify(cacheAsResults(cache)));
      for (const [trigger, byPkg] of Object.entries(cache as Record<string, Record<string, Record<string, unknown>>>))
        for (const [pkg, byArch] of Object.entries(byPkg))
          for (const arch of Object.keys(byArch)) {
            const args = ["status", "--package", pkg, "--trigger", trigger, "--arch", arch, "--now", NOW];
            const original = jsonLines((await runCli([...args, "--state", source])).stdout)[0]!;
            const back = jsonLines((await runCli([...args, "--state", rebuilt])).stdout)[0]!;
            expect([back.state, back.outcome, back.runId, back.version, back.updatedAt]).toEqual([original.state, original.outcome, original.runId, original.version, original.updatedAt]);
          }
      expect(JSON.parse(run.stdout).resultKeys).toBeGreaterThan(0);
      // Today's britney2 reads these as its Result names (check_and_upgrade_cache), with `seen` in UNIX seconds.
      for (const byPkg of Object.values(cache as Record<string, Record<string, Record<string, unknown[]>>>))
        for (const byArch of Object.values(byPkg))
          for (const entry of Object.values(byArch)) {
            expect(["PASS", "NEUTRAL", "FAIL", "OLD_PASS", "OLD_NEUTRAL", "OLD_FAIL"]).toContain(entry[0]);
            expect(entry).toEqual([expect.any(String), expect.any(String), expect.any(String), expect.any(Number)]);
          }
      // britney2's own shape: trigger -> package -> sorted arches (it appends to the list: request_test_if_not_queued).
      if (source === state) expect(pending).toEqual({ "glibc/2.41-7": { baz: ["amd64"] } });
      else expect(pending).toEqual({ "glibc/2.41-7": { glibc: ["amd64"] } });
    }
  });

  it("writes an old reference result as OLD_ and a job debci refused to run as blocked-on-ci-infra, as britney2 files them", async () => {
    const out = tempDir();
    const run = await runCli(["export-britney", "--state", copyScenarioState("britney2-reference-too-old-and-pass"), "--out", out, "--now", NOW]);
    expect(run.code, run.stderr).toBe(0);
    const cache = JSON.parse(readFileSync(join(out, "autopkgtest-results.cache"), "utf8"));
    expect(cache["migration-reference/0"].pkg.amd64).toEqual(["OLD_PASS", "1.0", "1", Date.parse("2026-11-22T21:12:00Z") / 1000]);
    expect(cache["pkg/2.0"].pkg.amd64[0]).toBe("FAIL");
    const blocked = tempDir();
    await runCli(["export-britney", "--state", copyScenarioState("britney-debci-json"), "--out", blocked, "--now", NOW]);
    expect(JSON.parse(readFileSync(join(blocked, "autopkgtest-results.cache"), "utf8"))["glibc/2.41-7"]["rejected-thing"].amd64.slice(0, 2)).toEqual(["OLD_FAIL", "blocked-on-ci-infra"]);
  });
});

describe("export-britney with hostile names", () => {
  it("files a run under the names it has, __proto__ and constructor included, and pollutes nothing", async () => {
    const state = join(tempDir(), "state");
    mkdirSync(join(state, "results"), { recursive: true });
    const record = (run_id: number, trigger: string, pkg: string, arch: string) => ({ run_id, trigger, package: pkg, arch, suite: "testing", version: "1.0", status: "pass", created_at: "2026-11-25T08:00:00Z", updated_at: "2026-11-25T09:00:00Z" });
    const results = [record(1, "__proto__", "constructor", "amd64"), record(2, "glibc/2.41-7", "__proto__", "toString"), record(3, "glibc/2.41-7", "a", "b c"), record(4, "glibc/2.41-7", "a b", "c")];
    writeFileSync(join(state, "results", "hostile.json"), JSON.stringify({ results }));
    const out = tempDir();
    const run = await runCli(["export-britney", "--state", state, "--out", out, "--now", NOW]);
    expect(run.code, run.stderr).toBe(0);
    const text = readFileSync(join(out, "autopkgtest-results.cache"), "utf8");
    const entries: string[] = [];
    // Walked as the JSON text has it (own keys only), not through objects that might have lost them.
    for (const [trigger, byPkg] of Object.entries(JSON.parse(text) as Record<string, Record<string, Record<string, unknown[]>>>))
      for (const pkg of Object.keys(byPkg)) for (const arch of Object.keys(byPkg[pkg]!)) entries.push(`${trigger}|${pkg}|${arch}|${byPkg[pkg]![arch]![2]}`);
    expect(entries.sort()).toEqual(["__proto__|constructor|amd64|1", "glibc/2.41-7|__proto__|toString|2", "glibc/2.41-7|a b|c|4", "glibc/2.41-7|a|b c|3"]);
    expect(({} as Record<string, unknown>).constructor).toBe(Object);
  });
});
