import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { batchFiles } from "./support/outbox.js";
import { T0, jobsPerKey, states, syncWorld } from "./support/sync-harness.js";

const w = syncWorld();

/** The new-package scenario's three keys, each once: what exactly-once delivery leaves at the service. */
const ONCE_EACH = { "testing/amd64 newpkg newpkg/1.0-1": 1, "testing/arm64 newpkg newpkg/1.0-1": 1, "testing/amd64 texlive-base newpkg/1.0-1": 1 };
const sending = () => (existsSync(join(w.state, "outbox", "sending")) ? readdirSync(join(w.state, "outbox", "sending")) : []);

describe("submit delivers exactly once through a POST that is not idempotent", () => {
  it("an answer lost after debci created the jobs (connection reset): asks what exists, sends nothing twice", async () => {
    await w.plan(0);
    w.fake.inject("handle-then-reset", "/api/v1/test/testing/");
    const run = await w.submit(1);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/the answer is not known/);
    expect(run.stderr).toMatch(/already created by an earlier attempt/);
    expect(jobsPerKey(w.fake.jobs)).toEqual(ONCE_EACH);
    expect(w.fake.log.some((l) => l.line.startsWith("GET /api/v1/test?since="))).toBe(true);
    expect(batchFiles(join(w.state, "outbox"))).toEqual([]);
    expect(sending()).toEqual([]);
  });

  it.each([
    ["a proxy's 500 after debci wrote the rows", "handle-then-500" as const, false],
    ["no answer at all after debci wrote the rows (the attempt times out)", "handle-then-hang" as const, false],
    ["debci's own 500 with its broker down (rows written, never queued: they never run, and pending-too-long heals them)", "broker-down" as const, true],
  ])("%s: found, not doubled", async (_what, fault, neverRun) => {
    await w.plan(0);
    w.fake.inject(fault, "/api/v1/test/testing/", 3);
    const run = await w.submit(1);
    expect(run.code, run.stderr).toBe(0);
    expect(jobsPerKey(w.fake.jobs)).toEqual(ONCE_EACH);
    expect(w.fake.jobs.every((j) => j.lostByWorker === true)).toBe(neverRun);
  });

  it("a POST answered for one suite and arch, then lost for the next: only the unanswered part is checked and sent", async () => {
    await w.plan(0);
    w.fake.inject("handle-then-reset", "/api/v1/test/testing/arm64");
    const run = await w.submit(1);
    expect(run.code, run.stderr).toBe(0);
    expect(jobsPerKey(w.fake.jobs)).toEqual(ONCE_EACH);
    expect(w.fake.posts.filter((p) => p.arch === "arm64").map((p) => p.created)).toEqual([1]); // the lost one made its job; nothing after it
  });

  it("the service down while the answer is unknown: the batch stays, marked; the next run heals it with no duplicate", async () => {
    await w.plan(0);
    w.fake.inject("handle-then-reset", "/api/v1/test/testing/");
    w.fake.inject("500", "/api/v1/test", 100); // everything after the reset fails, the check included
    const down = await w.submit(1);
    expect(down.code).toBe(3);
    expect(batchFiles(join(w.state, "outbox"))).toHaveLength(2); // nothing lost
    expect(sending()).toHaveLength(1);
    const mark = JSON.parse(readFileSync(join(w.state, "outbox", "sending", sending()[0]!), "utf8"));
    expect(mark).toEqual({ firstAttemptAt: new Date(T0 + 60_000).toISOString(), attempts: 1, endpoint: "suite" });
    // The plan in between still counts the batch as unsent: nothing is asked twice.
    expect(states(await w.plan(2))).toEqual(["newpkg/amd64: pending", "newpkg/arm64: pending", "texlive-base/amd64: pending"]);

    w.fake.clearFaults();
    const healed = await w.submit(30);
    expect(healed.code, healed.stderr).toBe(0);
    expect(jobsPerKey(w.fake.jobs)).toEqual(ONCE_EACH);
    expect(sending()).toEqual([]);
    w.fake.now = T0 + 60 * 60_000;
    w.fake.finish(() => true, "pass");
    await w.fetchAt(65);
    expect(states(await w.plan(70))).toEqual(["newpkg/amd64: pass", "newpkg/arm64: pass", "texlive-base/amd64: pass"]);
  });

  it("a wrong key: exit 5, nothing moved, no mark left behind (nothing can have been created)", async () => {
    await w.plan(0);
    w.writeKey("0000-not-the-key");
    const run = await w.submit(1);
    expect(run.code).toBe(5);
    expect(batchFiles(join(w.state, "outbox"))).toHaveLength(2);
    expect(sending()).toEqual([]);
    expect(w.fake.jobs).toEqual([]);
  });

  it("an unreadable mark still means 'maybe sent': the check reaches back a day rather than trusting nothing was made", async () => {
    await w.plan(0);
    const crashed = await w.spawn(["submit", "--state", w.state, "--now", new Date(T0 + 60_000).toISOString(), ...w.http()], { DEBCI_BRIDGE_CRASH_AT: "submit-after-post" });
    expect(crashed.signal).toBe("SIGKILL");
    const [mark] = sending();
    writeFileSync(join(w.state, "outbox", "sending", mark!), "{not json");
    const again = await w.submit(2);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/is not a valid mark/);
    expect(jobsPerKey(w.fake.jobs)).toEqual(ONCE_EACH);
  });
});

describe("--endpoint batch", () => {
  it("against debci 3.1-3.6, whose batch route fails every non-empty batch with a 500: exit 3, nothing lost, nothing created", async () => {
    await w.plan(0);
    const run = await w.submit(1, ["--endpoint", "batch"]);
    expect(run.code).toBe(3);
    expect(w.fake.jobs).toEqual([]);
    expect(w.fake.posts.every((p) => p.route === "batch" && p.status === 500)).toBe(true);
    expect(batchFiles(join(w.state, "outbox"))).toHaveLength(2);
    // The default route then delivers what the batch route could not, once (the marks' checks find nothing made).
    const fixed = await w.submit(2);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(jobsPerKey(w.fake.jobs)).toEqual(ONCE_EACH);
  });

  it("on a service where the batch route works: one POST a batch, its priority, debci's refusal isolated", async () => {
    w.fake.batchRouteWorks = true;
    await w.plan(0);
    const run = await w.submit(1, ["--endpoint", "batch"]);
    expect(run.code, run.stderr).toBe(0);
    expect(w.fake.posts.map((p) => `${p.route} ${p.priority} ${p.status}`).sort()).toEqual(["batch 1 201", "batch 5 201"]);
    expect(jobsPerKey(w.fake.jobs)).toEqual(ONCE_EACH);
  });

  it("an unknown endpoint is a usage error naming the choices", async () => {
    const run = await w.submit(1, ["--endpoint", "bulk"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--endpoint takes suite .* or batch/);
  });
});
