import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openSession, LockHeldError, InputError } from "../src/index.js";
import { requestsIn } from "./support/outbox.js";
import { copyScenarioState, snapshotTree, tempDir } from "./support/temp-state.js";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const need = (pkg: string, trigger: string, arch = "amd64") => ({ suite: "testing", arch, package: pkg, trigger: trigger.split(" ")[0]!, triggers: trigger, pinPackages: [], huge: false });

describe("the library, as britney2's policy code embeds it", () => {
  it("answers keys, gives the baseline, registers needs and commits", async () => {
    const state = copyScenarioState("pass-to-fail");
    const session = await openSession({ stateDir: state, mode: "commit", now: NOW });
    expect(session.settings.retryOlderThanMs).toBe(7 * 86_400_000); // from the state's debci-bridge.json
    expect(session.answer({ package: "baz", trigger: "glibc/2.41-7", arch: "amd64" })).toMatchObject({ state: "fail", runId: 202 });
    expect(session.baseline("amd64", "baz")).toEqual({ suite: "testing", arch: "amd64", package: "baz", mode: "reference", state: "pass", result: "PASS", runId: 201, trigger: "migration-reference/0", updatedAt: "2026-11-20T10:00:00.000Z" });
    expect(session.baseline("amd64", "qux")).toMatchObject({ state: "fail" });
    expect(session.need(need("baz", "glibc/2.41-7", "arm64"))).toMatchObject({ state: "fail", request: "retry" });
    const result = await session.commit();
    expect(result).toMatchObject({ requests: 1, outbox: join(state, "outbox") });
    expect(requestsIn(join(state, "outbox"))).toEqual(["baz glibc/2.41-7 arm64"]);
  });

  it("settings passed in override the state's file", async () => {
    const state = copyScenarioState("pass-to-fail");
    const session = await openSession({ stateDir: state, mode: "read-only", now: NOW, settings: { retryOlderThanDays: null, graceMinutes: 5 } });
    expect(session.settings).toMatchObject({ retryOlderThanMs: null, graceMs: 5 * 60_000, suite: "testing" });
    expect(session.need(need("baz", "glibc/2.41-7", "arm64")).request).toBeNull();
    await expect(session.commit()).rejects.toThrow(/read-only/);
  });

  it("holds the lock from open to commit, so a second committing session is refused", async () => {
    const state = copyScenarioState("new-package");
    const first = await openSession({ stateDir: state, mode: "commit", now: NOW, command: "britney2 run 1" });
    const second = openSession({ stateDir: state, mode: "commit", now: NOW });
    await expect(second).rejects.toBeInstanceOf(LockHeldError);
    await expect(second).rejects.toThrow(/britney2 run 1/);
    await first.close();
    const third = await openSession({ stateDir: state, mode: "commit", now: NOW });
    await third.close();
  });

  it("closing without commit writes nothing", async () => {
    const state = copyScenarioState("new-package");
    const before = snapshotTree(state);
    const session = await openSession({ stateDir: state, mode: "commit", now: NOW });
    session.need(need("newpkg", "newpkg/1.0-1"));
    await session.close();
    expect(snapshotTree(state)).toEqual(before);
  });

  it("scratch mode needs a scratch directory and leaves the state alone", async () => {
    const state = copyScenarioState("new-package");
    await expect(openSession({ stateDir: state, mode: "scratch", now: NOW })).rejects.toBeInstanceOf(InputError);
    const scratch = tempDir();
    const before = snapshotTree(state);
    const session = await openSession({ stateDir: state, mode: "scratch", scratchDir: scratch, now: NOW });
    session.need(need("newpkg", "newpkg/1.0-1"));
    await session.commit();
    expect(requestsIn(scratch)).toEqual(["newpkg newpkg/1.0-1 amd64"]);
    expect(snapshotTree(state)).toEqual(before);
  });

  it("individual paths can be overridden", async () => {
    const state = copyScenarioState("pass-to-pass");
    const elsewhere = copyScenarioState("pass-to-fail");
    const session = await openSession({ stateDir: state, paths: { results: join(elsewhere, "results") }, mode: "read-only", now: NOW });
    expect(session.answer({ package: "baz", trigger: "glibc/2.41-7", arch: "amd64" })).toMatchObject({ state: "fail", runId: 202 });
  });

  it("a missing state directory is an error naming it, an empty one a fresh state", async () => {
    const missing = join(tempDir(), "does-not-exist");
    await expect(openSession({ stateDir: missing, mode: "read-only", now: NOW })).rejects.toThrow(`state directory ${missing}: no such directory`);
    const session = await openSession({ stateDir: tempDir(), mode: "read-only", now: NOW });
    expect(session.answer({ package: "baz", trigger: "glibc/2.41-7", arch: "amd64" }).state).toBe("missing");
  });
});
