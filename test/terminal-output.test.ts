import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, spawnCli } from "./support/cli.js";
import { FakeDebci } from "./support/fake-debci.js";
import { SCENARIOS, tempDir } from "./support/temp-state.js";

/**
 * `status`, `report` and `watermark` at a terminal speak to a person;
 * anything else reading them gets today's JSON. Run here under a real pseudo-terminal:
 * util-linux's script(1) (in Debian's essential bsdutils) gives the command
 * a terminal for stdout and copies what it shows.
 */
const BIN = new URL("../bin/debci-bridge.js", import.meta.url).pathname;
const NOW = "2026-11-25T12:00:00Z";

/** The command under a pseudo-terminal: what the terminal shows (stdout, and stderr unless `quiet` sends it away). */
function atTerminal(args: string[], env: Record<string, string> = {}, quiet = false): { code: number | null; text: string } {
  const quoted = [process.execPath, BIN, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(" ") + (quiet ? " 2>/dev/null" : "");
  const run = spawnSync("script", ["-qec", quoted, "/dev/null"], { encoding: "utf8", env: { ...process.env, NO_COLOR: "", ...env } });
  return { code: run.status, text: run.stdout.replace(/\r\n/g, "\n") };
}

const status = (state: string, pkg: string, now = NOW, extra: string[] = []) => ["status", "--state", state, "--package", pkg, "--trigger", "glibc/2.41-7", "--arch", "amd64", "--now", now, ...extra];

/** A state whose request for baz was overtaken: its run 7 still listed at 16:00, while three later runs of ours finished by 10:00 (test/overtaken-rule.test.ts's case, on disk). */
function overtakenState(): string {
  const state = join(tempDir(), "state");
  mkdirSync(join(state, "results"), { recursive: true });
  const later = (runId: number, created: string, finished: string) => ({ run_id: runId, suite: "testing", arch: "amd64", package: `other${runId}`, trigger: "other/1.0-1", version: "1.0-1", status: "pass", created_at: created, updated_at: finished });
  const results = [later(11, "2026-11-25T08:10:00Z", "2026-11-25T09:00:00Z"), later(12, "2026-11-25T08:20:00Z", "2026-11-25T09:30:00Z"), later(13, "2026-11-25T08:30:00Z", "2026-11-25T10:00:00Z")];
  writeFileSync(join(state, "results", "20261125T160000.json"), JSON.stringify({ since: 1764028800, until: 1764086400, results }));
  writeFileSync(join(state, "pending.json"), JSON.stringify({ generated_at: "2026-11-25T16:00:00Z", pending: [{ run_id: 7, package: "baz", arch: "amd64", suite: "testing", trigger: "glibc/2.41-7", created_at: "2026-11-25T08:00:00Z" }] }));
  const request = { suite: "testing", arch: "amd64", package: "baz", trigger: "glibc/2.41-7", triggers: "glibc/2.41-7", pinPackages: [], huge: false, requestedAt: "2026-11-25T07:59:00.000Z", batch: "20261125T075900Z-0badc0de.json" };
  writeFileSync(join(state, "requested.json"), JSON.stringify({ format: "debci-bridge-ledger/1", batches: [request.batch], requests: [request] }));
  return state;
}

describe("status at a terminal", () => {
  it("explains a REGRESSION: the label and its meaning, the result's run, version, age and log, the baseline", () => {
    const run = atTerminal(status(join(SCENARIOS, "pass-to-fail", "state"), "baz", NOW, ["--ci-url", "https://ci.debian.net/"]));
    expect(run.code).toBe(0);
    expect(run.text).toContain("baz glibc/2.41-7 on testing/amd64: \u001b[31mREGRESSION\u001b[0m\n  failed where the baseline passed: britney2 blocks the migration\n");
    expect(run.text).toContain("  result:    FAIL (fail) from run 202, version 4.5-1, finished 2026-11-25 08:00 UTC, 4 hours ago\n             log https://ci.debian.net/data/autopkgtest/testing/amd64/b/baz/202/log.gz\n");
    expect(run.text).toContain("  baseline:  PASS from run 201 (migration-reference/0), finished 2026-11-20 10:00 UTC, 5 days ago\n");
  });

  it("explains a RUNNING key: in flight since when", () => {
    const run = atTerminal(status(join(SCENARIOS, "lost-request", "state"), "zed"));
    expect(run.text).toContain("zed glibc/2.41-7 on testing/amd64: \u001b[33mRUNNING\u001b[0m\n  no result yet: britney2 waits for it\n");
    expect(run.text).toContain("  in flight: since 2026-11-25 11:45 UTC, 15 minutes ago\n  request:   none: it is in flight\n");
  });

  it("explains a lost key and that a committing run asks again", () => {
    const run = atTerminal(status(join(SCENARIOS, "lost-request", "state"), "baz"), { NO_COLOR: "1" });
    expect(run.text).toContain("baz glibc/2.41-7 on testing/amd64: RUNNING\n");
    expect(run.text).toContain("  lost:      the newest attempt vanished without a result (the CI service no longer lists it)\n  request:   a committing run would ask for it: the last attempt was lost (lost)\n");
    // NO_COLOR: no escape sequence at all.
    expect(run.text).not.toContain("\u001b[");
  });

  it("explains an overtaken key: which run, and why it counts as lost", () => {
    const run = atTerminal(status(overtakenState(), "baz", "2026-11-25T16:05:00Z"));
    expect(run.code).toBe(0);
    expect(run.text).toContain("  lost:      run 7 was overtaken: the CI service still lists it as waiting, but later runs on testing/amd64 finished\n");
    expect(run.text).toContain("  request:   a committing run would ask for it: its run was overtaken (see above) (overtaken)\n");
  });

  it("--json at a terminal, and any stdout that is not one, get exactly the JSON line", async () => {
    const args = status(join(SCENARIOS, "pass-to-fail", "state"), "baz");
    const piped = await runCli(args);
    expect(piped.code).toBe(0);
    expect(JSON.parse(piped.stdout)).toMatchObject({ package: "baz", label: "REGRESSION", runId: 202 });
    expect(atTerminal([...args, "--json"], {}, true).text).toBe(piped.stdout);
  });
});

describe("report and watermark at a terminal", () => {
  const DEMO = new URL("../testdata/demo/state", import.meta.url).pathname;

  it("report prints a short summary: ages, counts, the oldest in flight and lost, a line per suite and arch", () => {
    const run = atTerminal(["report", "--state", DEMO, "--now", NOW], { NO_COLOR: "1" }, true);
    expect(run.code).toBe(0);
    expect(run.text).toBe(
      [
        "debci-bridge report at 2026-11-25 12:00 UTC",
        "  snapshot:  of 2026-11-25 11:30 UTC (30 minutes old)",
        "  results:   up to 2026-11-25 11:00 UTC (60 minutes old): fresh, stale after 6 hours",
        "  runs:      9 (4 pass, 3 fail, 1 neutral, 1 tmpfail, 0 not finished)",
        "  keys:      12 known: 6 pass, 3 fail, 1 pending, 2 missing",
        "  in flight: 1; the oldest glibc glibc/2.41-7 on testing/amd64, since 2026-11-25 10:45 UTC (75 minutes ago)",
        "  lost:      1; the oldest libfoo glibc/2.41-7 on testing/amd64, asked 2026-11-23 09:00 UTC",
        "  outbox:    0 batches unsent, 0 rejected",
        "  files:     2 results files, none skipped",
        "  coverage:  2026-11-23 12:00 UTC to 2026-11-25 11:00 UTC, no gaps",
        "  by suite and arch:",
        "    testing/amd64  10 keys: 5 pass, 3 fail, 1 pending, 1 missing; 1 in flight, 1 lost",
        "    testing/arm64  2 keys: 1 pass, 0 fail, 0 pending, 1 missing; 0 in flight, 0 lost",
        "The whole report: debci-bridge report --json (lists of each kind, oldest first), or --html FILE.",
        "",
      ].join("\n"),
    );
  });

  it("watermark says how far the results reach and where fetch goes on", () => {
    const run = atTerminal(["watermark", "--state", DEMO, "--now", NOW], {}, true);
    expect(run.text).toBe("results reach 2026-11-25 11:00 UTC (60 minutes ago)\nfetch asks from 2026-11-25 10:00 UTC (2 hours ago) next\nno gaps: every stretch since the first file is covered\n");
  });

  it.each([["report"], ["watermark"]])("%s --json at a terminal is exactly what a pipe gets", async (command) => {
    const args = [command, "--state", DEMO, "--now", NOW];
    const piped = await runCli(args);
    expect(piped.code).toBe(0);
    expect(() => JSON.parse(piped.stdout)).not.toThrow();
    expect(atTerminal([...args, "--json"], {}, true).text).toBe(piped.stdout);
  });
});

describe("long work shows its progress on a terminal's stderr, and nowhere else", () => {
  it("compact reading results files: a line rewritten in place, wiped when done", async () => {
    const state = join(tempDir(), "state");
    cpSync(new URL("../testdata/demo/state", import.meta.url).pathname, state, { recursive: true });
    const run = atTerminal(["compact", "--state", state, "--now", NOW]);
    expect(run.code).toBe(0);
    expect(run.text).toContain("\r\u001b[Kdebci-bridge compact: reading results files 1/2");
    // Wiped before what the command prints next.
    expect(run.text).toMatch(/\r\u001b\[K\{"base"/);
    const copy = join(tempDir(), "state");
    cpSync(new URL("../testdata/demo/state", import.meta.url).pathname, copy, { recursive: true });
    const piped = await runCli(["compact", "--state", copy, "--now", NOW]);
    expect(piped.code).toBe(0);
    expect(piped.stderr).not.toContain("reading results files");
    expect(piped.stderr).not.toContain("\u001b");
  });

  it("fetch on a terminal counts the results received and how far in time they reach; a pipe sees none of it", async () => {
    const fake = await new FakeDebci().start();
    try {
      fake.now = Date.parse("2026-11-25T12:00:00Z");
      for (const pkg of ["baz", "qux", "zed"]) {
        const body = new URLSearchParams({ tests: JSON.stringify([{ package: pkg, trigger: "glibc/2.41-7" }]) });
        const res = await fetch(`${fake.url}/api/v1/test/testing/amd64`, { method: "POST", headers: { "auth-key": fake.apiKey }, body });
        expect(res.status).toBe(201);
      }
      fake.finish(() => true, "pass");
      const state = join(tempDir(), "state");
      mkdirSync(state, { recursive: true });
      const args = ["fetch", "--state", state, "--url", fake.url, "--now", "2026-11-25T12:00:00Z"];
      // Asynchronously: the fake answers from this process, which spawnSync would block.
      const quoted = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(" ");
      const shown = await new Promise<string>((resolve) => {
        let text = "";
        const child = spawn("script", ["-qec", quoted, "/dev/null"], { env: { ...process.env, DEBCI_API_KEY: fake.apiKey } });
        child.stdout.on("data", (c) => (text += c));
        child.on("close", () => resolve(text));
      });
      expect(shown).toContain("\u001b[Kdebci-bridge fetch: results received, up to 2026-11-25: 1");
      const other = join(tempDir(), "state");
      mkdirSync(other, { recursive: true });
      const piped = await spawnCli(["fetch", "--state", other, "--url", fake.url, "--now", "2026-11-25T12:00:00Z"], { DEBCI_API_KEY: fake.apiKey });
      expect(piped.code, piped.stderr).toBe(0);
      expect(piped.stderr).not.toContain("results received, up to");
      expect(piped.stderr).not.toContain("\u001b");
    } finally {
      fake.close();
    }
  });
});
