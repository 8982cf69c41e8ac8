import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jsonLines, runCli, spawnCli } from "./support/cli.js";
import { batchFiles, requestsIn } from "./support/outbox.js";
import { SCENARIOS, copyScenarioState, snapshotTree } from "./support/temp-state.js";

const NOW = "2026-11-25T12:00:00Z";
const LATER = "2026-11-25T13:00:00Z";
const NEEDS = join(SCENARIOS, "new-package", "needs.jsonl");
const ALL = ["newpkg newpkg/1.0-1 amd64", "newpkg newpkg/1.0-1 arm64", "texlive-base newpkg/1.0-1 amd64 huge"];

function ledger(state: string) {
  return JSON.parse(readFileSync(join(state, "requested.json"), "utf8")) as { batches: string[]; requests: Array<{ package: string; arch: string; batch: string; requestedAt: string }> };
}

describe("a committing run", () => {
  it("still commits when its reader stops early (EPIPE on stdout)", async () => {
    const state = copyScenarioState("new-package");
    const { spawn } = await import("node:child_process");
    const { BIN } = await import("./support/cli.js");
    const child = spawn(process.execPath, [BIN, "plan", "--state", state, "--needs", NEEDS, "--now", NOW], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy(); // the reader goes away before the first answer
    let stderr = "";
    child.stderr.on("data", (c) => (stderr += c));
    const code = await new Promise((resolve) => child.on("close", resolve));
    expect(code, stderr).toBe(0);
    expect(stderr).not.toMatch(/EPIPE/);
    expect(requestsIn(join(state, "outbox"))).toEqual(ALL);
  });

  it("writes the batches to the outbox and the requests to the ledger, and the next run asks nothing twice", async () => {
    const state = copyScenarioState("new-package");
    const first = await runCli(["plan", "--state", state, "--needs", NEEDS, "--now", NOW]);
    expect(first.code, first.stderr).toBe(0);
    expect(requestsIn(join(state, "outbox"))).toEqual(ALL);
    const names = batchFiles(join(state, "outbox"));
    expect(names).toHaveLength(2); // normal and huge
    expect(first.stderr).toContain(join(state, "outbox", names[0]!));
    const entries = ledger(state).requests;
    expect(entries.map((e) => `${e.package} ${e.arch}`).sort()).toEqual(["newpkg amd64", "newpkg arm64", "texlive-base amd64"]);
    expect(entries.every((e) => e.requestedAt === "2026-11-25T12:00:00.000Z" && names.includes(e.batch))).toBe(true);
    expect(ledger(state).batches.sort()).toEqual(names);
    expect(existsSync(join(state, "debci-bridge.lock"))).toBe(false);

    const second = await runCli(["plan", "--state", state, "--needs", NEEDS, "--now", LATER]);
    expect(second.code, second.stderr).toBe(0);
    expect(jsonLines(second.stdout).map((a) => [a.state, a.request, a.held])).toEqual([
      ["pending", null, undefined],
      ["pending", null, undefined],
      ["pending", null, undefined],
    ]);
    expect(batchFiles(join(state, "outbox"))).toEqual(names);
    expect(second.stderr).toContain("no requests written");
  });

  it("keeps in the ledger what a request is, not what britney2 said of the package", async () => {
    // A need's version, versions, testInTarget and again describe the package at the time of asking; the ledger never read them back.
    const state = copyScenarioState("new-package");
    const needs = join(state, "needs-with-facts.jsonl");
    writeFileSync(needs, `${JSON.stringify({ package: "newpkg", trigger: "newpkg/1.0-1", arch: "amd64", version: "1.0-1", versions: ["1.0-1"], testInTarget: false, again: true })}\n`);
    const run = await runCli(["plan", "--state", state, "--needs", needs, "--now", NOW]);
    expect(run.code, run.stderr).toBe(0);
    const requests = ledger(state).requests;
    expect(requests).toHaveLength(1);
    expect(Object.keys(requests[0]!)).toEqual(["suite", "arch", "package", "trigger", "triggers", "pinPackages", "huge", "requestedAt", "batch"]);
  });

  it("writes nothing at all when nothing is needed", async () => {
    const state = copyScenarioState("pass-to-pass");
    const before = snapshotTree(state);
    const run = await runCli(["plan", "--state", state, "--needs", join(SCENARIOS, "pass-to-pass", "needs.jsonl"), "--now", NOW]);
    expect(run.code).toBe(0);
    expect(snapshotTree(state)).toEqual(before);
  });

  it("sends a batch that debci's batch API takes as-is: grouped by suite and arch, with pin-packages", async () => {
    const state = copyScenarioState("new-package");
    await runCli(["plan", "--state", state, "--needs", NEEDS, "--now", NOW]);
    const names = batchFiles(join(state, "outbox"));
    const normal = names.find((n) => !n.endsWith(".huge.json"));
    const huge = names.find((n) => n.endsWith(".huge.json"));
    expect(normal).toMatch(/^20261125T120000Z-[0-9a-f]{8}\.json$/);
    expect(huge).toBe(normal!.replace(".json", ".huge.json"));
    expect(JSON.parse(readFileSync(join(state, "outbox", normal!), "utf8"))).toEqual([
      { suite: "testing", arch: ["amd64"], tests: [{ package: "newpkg", trigger: "newpkg/1.0-1", "pin-packages": [["src:newpkg", "unstable"]] }] },
      { suite: "testing", arch: ["arm64"], tests: [{ package: "newpkg", trigger: "newpkg/1.0-1", "pin-packages": [["src:newpkg", "unstable"]] }] },
    ]);
    expect(JSON.parse(readFileSync(join(state, "outbox", huge!), "utf8"))).toEqual([
      { suite: "testing", arch: ["amd64"], tests: [{ package: "texlive-base", trigger: "newpkg/1.0-1", "pin-packages": [] }] },
    ]);
  });

  it("requests a key once even when britney2 names it twice, with the full trigger string", async () => {
    const state = copyScenarioState("new-package");
    const needs = [
      { package: "baz", trigger: "glibc/2.41-7 gcc-14/14.2.0-5", arch: "amd64" },
      { package: "baz", trigger: "glibc/2.41-7", arch: "amd64" },
    ];
    const run = await runCli(["plan", "--state", state, "--needs", "-", "--now", NOW], JSON.stringify(needs));
    // Each answer names the trigger string it was asked with; the key is its first word.
    expect(jsonLines(run.stdout).map((a) => [a.trigger, a.request, a.held])).toEqual([
      ["glibc/2.41-7 gcc-14/14.2.0-5", "missing", undefined],
      ["glibc/2.41-7", null, "duplicate"],
    ]);
    expect(requestsIn(join(state, "outbox"))).toEqual(["baz glibc/2.41-7 gcc-14/14.2.0-5 amd64"]);
  });
});

describe("a crash during commit (the process is killed for real)", () => {
  it.each(["after-batch", "after-ledger-temp"])("at %s: the next run repairs the ledger and neither loses nor doubles a request", async (point) => {
    const state = copyScenarioState("new-package");
    const crashed = await spawnCli(["plan", "--state", state, "--needs", NEEDS, "--now", NOW], { DEBCI_BRIDGE_CRASH_AT: point });
    expect(crashed.signal).toBe("SIGKILL");
    expect(requestsIn(join(state, "outbox"))).toEqual(ALL);
    expect(existsSync(join(state, "requested.json"))).toBe(false);
    expect(existsSync(join(state, "debci-bridge.lock"))).toBe(true); // left by the dead process

    const next = await spawnCli(["plan", "--state", state, "--needs", NEEDS, "--now", LATER]);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toMatch(/ledger did not record 2 batch\(es\)/);
    expect(jsonLines(next.stdout).map((a) => a.state)).toEqual(["pending", "pending", "pending"]);
    expect(requestsIn(join(state, "outbox"))).toEqual(ALL); // nothing doubled
    expect(ledger(state).requests).toHaveLength(3); // nothing lost
    expect(ledger(state).requests.every((e) => e.requestedAt === "2026-11-25T12:00:00.000Z")).toBe(true);

    // The dead writer's temporary file is cleared away by the committing run.
    expect(readdirSync(state).filter((n) => n.endsWith(".tmp"))).toEqual([]);
    // Repaired once: the run after that has nothing to fold in.
    const third = await runCli(["plan", "--state", state, "--needs", NEEDS, "--now", LATER]);
    expect(third.stderr).not.toMatch(/ledger did not record/);
  });

  it("after the ledger: the next run takes over the dead run's lock and asks for nothing again", async () => {
    const state = copyScenarioState("new-package");
    const crashed = await spawnCli(["plan", "--state", state, "--needs", NEEDS, "--now", NOW], { DEBCI_BRIDGE_CRASH_AT: "after-ledger" });
    expect(crashed.signal).toBe("SIGKILL");
    const next = await spawnCli(["plan", "--state", state, "--needs", NEEDS, "--now", LATER]);
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toContain("no requests written");
    expect(requestsIn(join(state, "outbox"))).toEqual(ALL);
  });

  it("leaves no half-written file where a reader looks", async () => {
    const state = copyScenarioState("new-package");
    await spawnCli(["plan", "--state", state, "--needs", NEEDS, "--now", NOW], { DEBCI_BRIDGE_CRASH_AT: "after-ledger-temp" });
    const visible = readdirSync(state).filter((n) => !n.startsWith("."));
    expect(visible.sort()).toEqual(["debci-bridge.json", "debci-bridge.lock", "outbox", "pending.json"]); // the scenario's settings, and no ledger
    for (const name of batchFiles(join(state, "outbox"))) expect(() => JSON.parse(readFileSync(join(state, "outbox", name), "utf8"))).not.toThrow();
  });
});

describe("the ledger", () => {
  it("drops requests once a run answered them, and batch names no longer on disk", async () => {
    const state = copyScenarioState("new-package");
    await runCli(["plan", "--state", state, "--needs", NEEDS, "--now", NOW]);
    const answering = { run_id: 77, trigger: "newpkg/1.0-1", package: "newpkg", arch: "amd64", suite: "testing", version: "1.0-1", status: "pass", created_at: "2026-11-25T12:10:00Z", updated_at: "2026-11-25T12:40:00Z" };
    mkdirSync(join(state, "results"));
    writeFileSync(join(state, "results", "later.json"), JSON.stringify({ results: [answering] }));
    const [huge, normal] = batchFiles(join(state, "outbox"));
    mkdirSync(join(state, "outbox", "sent"));
    renameSync(join(state, "outbox", normal!), join(state, "outbox", "sent", normal!)); // sent by the submit tool
    rmSync(join(state, "outbox", huge!)); // sent, and expired by the submit side's retention
    const extra = JSON.stringify({ package: "other", trigger: "newpkg/1.0-1", arch: "amd64" });
    const run = await runCli(["plan", "--state", state, "--needs", "-", "--now", LATER], extra);
    expect(run.code, run.stderr).toBe(0);
    const after = ledger(state);
    expect(after.requests.map((e) => `${e.package} ${e.arch}`).sort()).toEqual(["newpkg arm64", "other amd64", "texlive-base amd64"]);
    expect(after.batches).toContain(normal);
    expect(after.batches).not.toContain(huge);
    expect(after.batches).toHaveLength(2);
  });


  it("is never overwritten by a committing run when it cannot be read", async () => {
    const state = copyScenarioState("fail-then-pending-rerun");
    writeFileSync(join(state, "requested.json"), '{"format": "debci-bridge-ledger/1", "batches": [');
    const before = snapshotTree(state);
    const run = await runCli(["plan", "--state", state, "--needs", NEEDS, "--now", NOW]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(join(state, "requested.json"));
    expect(run.stderr).toContain("will not overwrite it");
    expect(snapshotTree(state)).toEqual(before);
  });
});
