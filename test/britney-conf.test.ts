import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseBritneyConf } from "../src/formats/britney-conf.js";
import { britneyRules } from "../src/formats/britney-rules.js";
import { jsonLines, runCli } from "./support/cli.js";
import { TESTDATA, snapshotTree, tempDir } from "./support/temp-state.js";

/**
 * britney.conf read as britney2 reads it. Each case mirrors a line of
 * britney.py `Britney.__parse_arguments` or of britney2/policies/
 * autopkgtest.py (threatcode/britney2 at 53b88ee), named beside it.
 */
const rulesOf = (text: string) => britneyRules(parseBritneyConf(text, "/etc/britney.conf"));
/** The ADT lines of Debian's own britney.conf (britney.conf in britney2's repository), plus the places. */
const DEBIAN = [
  "STATE_DIR          = /srv/release.debian.org/britney/state",
  "ADT_ENABLE        = yes",
  "ADT_ARCHES        = amd64 arm64 armel armhf i386 ppc64el s390x",
  "ADT_AMQP          = file:///srv/release.debian.org/britney/var/data-b2/output/debci_testing.input",
  "ADT_PPAS          =",
  "ADT_SHARED_RESULTS_CACHE =",
  "ADT_SWIFT_URL     = file:///srv/release.debian.org/britney/state/debci.json",
  "ADT_CI_URL        = https://ci.debian.net/",
  "ADT_BASELINE           = reference",
  "ADT_RETRY_URL_MECH     = run_id",
  "ADT_RETRY_OLDER_THAN   = 1",
  "ADT_REFERENCE_MAX_AGE  = 7",
].join("\n");
const without = (text: string, key: string) => text.split("\n").filter((l) => !l.startsWith(`${key} `)).join("\n");
const withLine = (text: string, key: string, value: string) => `${without(text, key)}\n${key} = ${value}`;

describe("britney.conf read line by line as britney.py __parse_arguments does", () => {
  it("KEY = VALUE, stripped; the option is the key in lower case; a line without = is passed over", () => {
    const conf = parseBritneyConf("  ADT_BASELINE   =   reference  \nadt_huge=20\nno equals sign here\n", "c");
    expect(conf.options.get("adt_baseline")).toEqual({ key: "ADT_BASELINE", value: "reference", line: 1 });
    expect(conf.options.get("adt_huge")).toEqual({ key: "adt_huge", value: "20", line: 2 });
    expect(conf.options.size).toBe(2);
  });

  it("a comment is a line that starts with # once stripped; # later on a line is part of the value", () => {
    const conf = parseBritneyConf("   # ADT_BASELINE = any\nADT_ARCHES = amd64 # arm64\n", "c");
    expect(conf.options.has("adt_baseline")).toBe(false);
    expect(conf.options.get("adt_arches")?.value).toBe("amd64 # arm64");
    // ...so the architecture "#" is refused by name, where britney2 would silently test an arch called "#".
    expect(rulesOf(withLine(DEBIAN, "ADT_ARCHES", "amd64 # arm64")).problems[0]).toContain('"#" is not a Debian architecture name');
  });

  it("the first non-empty value of a key wins; an empty one is replaced by a later one (`not getattr(...)`)", () => {
    expect(parseBritneyConf("ADT_BASELINE = reference\nADT_BASELINE = any\n", "c").options.get("adt_baseline")).toMatchObject({ value: "reference", line: 1 });
    expect(parseBritneyConf("ADT_BASELINE =\nADT_BASELINE = reference\n", "c").options.get("adt_baseline")).toMatchObject({ value: "reference", line: 2 });
    expect(parseBritneyConf("ADT_Baseline = reference\nadt_baseline = any\n", "c").options.get("adt_baseline")?.value).toBe("reference");
  });

  it("splits at the first =, so a value may hold more; HINTS_ keys are hint permissions, not options", () => {
    const conf = parseBritneyConf("ADT_CI_URL = https://ci.example.org/?a=b\nHINTS_ADSB = STANDARD force\n", "c");
    expect(conf.options.get("adt_ci_url")?.value).toBe("https://ci.example.org/?a=b");
    expect(conf.options.has("hints_adsb")).toBe(false);
  });

  it("lines end at \\n, \\r\\n or a lone \\r (Python's universal newlines); a byte-order mark stays in the first key", () => {
    const conf = parseBritneyConf("ADT_HUGE = 20\r\nADT_BASELINE = reference\rSTATE_DIR = /srv/s\n", "c");
    expect([...conf.options.values()].map((e) => [e.key, e.value, e.line])).toEqual([["ADT_HUGE", "20", 1], ["ADT_BASELINE", "reference", 2], ["STATE_DIR", "/srv/s", 3]]);
    // encoding='utf-8' (not utf-8-sig): "\ufeffADT_BASELINE" is another option, and britney2 has no ADT_BASELINE.
    expect(rulesOf(`\ufeff${DEBIAN.split("\n").find((l) => l.startsWith("ADT_BASELINE"))!}\n${without(DEBIAN, "ADT_BASELINE")}`).rules.baseline).toBe("any");
  });
});

describe("the rules britney2 applies, absent keys included (britney2/policies/autopkgtest.py)", () => {
  it("Debian's britney.conf: reference baseline, retry after 1 day, references older than 7 days are old, its arches and links", () => {
    const r = rulesOf(DEBIAN);
    expect(r.problems).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.rules).toEqual({ suite: "testing", baseline: "reference", retryOlderThanDays: 1, referenceMaxAgeDays: 7, serviceArches: ["amd64", "arm64", "armel", "armhf", "i386", "ppc64el", "s390x"], ciUrl: "https://ci.debian.net/" });
    expect(r.sources.baseline).toBe("/etc/britney.conf line 9 (ADT_BASELINE = reference)");
    expect(r.places).toEqual({
      stateDir: { path: "/srv/release.debian.org/britney/state", source: "/etc/britney.conf line 1 (STATE_DIR = /srv/release.debian.org/britney/state)" },
      resultsCache: { path: "/srv/release.debian.org/britney/state/autopkgtest-results.cache", source: "/etc/britney.conf line 1 (STATE_DIR = /srv/release.debian.org/britney/state), ADT_SHARED_RESULTS_CACHE empty" },
      sharedCache: false,
      debciFile: { path: "/srv/release.debian.org/britney/state/debci.json", source: "/etc/britney.conf line 7 (ADT_SWIFT_URL = file:///srv/release.debian.org/britney/state/debci.json)" },
      amqpFile: { path: "/srv/release.debian.org/britney/var/data-b2/output/debci_testing.input", source: expect.stringContaining("line 4 (ADT_AMQP") },
    });
  });

  it("SERIES (britney.py __parse_arguments): --series defaults to '', a non-empty SERIES fills it, and one still empty is the target suite's name, testing", () => {
    // Debian's britney.conf has no SERIES line: britney2 names its queues debci-testing-ARCH.
    expect(rulesOf(DEBIAN).sources.suite).toBe("/etc/britney.conf: no SERIES line (britney2's default: the target suite's name, testing, as there is no TESTING line)");
    const unstable = rulesOf(withLine(DEBIAN, "SERIES", "unstable"));
    expect([unstable.rules.suite, unstable.sources.suite, unstable.problems]).toEqual(["unstable", "/etc/britney.conf line 13 (SERIES = unstable)", []]);
    // `not getattr(self.options, 'series')`: an empty SERIES leaves '' for load_suites' target suite, testing.
    expect(rulesOf(withLine(DEBIAN, "SERIES", "")).rules.suite).toBe("testing");
    expect(rulesOf(withLine(DEBIAN, "SERIES", "")).sources.suite).toContain("SERIES = ), empty: britney2's default: the target suite's name, testing, as there is no TESTING line");
    // britney2 would take any word and ask for tests in queues no CI service serves: refused, naming the line.
    const bad = rulesOf(withLine(DEBIAN, "SERIES", "Testing Proposed"));
    expect(bad.problems).toEqual(['/etc/britney.conf line 13 (SERIES = Testing Proposed): "Testing Proposed" is not a suite name (lowercase letters, digits, . and -, such as testing or unstable); britney2 would ask debci for it in queues named debci-Testing Proposed-ARCH']);
    expect(bad.rules.suite).toBe("testing");
  });

  it("ADT_BASELINE: only the word reference is the reference baseline; absent (initialise sets None), empty or another word is ever-passed", () => {
    expect(rulesOf(without(DEBIAN, "ADT_BASELINE")).rules.baseline).toBe("any");
    expect(rulesOf(without(DEBIAN, "ADT_BASELINE")).sources.baseline).toContain("no ADT_BASELINE line (britney2's default: the ever-passed baseline");
    expect(rulesOf(withLine(DEBIAN, "ADT_BASELINE", "")).rules.baseline).toBe("any");
    const typo = rulesOf(withLine(DEBIAN, "ADT_BASELINE", "Reference"));
    expect(typo.rules.baseline).toBe("any");
    expect(typo.warnings[0]).toContain('britney2 takes every value but "reference" as the ever-passed baseline');
  });

  it("ADT_RETRY_OLDER_THAN (pkg_test_request): empty is never; a number of days; absent stops britney2 at the first failure whose baseline passed", () => {
    expect(rulesOf(withLine(DEBIAN, "ADT_RETRY_OLDER_THAN", "")).rules.retryOlderThanDays).toBeNull();
    expect(rulesOf(withLine(DEBIAN, "ADT_RETRY_OLDER_THAN", "5")).rules.retryOlderThanDays).toBe(5);
    // "0" is a non-empty string, true for Python: every failure older than now is retried.
    expect(rulesOf(withLine(DEBIAN, "ADT_RETRY_OLDER_THAN", "0")).rules.retryOlderThanDays).toBe(0);
    expect(rulesOf(without(DEBIAN, "ADT_RETRY_OLDER_THAN")).problems[0]).toBe('/etc/britney.conf: no ADT_RETRY_OLDER_THAN line (britney2 stops with AttributeError at the first failing test whose baseline passed); add "ADT_RETRY_OLDER_THAN =" (never retry) or a number of days');
    expect(rulesOf(withLine(DEBIAN, "ADT_RETRY_OLDER_THAN", "1.5")).problems[0]).toContain("expected a whole number of days; britney2 stops with ValueError on it");
  });

  it("ADT_REFERENCE_MAX_AGE (initialise): absent is never too old; present goes through int(), so empty stops britney2 at start", () => {
    expect(rulesOf(without(DEBIAN, "ADT_REFERENCE_MAX_AGE")).rules.referenceMaxAgeDays).toBeNull();
    expect(rulesOf(withLine(DEBIAN, "ADT_REFERENCE_MAX_AGE", "30")).rules.referenceMaxAgeDays).toBe(30);
    expect(rulesOf(withLine(DEBIAN, "ADT_REFERENCE_MAX_AGE", "")).problems[0]).toContain('ADT_REFERENCE_MAX_AGE = ): expected a whole number of days; britney2 stops with ValueError on it (int() of "")');
    expect(rulesOf(withLine(DEBIAN, "ADT_REFERENCE_MAX_AGE", "-1")).problems[0]).toContain("negative");
  });

  it("ADT_ARCHES (__init__): kept where britney2 runs the arch (ARCHITECTURES, even empty); absent stops britney2 unless ADT_ENABLE is off", () => {
    expect(rulesOf(`${DEBIAN}\nARCHITECTURES = amd64 i386 mips64el`).rules.serviceArches).toEqual(["amd64", "i386"]);
    expect(rulesOf(`${DEBIAN}\nARCHITECTURES =`).rules.serviceArches).toEqual([]);
    expect(rulesOf(`${DEBIAN}\nARCHITECTURES =`).warnings[0]).toContain("names no architecture britney2 runs");
    expect(rulesOf(without(DEBIAN, "ADT_ARCHES")).problems[0]).toContain("no ADT_ARCHES line (britney2 stops with AttributeError when its autopkgtest policy starts)");
    // policy.py is_enabled: yes, y, true, t in any case; anything else, empty too, is off.
    const off = rulesOf(withLine(without(DEBIAN, "ADT_ARCHES"), "ADT_ENABLE", ""));
    expect([off.enabled, off.problems]).toEqual([false, []]);
    expect(off.warnings[0]).toContain("britney2 runs no autopkgtest policy with this configuration");
    expect(rulesOf(withLine(DEBIAN, "ADT_ENABLE", "True")).enabled).toBe(true);
  });

  it("ADT_HUGE (apply_src_policy_impl): absent, nothing is huge; a number; anything else stops britney2", () => {
    expect(rulesOf(DEBIAN).hugeAbove).toBeNull();
    expect(rulesOf(withLine(DEBIAN, "ADT_HUGE", "20")).hugeAbove).toBe(20);
    expect(rulesOf(withLine(DEBIAN, "ADT_HUGE", "")).problems[0]).toContain("ADT_HUGE = ): expected a whole number of tests");
  });

  it("ADT_CI_URL: links only from an http(s) address; without a trailing / britney2's own links break", () => {
    expect(rulesOf(without(DEBIAN, "ADT_CI_URL")).rules.ciUrl).toBeNull();
    expect(rulesOf(withLine(DEBIAN, "ADT_CI_URL", "https://ci.debian.net")).warnings[0]).toContain("britney2's own links read https://ci.debian.netpackages/...");
    expect(rulesOf(withLine(DEBIAN, "ADT_CI_URL", "ci.debian.net")).problems[0]).toContain("expected the CI service's http(s) address");
  });

  it("the places: a shared cache when ADT_SHARED_RESULTS_CACHE is non-empty; file:// URLs as url[7:]; what cannot be a file is a problem naming the line", () => {
    const shared = rulesOf(withLine(DEBIAN, "ADT_SHARED_RESULTS_CACHE", "/srv/shared/autopkgtest-results.cache"));
    expect([shared.places.sharedCache, shared.places.resultsCache]).toEqual([true, { path: "/srv/shared/autopkgtest-results.cache", source: expect.stringContaining("ADT_SHARED_RESULTS_CACHE = /srv/shared") }]);
    expect(rulesOf(withLine(DEBIAN, "ADT_SWIFT_URL", "https://objectstorage.example/swift")).places.debciFile).toEqual({ problem: expect.stringContaining("not a file:// URL, so britney2 does not read a file debci-bridge can write") });
    // file://localhost/x is "localhost/x" to britney2: relative to wherever it was started.
    expect(rulesOf(withLine(DEBIAN, "ADT_SWIFT_URL", "file://localhost/srv/debci.json")).places.debciFile).toEqual({ problem: expect.stringContaining('"localhost/srv/debci.json" is relative') });
    const broker = rulesOf(withLine(DEBIAN, "ADT_AMQP", "amqp://britney:s3cret@broker.example")).places.amqpFile;
    expect(broker).toEqual({ problem: expect.stringContaining("ADT_AMQP = amqp://britney:***@broker.example): britney2 sends its requests to an AMQP broker") });
    expect(JSON.stringify(broker)).not.toContain("s3cret");
    expect(rulesOf(without(DEBIAN, "STATE_DIR")).places.stateDir).toEqual({ problem: "/etc/britney.conf: no STATE_DIR line (britney2 stops with AttributeError); set STATE_DIR to britney2's state directory" });
    expect(rulesOf(withLine(DEBIAN, "ADT_PPAS", "team/ppa")).warnings[0]).toContain("debci-ppa-* queues");
    // __init__ line 140 tests `self.options.adt_shared_results_cache`: without the line britney2 stops before reading anything.
    expect(rulesOf(without(DEBIAN, "ADT_SHARED_RESULTS_CACHE")).places.resultsCache).toEqual({ problem: expect.stringContaining('no ADT_SHARED_RESULTS_CACHE line (britney2 stops with AttributeError when its autopkgtest policy starts); add "ADT_SHARED_RESULTS_CACHE ="') });
  });
});

const NOW = "2026-11-25T12:00:00Z";
const DEMO = join(TESTDATA, "demo");

/** A britney.conf for a temporary britney2 STATE_DIR, Debian's lines with `changes` applied (a value of null drops the key). */
function writeConf(dir: string, changes: Record<string, string | null> = {}): { conf: string; britneyState: string } {
  const britneyState = join(dir, "britney-state");
  mkdirSync(britneyState, { recursive: true });
  let text = DEBIAN.replaceAll("/srv/release.debian.org/britney/state", britneyState).replaceAll("/srv/release.debian.org/britney/var/data-b2/output/debci_testing.input", join(britneyState, "debci.input"));
  text = withLine(text, "ADT_ARCHES", "amd64 arm64");
  for (const [key, value] of Object.entries(changes)) text = value === null ? without(text, key) : withLine(text, key, value);
  const conf = join(dir, "britney.conf");
  writeFileSync(conf, `${text}\n`);
  return { conf, britneyState };
}

/** A temporary copy of the demo state. */
function demoState(): string {
  const dir = join(tempDir(), "state");
  cpSync(join(DEMO, "state"), dir, { recursive: true });
  return dir;
}

/** `CONF line N (KEY = VALUE)`, as messages name a line of a britney.conf written here. */
function lineOf(conf: string, key: string): string {
  const lines = readFileSync(conf, "utf8").split("\n");
  const i = lines.findIndex((l) => l.startsWith(`${key} `));
  return `${conf} line ${i + 1} (${key} = ${lines[i]!.slice(lines[i]!.indexOf("=") + 1).trim()})`;
}

describe("one configuration: --britney-conf (or britneyConf) gives the rules, and a rule set twice to different values is refused", () => {
  it("plan with Debian's britney.conf answers as plan with the same rules as flags; with ADT_BASELINE absent as --baseline any", async () => {
    const state = demoState();
    const { conf } = writeConf(tempDir());
    const needs = join(DEMO, "needs.jsonl");
    const plan = async (...extra: string[]) => (await runCli(["plan", "--state", state, "--needs", needs, "--now", NOW, "--scratch", tempDir(), ...extra])).stdout;
    const byConf = await plan("--britney-conf", conf);
    expect(jsonLines(byConf).map((a) => a.label)).toContain("REGRESSION");
    expect(byConf).toBe(await plan("--baseline", "reference", "--retry-older-than", "1", "--reference-max-age", "7", "--ci-url", "https://ci.debian.net/"));
    const anyConf = writeConf(tempDir(), { ADT_BASELINE: null, ADT_REFERENCE_MAX_AGE: null, ADT_RETRY_OLDER_THAN: "" });
    expect(await plan("--britney-conf", anyConf.conf)).toBe(await plan("--baseline", "any", "--reference-max-age", "off", "--retry-older-than", "off", "--ci-url", "https://ci.debian.net/"));
  });

  it("SERIES is the suite: a need that names none is asked for in it, as britney2 asks in debci-SERIES-ARCH", async () => {
    const state = demoState();
    const needs = join(DEMO, "needs.jsonl");
    const { conf } = writeConf(tempDir(), { SERIES: "unstable" });
    const run = await runCli(["plan", "--state", state, "--needs", needs, "--now", NOW, "--scratch", tempDir(), "--britney-conf", conf]);
    expect(run.code, run.stderr).toBe(0);
    const suites = new Set(jsonLines(run.stdout).map((a) => a.suite));
    expect([...suites]).toEqual(["unstable"]);
    const bySuite = await runCli(["plan", "--state", state, "--needs", needs, "--now", NOW, "--scratch", tempDir(), "--suite", "unstable", "--baseline", "reference", "--retry-older-than", "1", "--reference-max-age", "7", "--ci-url", "https://ci.debian.net/"]);
    expect(run.stdout).toBe(bySuite.stdout);
  });

  it("with SERIES unset, the suite is what TESTING's Release file names (Suite, else Codename), as britney2's suiteloader.py takes it", async () => {
    const state = demoState();
    const testing = join(tempDir(), "testing");
    mkdirSync(testing);
    const { conf } = writeConf(tempDir(), { TESTING: testing });
    const rules = async () => jsonLines((await runCli(["serve", "--state", state, "--now", NOW, "--scratch", tempDir(), "--britney-conf", conf], '{"id":1,"method":"rules"}\n')).stdout)[0]!;
    // No Release file: britney2 keeps the name load_suites gives the target suite.
    expect((await rules()).result).toMatchObject({ suite: "testing" });
    // A Release file as the archive writes it: Suite before Codename, checksums on continuation lines.
    writeFileSync(join(testing, "Release"), "Origin: Debian\nLabel: Debian\nSuite: unstable\nCodename: sid\nComponents: main\nArchitectures: all amd64 arm64 i386\nMD5Sum:\n 0123 456 main/Release\n");
    expect((await rules()).result).toMatchObject({ suite: "unstable", sources: { suite: `${join(testing, "Release")} (Suite: unstable), as SERIES is unset` } });
    writeFileSync(join(testing, "Release"), "Origin: Debian\nCodename: forky\nComponents: main\nArchitectures: amd64 arm64\n");
    expect((await rules()).result).toMatchObject({ suite: "forky" });
    // ARCHITECTURES unset too: the Release file's Architectures bound ADT_ARCHES, as britney2 runs only those.
    writeFileSync(join(testing, "Release"), "Suite: testing\nComponents: main\nArchitectures: all amd64 i386\n");
    expect((await rules()).result).toMatchObject({ suite: "testing", arches: ["amd64"] });
    writeFileSync(join(testing, "Release"), "Suite: testing\nComponents: main\n");
    const noArches = await runCli(["report", "--state", state, "--now", NOW, "--britney-conf", conf]);
    expect(noArches.stderr).toBe(`debci-bridge report: ${join(testing, "Release")}: no Architectures field, and britney.conf sets no ARCHITECTURES; britney2 stops with KeyError on it\n`);
    // SERIES, when set, wins over the Release file's Suite.
    writeFileSync(join(testing, "Release"), "Suite: unstable\nComponents: main\nArchitectures: amd64 arm64\n");
    const withSeries = writeConf(tempDir(), { TESTING: testing, SERIES: "testing" });
    const run = await runCli(["serve", "--state", state, "--now", NOW, "--scratch", tempDir(), "--britney-conf", withSeries.conf], '{"id":1,"method":"rules"}\n');
    expect(jsonLines(run.stdout)[0]!.result).toMatchObject({ suite: "testing" });
    // What britney2 would stop on is refused, naming the file.
    writeFileSync(join(testing, "Release"), "Origin: Debian\nComponents: main\nArchitectures: amd64 arm64\n");
    const noName = await runCli(["report", "--state", state, "--now", NOW, "--britney-conf", conf]);
    expect([noName.code, noName.stderr]).toEqual([1, `debci-bridge report: ${join(testing, "Release")}: neither a Suite nor a Codename field; britney2 stops with KeyError on it\n`]);
    // SERIES set but ARCHITECTURES left to the file: britney2 still reads the whole file, and stops on it.
    writeFileSync(join(testing, "Release"), "Suite: testing\n\nSuite: unstable\n");
    expect((await runCli(["report", "--state", state, "--now", NOW, "--britney-conf", withSeries.conf])).stderr).toBe(`debci-bridge report: ${join(testing, "Release")}: more than one paragraph; britney2 stops with TypeError on it\n`);
    const relative = writeConf(tempDir(), { TESTING: "testing" });
    expect((await runCli(["report", "--state", state, "--now", NOW, "--britney-conf", relative.conf])).stderr).toContain("(TESTING = testing): relative, so britney2 reads the suite's Release file");
  });

  it("britneyConf in debci-bridge.json (relative to that file) does the same as the flag", async () => {
    const state = demoState();
    const { conf } = writeConf(join(state, ".."), { ADT_BASELINE: null });
    writeFileSync(join(state, "debci-bridge.json"), JSON.stringify({ britneyConf: "../britney.conf", graceMinutes: 30 }));
    const args = ["status", "--state", state, "--package", "zed", "--trigger", "glibc/2.41-7", "--arch", "amd64", "--now", NOW];
    const fromFile = jsonLines((await runCli(args)).stdout)[0]!;
    expect(fromFile).toMatchObject({ baseline: expect.any(String) });
    writeFileSync(join(state, "debci-bridge.json"), "{}");
    expect(jsonLines((await runCli([...args, "--britney-conf", conf])).stdout)[0]).toEqual(fromFile);
    expect(jsonLines((await runCli([...args, "--baseline", "any", "--ci-url", "https://ci.debian.net/"])).stdout)[0]).toEqual(fromFile);
  });

  it("a rule in debci-bridge.json or a flag that differs from britney.conf is exit 1 naming both places and both values; the same value is fine", async () => {
    const state = demoState();
    const { conf } = writeConf(tempDir());
    const settings = join(state, "debci-bridge.json");
    const args = ["report", "--state", state, "--now", NOW, "--britney-conf", conf];
    writeFileSync(settings, JSON.stringify({ baseline: "any" }));
    const fromFile = await runCli(args);
    expect(fromFile.code).toBe(1);
    expect(fromFile.stderr).toBe(`debci-bridge report: baseline is set twice: ${settings} says baseline: any, but britney2 runs with reference (${lineOf(conf, "ADT_BASELINE")}); set it in one place: remove "baseline" from ${settings}, or change britney.conf\n`);
    writeFileSync(settings, JSON.stringify({ baseline: "reference", serviceArches: ["arm64", "amd64"], ciUrl: "https://ci.debian.net" }));
    expect((await runCli(args)).code).toBe(0);
    writeFileSync(settings, JSON.stringify({ serviceArches: ["amd64"] }));
    expect((await runCli(args)).stderr).toContain(`serviceArches is set twice: ${settings} says serviceArches: amd64, but britney2 runs with amd64 arm64 (${lineOf(conf, "ADT_ARCHES")})`);
    writeFileSync(settings, "{}");
    const flag = await runCli([...args, "--retry-older-than", "off"]);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toContain(`retryOlderThanDays is set twice: --retry-older-than off, but britney2 runs with 1 (${lineOf(conf, "ADT_RETRY_OLDER_THAN")}); set it in one place: drop --retry-older-than, or change britney.conf`);
    // The suite is britney2's series: a --suite or "suite" other than SERIES (absent: testing) would answer and request another suite.
    const otherSuite = await runCli([...args, "--suite", "unstable"]);
    expect(otherSuite.code).toBe(1);
    expect(otherSuite.stderr).toContain(`suite is set twice: --suite unstable, but britney2 runs with testing (${conf}: no SERIES line (britney2's default: the target suite's name, testing, as there is no TESTING line)); set it in one place: drop --suite, or change britney.conf`);
    const series = writeConf(tempDir(), { SERIES: "unstable" });
    writeFileSync(settings, JSON.stringify({ suite: "unstable" }));
    expect((await runCli(["report", "--state", state, "--now", NOW, "--britney-conf", series.conf])).code).toBe(0);
    writeFileSync(settings, JSON.stringify({ suite: "testing" }));
    expect((await runCli(["report", "--state", state, "--now", NOW, "--britney-conf", series.conf])).stderr).toContain(`suite is set twice: ${settings} says suite: testing, but britney2 runs with unstable (${lineOf(series.conf, "SERIES")})`);
    writeFileSync(settings, "{}");
    // An absent key is britney2's default, so a rule set against it is a conflict too: the drift this is for.
    const noMaxAge = writeConf(tempDir(), { ADT_REFERENCE_MAX_AGE: null });
    const drift = await runCli(["report", "--state", state, "--now", NOW, "--britney-conf", noMaxAge.conf, "--reference-max-age", "7"]);
    expect(drift.stderr).toContain(`referenceMaxAgeDays is set twice: --reference-max-age 7, but britney2 runs with off (${noMaxAge.conf}: no ADT_REFERENCE_MAX_AGE line (britney2's default: a reference result is never too old))`);
  });

  it("a britney.conf britney2 would stop on is exit 1 naming the line and the fix, for every command that takes it", async () => {
    const state = demoState();
    const { conf } = writeConf(tempDir(), { ADT_REFERENCE_MAX_AGE: "" });
    for (const args of [
      ["plan", "--needs", join(DEMO, "needs.jsonl"), "--scratch", tempDir()],
      ["status", "--package", "baz", "--trigger", "glibc/2.41-7", "--arch", "amd64"],
      ["report"],
      ["serve", "--scratch", tempDir()],
      ["export-britney"],
      ["import-amqp", "--scratch", tempDir()],
    ]) {
      const run = await runCli([...args, "--state", state, "--now", NOW, "--britney-conf", conf]);
      expect(run.code, args[0]).toBe(1);
      expect(run.stderr).toContain(`${lineOf(conf, "ADT_REFERENCE_MAX_AGE")}: expected a whole number of days`);
    }
    const missing = await runCli(["report", "--state", state, "--now", NOW, "--britney-conf", join(tempDir(), "nope.conf")]);
    expect(missing.stderr).toContain("nope.conf: no such file (--britney-conf, or britneyConf in debci-bridge.json, names britney2's configuration)");
    const latin1 = join(tempDir(), "britney.conf");
    writeFileSync(latin1, Buffer.from("ADT_BASELINE = r\xe9f\n", "latin1"));
    expect((await runCli(["report", "--state", state, "--now", NOW, "--britney-conf", latin1])).stderr).toContain("not UTF-8 text (britney2 stops on it with UnicodeDecodeError)");
  });

  it("a need on an arch outside ADT_ARCHES is refused, naming the line of britney.conf", async () => {
    const state = demoState();
    const { conf } = writeConf(tempDir(), { ADT_ARCHES: "amd64" });
    const run = await runCli(["plan", "--state", state, "--needs", join(DEMO, "needs.jsonl"), "--now", NOW, "--scratch", tempDir(), "--britney-conf", conf]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`arch: "arm64" is not one the CI service runs (serviceArches: amd64, from ${lineOf(conf, "ADT_ARCHES")})`);
  });
});

describe("export-britney --britney-conf: where that britney2 reads, whatever its cache settings, or nothing", () => {
  it("writes into STATE_DIR and ADT_SWIFT_URL's file without --out; --out naming another directory is refused", async () => {
    const state = demoState();
    const { conf, britneyState } = writeConf(tempDir());
    const run = await runCli(["export-britney", "--state", state, "--now", NOW, "--britney-conf", conf]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ results: join(britneyState, "autopkgtest-results.cache"), pending: join(britneyState, "autopkgtest-pending.json"), debci: join(britneyState, "debci.json"), amqp: join(britneyState, "debci.input") });
    for (const f of ["autopkgtest-results.cache", "autopkgtest-pending.json", "debci.json"]) expect(existsSync(join(britneyState, f)), f).toBe(true);
    expect((await runCli(["export-britney", "--state", state, "--now", NOW, "--britney-conf", conf, "--out", britneyState])).code).toBe(0);
    const other = tempDir();
    const wrong = await runCli(["export-britney", "--state", state, "--now", NOW, "--britney-conf", conf, "--out", other]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`--out ${other} is not where britney2 reads: STATE_DIR is ${britneyState} (${lineOf(conf, "STATE_DIR")})`);
    expect((await runCli(["export-britney", "--state", state, "--now", NOW])).stderr).toContain("--out is required: britney2's STATE_DIR (or --britney-conf FILE");
  });

  it("with a shared results cache elsewhere, writes the cache there, the file britney2 reads (and not into STATE_DIR)", async () => {
    const state = demoState();
    const sharedDir = tempDir();
    const shared = join(sharedDir, "autopkgtest-results.cache");
    const { conf, britneyState } = writeConf(tempDir(), { ADT_SHARED_RESULTS_CACHE: shared });
    const run = await runCli(["export-britney", "--state", state, "--now", NOW, "--britney-conf", conf]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).results).toBe(shared);
    expect(Object.keys(JSON.parse(readFileSync(shared, "utf8")))).toContain("glibc/2.41-7");
    expect(existsSync(join(britneyState, "autopkgtest-results.cache"))).toBe(false);
  });

  it("refuses, exporting nothing, when britney2 would read results from the network or from a place it cannot write", async () => {
    const state = demoState();
    const swift = writeConf(tempDir(), { ADT_SWIFT_URL: "https://swift.example/v1/AUTH_ci" });
    const bySwift = await runCli(["export-britney", "--state", state, "--now", NOW, "--britney-conf", swift.conf]);
    expect(bySwift.code).toBe(1);
    expect(bySwift.stderr).toContain(`${lineOf(swift.conf, "ADT_SWIFT_URL")}: not a file:// URL, so britney2 does not read a file debci-bridge can write; set it to file://STATE_DIR/debci.json`);
    expect(snapshotTree(swift.britneyState)).toEqual({});

    // A cache under a path that is a file cannot be written by anyone, root included (a real ENOTDIR, not a mock).
    const blocker = join(tempDir(), "not-a-dir");
    writeFileSync(blocker, "");
    const stuck = writeConf(tempDir(), { ADT_SHARED_RESULTS_CACHE: join(blocker, "autopkgtest-results.cache") });
    writeFileSync(join(stuck.britneyState, "debci.json"), '{"results": []}\n');
    const before = snapshotTree(stuck.britneyState);
    const run = await runCli(["export-britney", "--state", state, "--now", NOW, "--britney-conf", stuck.conf]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`cannot write ${join(blocker, "autopkgtest-results.cache")}`);
    expect(run.stderr).toContain("ADT_SHARED_RESULTS_CACHE = ");
    expect(run.stderr).toContain("make it writable for this user");
    expect(run.stderr).toContain("nothing was exported, and britney2 would read what it read before");
    expect(snapshotTree(stuck.britneyState)).toEqual(before);
  });

  it("never replaces a file that is not one britney2 or export-britney wrote", async () => {
    const state = demoState();
    const precious = join(tempDir(), "passwd");
    writeFileSync(precious, "root:x:0:0:root:/root:/bin/bash\n");
    chmodSync(precious, 0o644);
    const { conf } = writeConf(tempDir(), { ADT_SWIFT_URL: `file://${precious}` });
    const run = await runCli(["export-britney", "--state", state, "--now", NOW, "--britney-conf", conf]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${precious} (${lineOf(conf, "ADT_SWIFT_URL")}) exists and holds no JSON object`);
    expect(readFileSync(precious, "utf8")).toBe("root:x:0:0:root:/root:/bin/bash\n");
  });
});

describe("import-amqp --britney-conf: ADT_AMQP's file, ADT_ARCHES' arches", () => {
  it("imports the file britney2 writes to; another FILE is refused; a queue for an arch outside ADT_ARCHES refuses the file", async () => {
    const state = demoState();
    const { conf, britneyState } = writeConf(tempDir());
    writeFileSync(join(britneyState, "debci.input"), 'debci-testing-amd64:baz {"triggers": ["glibc/2.41-7"], "submit-time": "2026-11-25 11:58:02+0000"}\n');
    const scratch = tempDir();
    const run = await runCli(["import-amqp", "--state", state, "--now", NOW, "--britney-conf", conf, "--scratch", scratch]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`1 request(s) read from ${join(britneyState, "debci.input")}`);
    const elsewhere = join(tempDir(), "debci.input");
    writeFileSync(elsewhere, "");
    expect((await runCli(["import-amqp", "--state", state, elsewhere, "--now", NOW, "--britney-conf", conf, "--scratch", tempDir()])).stderr).toContain(`${elsewhere} is not the file britney2 writes its requests to: ${join(britneyState, "debci.input")}`);
    writeFileSync(join(britneyState, "debci.input"), 'debci-testing-s390x:baz {"triggers": ["glibc/2.41-7"]}\n');
    const foreign = await runCli(["import-amqp", "--state", state, "--now", NOW, "--britney-conf", conf, "--scratch", tempDir()]);
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toContain(`line 1: arch: "s390x" is not one the CI service runs (serviceArches: amd64, arm64, from ${lineOf(conf, "ADT_ARCHES")})`);
  });

  it("takes the queues of britney2's series: with SERIES = unstable, debci-unstable-ARCH is read and debci-testing-ARCH refused", async () => {
    const state = demoState();
    const { conf, britneyState } = writeConf(tempDir(), { SERIES: "unstable" });
    const input = join(britneyState, "debci.input");
    writeFileSync(input, 'debci-unstable-amd64:baz {"triggers": ["glibc/2.41-7"], "submit-time": "2026-11-25 11:58:02+0000"}\n');
    const scratch = tempDir();
    const run = await runCli(["import-amqp", "--state", state, "--now", NOW, "--britney-conf", conf, "--scratch", scratch]);
    expect(run.code, run.stderr).toBe(0);
    const batches = readdirSync(scratch).filter((f) => f.endsWith(".json"));
    expect(batches.map((f) => JSON.parse(readFileSync(join(scratch, f), "utf8")))).toEqual([[{ suite: "unstable", arch: ["amd64"], tests: [{ package: "baz", trigger: "glibc/2.41-7", "pin-packages": [] }] }]]);
    writeFileSync(input, 'debci-testing-amd64:baz {"triggers": ["glibc/2.41-7"]}\n');
    const other = await runCli(["import-amqp", "--state", state, "--now", NOW, "--britney-conf", conf, "--scratch", tempDir()]);
    expect(other.code).toBe(1);
    expect(other.stderr).toContain('line 1: suite: "testing"');
  });
});

describe("serve --britney-conf: the rules for a client that configures nothing twice", () => {
  it("`rules` gives ADT_ARCHES, ADT_HUGE and the rules with the line each came from; a need on another arch is refused as plan refuses it", async () => {
    const state = demoState();
    const { conf } = writeConf(tempDir(), { ADT_HUGE: "20", ADT_BASELINE: null });
    const lines = [
      { id: 1, method: "rules" },
      { id: 2, method: "need", params: { package: "baz", trigger: "glibc/2.41-7", arch: "s390x" } },
      { id: 3, method: "preview", params: { package: "baz", trigger: "glibc/2.41-7", arch: "amd64" } },
      // A question is held to the same arches as a need: a misspelt or foreign arch is not answered "missing".
      { id: 4, method: "status", params: { package: "baz", trigger: "glibc/2.41-7", arch: "s390x" } },
      { id: 5, method: "label", params: { package: "baz", trigger: "glibc/2.41-7", arch: "amd46" } },
    ];
    const run = await runCli(["serve", "--state", state, "--now", NOW, "--scratch", tempDir(), "--britney-conf", conf], lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
    expect(run.code, run.stderr).toBe(0);
    const [rules, refused, preview, status, label] = jsonLines(run.stdout);
    expect(status!.error).toEqual({ message: `status: arch: "s390x" is not one the CI service runs (serviceArches: amd64, arm64, from ${lineOf(conf, "ADT_ARCHES")})` });
    expect(label!.error).toEqual({ message: `label: arch: "amd46" is not one the CI service runs (serviceArches: amd64, arm64, from ${lineOf(conf, "ADT_ARCHES")})` });
    expect(rules!.result).toEqual({
      britneyConf: conf,
      suite: "testing",
      baseline: "any",
      retryOlderThanDays: 1,
      referenceMaxAgeDays: 7,
      arches: ["amd64", "arm64"],
      hugeAbove: 20,
      ciUrl: "https://ci.debian.net/",
      sources: {
        suite: `${conf}: no SERIES line (britney2's default: the target suite's name, testing, as there is no TESTING line)`,
        baseline: `${conf}: no ADT_BASELINE line (britney2's default: the ever-passed baseline, "any")`,
        retryOlderThanDays: lineOf(conf, "ADT_RETRY_OLDER_THAN"),
        referenceMaxAgeDays: lineOf(conf, "ADT_REFERENCE_MAX_AGE"),
        serviceArches: lineOf(conf, "ADT_ARCHES"),
        ciUrl: lineOf(conf, "ADT_CI_URL"),
      },
    });
    expect(refused!.error).toEqual({ message: `need: arch: "s390x" is not one the CI service runs (serviceArches: amd64, arm64, from ${lineOf(conf, "ADT_ARCHES")})` });
    expect(preview!.result).toMatchObject({ package: "baz", arch: "amd64" });
  });
});
