import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseHints, verdictFor } from "../src/core/hints.js";
import { openSession } from "../src/index.js";
import { jsonLines, runCli } from "./support/cli.js";
import { requestsIn } from "./support/outbox.js";
import { ServeClient } from "./support/serve-client.js";
import { copyScenarioState, snapshotTree, tempDir } from "./support/temp-state.js";

const NOW = Date.parse("2026-11-25T12:00:00Z");
const ISO = "2026-11-25T12:00:00Z";
const need = (pkg: string, trigger: string, arch = "amd64", extra: Record<string, unknown> = {}) => ({ suite: "testing", arch, package: pkg, trigger: trigger.split(" ")[0]!, triggers: trigger, pinPackages: [], huge: false, ...extra });

describe("the protocol a britney2 maintainer leans on", () => {
  it("preview answers and says whether it would request, registering nothing; reject-listed is told apart from unknown", async () => {
    const state = copyScenarioState("reject-listed");
    const session = await openSession({ stateDir: state, mode: "scratch", scratchDir: tempDir(), now: NOW });
    expect(session.preview(need("newthing", "glibc/2.41-7"))).toMatchObject({ state: "missing", request: "missing", label: "RUNNING" });
    expect(session.preview(need("badpkg", "glibc/2.41-7"))).toMatchObject({ state: "missing", request: null, held: "rejected", label: null, noLabel: "reject-listed" });
    // A key never seen, asked by status: no label, and said why.
    expect(session.describe({ package: "newthing", trigger: "glibc/2.41-7", arch: "amd64" })).toMatchObject({ label: null, noLabel: "not-requested" });
    expect(session.describe({ package: "badpkg", trigger: "glibc/2.41-7", arch: "amd64" })).toMatchObject({ label: null, noLabel: "reject-listed" });
    const committed = await session.commit();
    expect(committed.requests).toBe(0); // preview registered nothing
  });

  it("asks again for a key that has a result (britney2's retry), once, recorded in the ledger, never while in flight", async () => {
    const state = copyScenarioState("pass-to-pass");
    const first = await openSession({ stateDir: state, mode: "commit", now: NOW });
    expect(first.need(need("baz", "glibc/2.41-7", "amd64", { again: true }))).toMatchObject({ state: "pass", request: "again", label: "PASS" });
    expect(first.need(need("baz", "glibc/2.41-7", "amd64", { again: true }))).toMatchObject({ request: null, held: "duplicate" });
    await first.commit();
    expect(requestsIn(join(state, "outbox"))).toEqual(["baz glibc/2.41-7 amd64"]);
    expect(JSON.parse(readFileSync(join(state, "requested.json"), "utf8")).requests).toEqual([expect.objectContaining({ package: "baz", trigger: "glibc/2.41-7" })]);
    const second = await openSession({ stateDir: state, mode: "read-only", now: NOW + 60_000 });
    // Still waiting in the outbox: in flight, so not asked twice, and the pass still shows.
    expect(second.need(need("baz", "glibc/2.41-7", "amd64", { again: true }))).toMatchObject({ state: "pass", inFlight: true, request: null, label: "PASS" });
  });

  it("names the full trigger string everywhere, takes pin-packages as debci spells it, and gives the baseline's time", async () => {
    const state = copyScenarioState("pass-to-fail");
    const run = await runCli(["plan", "--state", state, "--needs", "-", "--now", ISO, "--scratch", tempDir()], JSON.stringify({ package: "baz", trigger: "glibc/2.41-7 gcc-14/14.2.0-5", arch: "arm64", "pin-packages": [["src:glibc,src:gcc-14", "unstable"]] }));
    expect(run.code, run.stderr).toBe(0);
    expect(jsonLines(run.stdout)[0]).toMatchObject({ trigger: "glibc/2.41-7 gcc-14/14.2.0-5" });
    const both = await runCli(["plan", "--state", state, "--needs", "-", "--now", ISO], JSON.stringify({ package: "baz", trigger: "glibc/2.41-7", arch: "amd64", "pin-packages": [], pinPackages: [] }));
    expect(both.code).toBe(1);
    expect(both.stderr).toContain("give pin-packages once");
    const server = new ServeClient(["--state", state, "--now", ISO, "--scratch", tempDir()]);
    expect(await server.call(1, "baseline", { package: "baz", arch: "amd64" })).toMatchObject({ result: { result: "PASS", runId: 201, updatedAt: "2026-11-20T10:00:00.000Z" } });
    expect(await server.call(2, "status", { package: "baz", trigger: "glibc/2.41-7 gcc-14/14.2.0-5", arch: "amd64" })).toMatchObject({ result: { trigger: "glibc/2.41-7 gcc-14/14.2.0-5", state: "fail", label: "REGRESSION" } });
    expect(await server.end()).toBe(0);
  });

  it("serve: preview and verdict, with force-skiptest from a hints file", async () => {
    const state = copyScenarioState("pass-to-fail");
    const before = snapshotTree(state);
    const hints = join(tempDir(), "freeze");
    // a britney2 hints file: comments, another team's hint, ours, then `finished`
    writeFileSync(hints, "# skiptest for glibc\nurgent glibc/2.41-7\nforce-skiptest glibc/2.41-7\nfinished\nforce-skiptest baz/9\n");
    const server = new ServeClient(["--state", state, "--now", ISO, "--scratch", tempDir(), "--hints", hints]);
    expect(await server.call(1, "preview", { package: "baz", trigger: "glibc/2.41-7", arch: "arm64" })).toMatchObject({ result: { state: "fail", request: "retry", label: "REGRESSION" } });
    expect(await server.call(2, "verdict", { trigger: "glibc/2.41-7", labels: ["PASS", "REGRESSION"] })).toEqual({ id: 2, result: { verdict: "PASS_HINTED", hintedBy: "freeze" } });
    expect(await server.call(3, "verdict", { trigger: "gcc-14/14.2.0-5", labels: ["PASS", "RUNNING", null] })).toEqual({ id: 3, result: { verdict: "REJECTED_TEMPORARILY" } });
    expect(await server.call(4, "commit")).toMatchObject({ result: { requests: 0 } }); // preview registered nothing
    expect(await server.end()).toBe(0);
    expect(snapshotTree(state)).toEqual(before);
  });
});

describe("britney2's hints and verdicts", () => {
  it("parses hints files as britney2 does", () => {
    const { hints, problems } = parseHints("# c\n\nforce-badtest a/1.0 b/amd64/2.0 c/all\nforce-skiptest d/3\nhint x/1\nforce-badtest\nforce-badtest nover\nfinished\nforce-badtest late/1\n", "elbrus");
    expect(hints).toEqual([
      { type: "force-badtest", package: "a", arch: "source", version: "1.0", user: "elbrus" },
      { type: "force-badtest", package: "b", arch: "amd64", version: "2.0", user: "elbrus" },
      { type: "force-badtest", package: "c", arch: "source", version: "all", user: "elbrus" },
      { type: "force-skiptest", package: "d", arch: "source", version: "3", user: "elbrus" },
    ]);
    expect(problems).toEqual(["elbrus line 6: force-badtest needs at least one package", 'elbrus line 7: "nover" is not PACKAGE/VERSION or PACKAGE/ARCH/VERSION']);
  });

  it("decides the verdict as apply_src_policy_impl does", () => {
    expect(verdictFor(["PASS", "OLD_PASS", "NEUTRAL", "ALWAYSFAIL", "IGNORE-FAIL", "RUNNING-ALWAYSFAIL", null], undefined)).toEqual({ verdict: "PASS" });
    expect(verdictFor(["RUNNING-REFERENCE"], undefined)).toEqual({ verdict: "REJECTED_TEMPORARILY" });
    expect(verdictFor(["RUNNING", "REGRESSION"], undefined)).toEqual({ verdict: "REJECTED_PERMANENTLY" });
  });
});
