import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { spawnCli } from "./support/cli.js";
import { requestsIn } from "./support/outbox.js";
import { ServeClient } from "./support/serve-client.js";
import { SCENARIOS, copyScenarioState, snapshotTree, tempDir } from "./support/temp-state.js";

const NOW = "2026-11-25T12:00:00Z";
const G = "glibc/2.41-7";

describe("debci-bridge serve", () => {
  it("answers status, need, baseline and label one line at a time, then commits", async () => {
    const state = copyScenarioState("pass-to-fail");
    const server = new ServeClient(["--state", state, "--now", NOW]);
    expect(await server.call(1, "status", { package: "baz", trigger: G, arch: "amd64" })).toMatchObject({ id: 1, result: { state: "fail", runId: 202, label: "REGRESSION", baseline: "pass" } });
    expect(await server.call(2, "baseline", { package: "qux", arch: "amd64" })).toEqual({ id: 2, result: { suite: "testing", arch: "amd64", package: "qux", mode: "reference", state: "fail", result: "FAIL", runId: 206, trigger: "migration-reference/0", updatedAt: "2026-11-09T08:00:00.000Z" } });
    expect(await server.call(3, "label", { package: "qux", trigger: G, arch: "amd64" })).toEqual({ id: 3, result: { label: "ALWAYSFAIL", state: "fail", baseline: "fail" } });
    expect(await server.call(4, "need", { package: "baz", trigger: G, arch: "arm64" })).toMatchObject({ id: 4, result: { state: "fail", request: "retry", label: "REGRESSION" } });
    const commit = await server.call(5, "commit");
    expect(commit).toMatchObject({ id: 5, result: { requests: 1, outbox: join(state, "outbox") } });
    expect(await server.call(6, "need", { package: "baz", trigger: G, arch: "amd64" })).toEqual({ id: 6, error: { message: "need: this session has already committed" } });
    expect(await server.end()).toBe(0);
    expect(requestsIn(join(state, "outbox"))).toEqual(["baz glibc/2.41-7 arm64"]);
  });

  it("answers a malformed line with an error (with its id when it can be read) and keeps serving", async () => {
    const server = new ServeClient(["--state", copyScenarioState("pass-to-pass"), "--now", NOW]);
    expect(await server.sendRaw("{not json")).toEqual({ id: null, error: { message: expect.stringMatching(/^line 1: not valid JSON/) } });
    expect(await server.sendRaw('{"id": 7, "method": "fly"}')).toEqual({ id: 7, error: { message: 'unknown method "fly"' } });
    expect(await server.sendRaw('{"id": "x", "params": {}}')).toEqual({ id: "x", error: { message: 'line 3: expected {"id", "method", "params"} with a string method' } });
    expect(await server.sendRaw('[1, 2]')).toEqual({ id: null, error: { message: 'line 4: expected {"id", "method", "params"} with a string method' } });
    expect(await server.call(9, "status", { package: "baz", arch: "amd64" })).toEqual({ id: 9, error: { message: expect.stringMatching(/^status: params.trigger: Invalid input/) } });
    expect(await server.call(10, "need", { package: "baz", trigger: G, arch: "amd64", pin_packages: [] })).toEqual({ id: 10, error: { message: 'need: params: Unrecognized key: "pin_packages"' } });
    expect(await server.call(11, "status", { package: "baz", trigger: G, arch: "amd64" })).toMatchObject({ id: 11, result: { state: "pass" } });
    expect(await server.end()).toBe(0);
  });

  it("writes nothing when its input ends without commit, and holds the lock while it serves", async () => {
    const state = copyScenarioState("new-package");
    const before = snapshotTree(state);
    const server = new ServeClient(["--state", state, "--now", NOW]);
    expect(await server.call(1, "need", { package: "newpkg", trigger: "newpkg/1.0-1", arch: "amd64" })).toMatchObject({ result: { request: "missing" } });
    const second = await spawnCli(["plan", "--state", state, "--needs", join(SCENARIOS, "new-package", "needs.jsonl"), "--now", NOW]);
    expect(second.code).toBe(2);
    expect(second.stderr).toContain(`locked by pid ${server.child.pid}`);
    expect(await server.end()).toBe(0);
    expect(server.stderr).toContain("input ended without commit: nothing written");
    expect(snapshotTree(state)).toEqual(before);
    expect(existsSync(join(state, "debci-bridge.lock"))).toBe(false);
  });

  it("keeps order when thousands of requests arrive at once, and reports", async () => {
    const scratch = tempDir();
    const server = new ServeClient(["--state", copyScenarioState("multi-trigger"), "--now", NOW, "--scratch", scratch]);
    const responses = Promise.all(Array.from({ length: 3000 }, (_, i) => server.call(i, "need", { package: `p${i % 100}`, trigger: G, arch: "amd64" })));
    const all = await responses;
    expect(all.map((r) => r.id)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
    expect(all.filter((r) => (r.result as { request: string | null }).request === "missing")).toHaveLength(100);
    expect(await server.call(5000, "report")).toMatchObject({ id: 5000, result: { runs: { total: 2 } } });
    await server.call(5001, "commit");
    await server.end();
    expect(requestsIn(scratch)).toHaveLength(100);
  });

  it("exits 2 with the holder named when the lock is taken, before reading anything", async () => {
    const state = copyScenarioState("new-package");
    const holder = new ServeClient(["--state", state, "--now", NOW]);
    await holder.call(1, "report");
    const second = new ServeClient(["--state", state, "--now", NOW]);
    expect(await second.exited).toBe(2);
    expect(second.stderr).toMatch(/locked by pid \d+/);
    await holder.end();
  });
});
