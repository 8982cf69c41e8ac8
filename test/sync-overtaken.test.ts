import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { NEEDS, T0, jobsPerKey, states, syncWorld } from "./support/sync-harness.js";
import { tempDir } from "./support/temp-state.js";

/**
 * Overtaken means lost, through the whole loop: debci (lib/debci/amqp.rb,
 * one queue per arch with x-max-priority; bin/debci-worker, amqp-consume
 * --prefetch-count 1) takes each arch's jobs by priority and then age, so
 * once jobs of ours created after a waiting one have finished, and the
 * longest a run takes has passed, the waiting one was dropped: debci keeps
 * listing such a job as queued for ever (the fake's loseJobs).
 */
const w = syncWorld();
const HOUR = 60;

/** The new-package needs, and four more tests on testing/amd64 of another upload, asked for later. */
function needsWithLaterUpload(): string {
  const later = ["p1", "p2", "p3", "p4"].map((pkg) => JSON.stringify({ package: pkg, trigger: "other/2.0-1", arch: "amd64" }));
  const path = join(tempDir(), "needs.jsonl");
  writeFileSync(path, `${readFileSync(NEEDS, "utf8").trimEnd()}\n${later.join("\n")}\n`);
  return path;
}

describe("a job the CI side dropped is found by being overtaken", () => {
  it("is asked for again, with its own reason, once three later jobs on its suite and arch have finished and the longest run has passed", async () => {
    await w.plan(0);
    await w.submit(1);
    // newpkg/amd64 (a normal request) and texlive-base/amd64 (a huge one) are dropped; arm64 runs.
    w.fake.loseJobs((j) => j.arch === "amd64");
    w.fake.now = T0 + HOUR * 60_000;
    w.fake.finish((j) => j.arch === "arm64", "pass");
    const needs = needsWithLaterUpload();
    expect(states(await w.plan(2 * HOUR, needs)).slice(3)).toEqual(["p1/amd64: missing (asked: missing)", "p2/amd64: missing (asked: missing)", "p3/amd64: missing (asked: missing)", "p4/amd64: missing (asked: missing)"]);
    expect((await w.submit(2 * HOUR + 1)).code).toBe(0);
    w.fake.now = T0 + 3 * HOUR * 60_000;
    w.fake.finish((j) => j.trigger === "other/2.0-1", "pass");

    // Overtaken, but a run may take up to six hours: the dropped job could still be running.
    expect((await w.fetchAt(3 * HOUR + 5)).code).toBe(0);
    expect(states((await w.plan(3 * HOUR + 6, needs)).slice(0, 3))).toEqual(["newpkg/amd64: pending", "newpkg/arm64: pass", "texlive-base/amd64: pending"]);
    // The ledger keeps a request open while its run waits (that is how the rule knows which queue it waits in);
    // answered ones go.
    const ledger = JSON.parse(readFileSync(join(w.state, "requested.json"), "utf8")) as { requests: Array<{ package: string; arch: string }> };
    expect(ledger.requests.map((r) => `${r.package}/${r.arch}`)).toEqual(["newpkg/amd64", "texlive-base/amd64"]);
    expect((await w.fetchAt(8 * HOUR + 59)).code).toBe(0);
    expect(states((await w.plan(9 * HOUR - 1, needs)).slice(0, 3))).toEqual(["newpkg/amd64: pending", "newpkg/arm64: pass", "texlive-base/amd64: pending"]);

    // Six hours after the third later job finished: lost, overtaken, asked again. The huge one waits behind
    // every normal job by design: only later huge jobs overtake it, and there are none.
    expect((await w.fetchAt(9 * HOUR + 5)).code).toBe(0);
    const dropped = w.fake.jobs.find((j) => j.package === "newpkg" && j.arch === "amd64")!;
    const answers = await w.plan(9 * HOUR + 6, needs);
    expect(states(answers.slice(0, 3))).toEqual(["newpkg/amd64: missing (asked: overtaken)", "newpkg/arm64: pass", "texlive-base/amd64: pending"]);
    expect(answers[0]).toMatchObject({ state: "missing", inFlight: false, lost: true, overtaken: dropped.run_id, label: "RUNNING" });
    expect((await w.submit(9 * HOUR + 7)).code).toBe(0);
    expect(jobsPerKey(w.fake.jobs)["testing/amd64 newpkg newpkg/1.0-1"]).toBe(2);

    // The new request is in flight: asked once, however often plan runs, while the old job stays listed.
    expect((await w.fetchAt(9 * HOUR + 20)).code).toBe(0);
    const after = await w.plan(9 * HOUR + 21, needs);
    expect(after[0]).toMatchObject({ state: "pending", inFlight: true, lost: false, request: null });
    expect(after[0]!.overtaken).toBeUndefined();

    // The dropped job runs after all: a result like any other.
    w.fake.now = T0 + 10 * HOUR * 60_000;
    dropped.lostByWorker = false;
    w.fake.finish((j) => j.run_id === dropped.run_id, "pass");
    expect((await w.fetchAt(10 * HOUR + 5)).code).toBe(0);
    expect((await w.plan(10 * HOUR + 6, needs))[0]).toMatchObject({ state: "pass", runId: dropped.run_id, lost: false });
    const report = JSON.parse((await w.cli(["report", "--state", w.state, "--now", new Date(T0 + (10 * HOUR + 7) * 60_000).toISOString()])).stdout);
    expect(report.requests.lost.count).toBe(0);
  });

  it("an arch whose workers are all down overtakes nothing", async () => {
    await w.plan(0);
    await w.submit(1);
    w.fake.loseJobs((j) => j.package === "newpkg" && j.arch === "amd64");
    const needs = needsWithLaterUpload();
    await w.plan(2 * HOUR, needs);
    await w.submit(2 * HOUR + 1);
    // Nothing on amd64 ever finishes: two days on, everything there is still pending and nothing is asked twice.
    expect((await w.fetchAt(48 * HOUR)).code).toBe(0);
    const answers = await w.plan(48 * HOUR + 1, needs);
    expect(answers.filter((a) => a.arch === "amd64").map((a) => `${a.package}: ${a.state} ${a.request}`)).toEqual(["newpkg: pending null", "texlive-base: pending null", "p1: pending null", "p2: pending null", "p3: pending null", "p4: pending null"]);
    expect(Object.values(jobsPerKey(w.fake.jobs)).every((n) => n === 1)).toBe(true);
  });
});
