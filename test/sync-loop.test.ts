import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { batchFiles, requestsIn } from "./support/outbox.js";
import { T0, at, jobsPerKey, states, syncWorld } from "./support/sync-harness.js";
import { snapshotTree } from "./support/temp-state.js";

const w = syncWorld();
const getsOf = () => w.fake.log.filter((l) => l.line.startsWith("GET /api/v1/test?since=")).map((l) => l.line);

describe("the whole loop against a CI service that behaves as debci", () => {
  it("plan -> submit -> the service runs the jobs -> fetch -> the next run answers pass and fail", async () => {
    expect(states(await w.plan(0))).toEqual(["newpkg/amd64: missing (asked: missing)", "newpkg/arm64: missing (asked: missing)", "texlive-base/amd64: missing (asked: missing)"]);
    const sent = await w.submit(1);
    expect(sent.code, sent.stderr).toBe(0);
    // One POST per suite and arch on debci's per-suite route; the huge batch goes with the lower priority.
    expect(w.fake.posts.map((p) => `${p.route} ${p.suite}/${p.arch} ${p.priority} ${p.status}`).sort()).toEqual(["suite testing/amd64 1 201", "suite testing/amd64 5 201", "suite testing/arm64 5 201"]);
    expect(w.fake.jobs).toHaveLength(3);
    expect(w.fake.jobs.every((j) => j.version === null && j.status === null)).toBe(true); // job.rb: no version until it runs
    expect(batchFiles(join(w.state, "outbox"))).toEqual([]);
    expect(batchFiles(join(w.state, "outbox", "sent"))).toHaveLength(2);

    expect((await w.fetchAt(5)).code).toBe(0);
    expect(JSON.parse(readFileSync(join(w.state, "pending.json"), "utf8")).pending).toHaveLength(3);
    expect(states(await w.plan(10))).toEqual(["newpkg/amd64: pending", "newpkg/arm64: pending", "texlive-base/amd64: pending"]);

    w.fake.now = T0 + 60 * 60_000;
    w.fake.finish((j) => j.arch === "arm64", "fail");
    w.fake.finish(() => true, "pass");
    const fetched = await w.fetchAt(65);
    expect(fetched.code, fetched.stderr).toBe(0);
    const answers = await w.plan(70);
    expect(states(answers)).toEqual(["newpkg/amd64: pass", "newpkg/arm64: fail", "texlive-base/amd64: pass"]);
    // A failure with no reference result asks for the reference run, as britney2 does.
    expect(answers[1]).toMatchObject({ label: "RUNNING-REFERENCE", referenceRequest: "missing" });
    // The first fetch (a fresh state: 30 days back) reaches past the pending window, so one answer serves both;
    // the second asks from the watermark, then for the window.
    expect(getsOf()).toHaveLength(3);
  });

  it("with the service down for a whole cycle, the run answers as the run before and no batch is lost", async () => {
    await w.plan(0);
    await w.submit(1);
    w.fake.now = T0 + 60 * 60_000;
    w.fake.finish(() => true, "fail"); // nothing passes: a reference request goes into the next batch
    await w.fetchAt(65);
    const before = await w.plan(70);
    // Reference runs, all in the normal batch: texlive-base's need is huge, its reference is not (britney2's
    // request_test_if_not_queued(src, arch, REF_TRIG) leaves huge False).
    expect(batchFiles(join(w.state, "outbox"))).toHaveLength(1);
    expect(requestsIn(join(w.state, "outbox"))).toEqual(["newpkg migration-reference/0 amd64", "newpkg migration-reference/0 arm64", "texlive-base migration-reference/0 amd64"]);
    const resultsBefore = snapshotTree(join(w.state, "results"));

    w.fake.inject("500", "/", 100); // down
    const failedSubmit = await w.submit(80);
    expect(failedSubmit.code).toBe(3);
    expect(failedSubmit.stderr).toMatch(/gave up after 3 attempt\(s\): HTTP 500 .*; 1 batch\(es\) kept for the next run/);
    const failedFetch = await w.fetchAt(125);
    expect(failedFetch.code).toBe(3);
    expect(snapshotTree(join(w.state, "results"))).toEqual(resultsBefore);
    const during = await w.plan(130);
    expect(during.map((a) => [a.state, a.outcome, a.runId])).toEqual(before.map((a) => [a.state, a.outcome, a.runId]));
    expect(batchFiles(join(w.state, "outbox"))).toHaveLength(1); // kept, and not asked twice

    w.fake.clearFaults(); // back up
    expect((await w.submit(140)).code).toBe(0);
    expect(batchFiles(join(w.state, "outbox"))).toEqual([]);
    expect(w.fake.jobs.filter((j) => j.trigger === "migration-reference/0")).toHaveLength(3);
  });

  it("a job the CI side lost stays queued there for ever: pending while the snapshot lists it, still in flight once it is older than the window, asked again when pending too long", async () => {
    const DAY = 24 * 60;
    await w.plan(0);
    await w.submit(1);
    w.fake.loseJobs((j) => j.package === "texlive-base");
    w.fake.now = T0 + 60 * 60_000;
    w.fake.finish(() => true, "pass");
    expect((await w.fetchAt(60)).code).toBe(0);
    expect(states(await w.plan(61))).toEqual(["newpkg/amd64: pass", "newpkg/arm64: pass", "texlive-base/amd64: pending"]);
    // Three days later it is still listed (debci never deletes a job): still pending, never asked twice.
    expect((await w.fetchAt(3 * DAY)).code).toBe(0);
    expect(states(await w.plan(3 * DAY + 1))).toEqual(["newpkg/amd64: pass", "newpkg/arm64: pass", "texlive-base/amd64: pending"]);
    // The ledger holds its request open while the job waits, so fetch widens the window back to it: still listed.
    expect((await w.fetchAt(5 * DAY)).code).toBe(0);
    expect(JSON.parse(readFileSync(join(w.state, "pending.json"), "utf8")).since).toBe(new Date(T0 - 15 * 60_000).toISOString());
    expect(states(await w.plan(5 * DAY + 1))).toEqual(["newpkg/amd64: pass", "newpkg/arm64: pass", "texlive-base/amd64: pending"]);
    // With the window capped at 4 days the snapshot no longer looks back to it, and says so (`since`): not lost,
    // still in flight, judged by the pending-too-long rule from when it left the window.
    expect((await w.fetchAt(5 * DAY, ["--pending-window-max", "4"])).code).toBe(0);
    const snapshot = JSON.parse(readFileSync(join(w.state, "pending.json"), "utf8"));
    expect(snapshot.since).toBe(new Date(T0 + (5 - 4) * DAY * 60_000).toISOString());
    expect(snapshot.pending).toEqual([]);
    const fifthDay = await w.plan(5 * DAY + 1);
    expect(states(fifthDay)).toEqual(["newpkg/amd64: pass", "newpkg/arm64: pass", "texlive-base/amd64: pending"]);
    expect(fifthDay[2]).toMatchObject({ lost: false, inFlight: true, pendingSince: new Date(T0 + 60_000).toISOString() });
    // Left the window at 4 days; three days of pending age after that, it is asked again, once.
    expect((await w.fetchAt(7 * DAY + 120, ["--pending-window-max", "4"])).code).toBe(0);
    const next = await w.plan(7 * DAY + 121);
    expect(states(next)).toEqual(["newpkg/amd64: pass", "newpkg/arm64: pass", "texlive-base/amd64: pending (asked: pending-too-long)"]);
    expect(states(await w.plan(7 * DAY + 122))).toEqual(["newpkg/amd64: pass", "newpkg/arm64: pass", "texlive-base/amd64: pending"]);
    await w.submit(7 * DAY + 123);
    expect(w.fake.jobs.filter((j) => j.package === "texlive-base")).toHaveLength(2);
  });

  it("fetch widens the pending window to the oldest open request in the ledger, no further than --pending-window-max", async () => {
    const DAY = 24 * 60;
    await w.plan(0); // three requests at T0, never sent: open
    expect((await w.fetchAt(6 * DAY)).code).toBe(0);
    const widened = Math.floor((T0 - 15 * 60_000) / 1000);
    expect(JSON.parse(readFileSync(join(w.state, "pending.json"), "utf8")).since).toBe(new Date(widened * 1000).toISOString());
    expect((await w.fetchAt(6 * DAY + 10, ["--pending-window-max", "5"])).code).toBe(0);
    const capped = Math.floor((T0 + 10 * 60_000 + DAY * 60_000) / 1000);
    expect(JSON.parse(readFileSync(join(w.state, "pending.json"), "utf8")).since).toBe(new Date(capped * 1000).toISOString());
  });

  it("watermark speaks ISO 8601, and what it prints feeds fetch --since unchanged (UNIX seconds work too)", async () => {
    await w.plan(0);
    await w.submit(1);
    expect((await w.fetchAt(5)).code).toBe(0);
    const mark = JSON.parse((await w.cli(["watermark", "--state", w.state, "--now", at(6)])).stdout) as { since: string; until: string };
    expect(mark.since).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
    const again = await w.fetchAt(10, ["--since", mark.since]);
    expect(again.code, again.stderr).toBe(0);
    expect(getsOf().at(-2)).toBe(`GET /api/v1/test?since=${Date.parse(mark.since) / 1000}`);
    expect(JSON.parse(again.stdout)).toMatchObject({ since: mark.since, sinceFrom: "--since" });
    const seconds = await w.fetchAt(15, ["--since", String(Date.parse(mark.since) / 1000)]);
    expect(seconds.code, seconds.stderr).toBe(0);
    expect(JSON.parse(seconds.stdout)).toMatchObject({ since: mark.since });
  });

  it("a result fetched twice (the watermark's overlap) is counted once", async () => {
    await w.plan(0);
    await w.submit(1);
    w.fake.now = T0 + 30 * 60_000;
    w.fake.finish(() => true, "pass");
    expect((await w.fetchAt(35)).code).toBe(0);
    expect((await w.fetchAt(50)).code).toBe(0); // since = until - 60 minutes: the same three runs again
    const files = readdirSync(join(w.state, "results")).filter((n) => n.startsWith("debci-"));
    expect(files).toHaveLength(2);
    for (const f of files) expect(JSON.parse(readFileSync(join(w.state, "results", f), "utf8")).results).toHaveLength(3);
    expect(states(await w.plan(55))).toEqual(["newpkg/amd64: pass", "newpkg/arm64: pass", "texlive-base/amd64: pass"]);
    const report = JSON.parse((await w.cli(["report", "--state", w.state])).stdout);
    expect(report.runs.total).toBe(3);
  });

  it("a fetch cut off half way is retried; cut off every time, it gives up and changes nothing", async () => {
    await w.plan(0);
    await w.submit(1);
    w.fake.inject("truncate", "/api/v1/test");
    const retried = await w.fetchAt(5);
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stderr).toMatch(/retrying in 5 ms .* the response is not complete JSON \(cut off\?\)/);

    const before = snapshotTree(w.state);
    w.fake.inject("truncate", "/api/v1/test", 3);
    const gaveUp = await w.fetchAt(10);
    expect(gaveUp.code).toBe(3);
    expect(snapshotTree(w.state)).toEqual(before); // no file, no temporary slice, no lock left

    // Cut off in the pending window only: the results file is written, the snapshot is not.
    const pendingBefore = readFileSync(join(w.state, "pending.json"), "utf8");
    w.fake.now = T0 + 20 * 60_000;
    w.fake.finish(() => true, "pass");
    w.fake.inject("truncate", "/api/v1/test", 3, 1); // the results request passes; the window's is cut off every time
    const partial = await w.fetchAt(20);
    expect(partial.code).toBe(3);
    expect(readFileSync(join(w.state, "pending.json"), "utf8")).toBe(pendingBefore);
    expect(states(await w.plan(21))).toEqual(["newpkg/amd64: pass", "newpkg/arm64: pass", "texlive-base/amd64: pass"]);
  });

  it("an answer that is not JSON (a proxy's HTML page) is retried, and given up on without a trace", async () => {
    const before = snapshotTree(w.state);
    w.fake.inject("html", "/api/v1/test", 3);
    const run = await w.fetchAt(1);
    expect(run.code).toBe(3);
    expect(run.stderr).toContain("the body does not start with '{' (not JSON, or an error page?)");
    expect(snapshotTree(w.state)).toEqual(before);
    w.fake.inject("html", "/api/v1/test", 2);
    expect((await w.fetchAt(2)).code).toBe(0); // the third attempt gets through
  });

  it("retries 5xx and hangs with backoff", async () => {
    w.fake.inject("500", "/api/v1/test", 1);
    w.fake.inject("hang", "/api/v1/test", 1);
    const slow = await w.fetchAt(1);
    expect(slow.code, slow.stderr).toBe(0);
    expect(slow.stderr).toMatch(/HTTP 500/);
    expect(slow.stderr).toMatch(/no answer within 500 ms/);
  });

  it("a submit killed between the service's 201 and the move does not send that batch again: exactly once", async () => {
    await w.plan(0);
    const crashed = await w.spawn(["submit", "--state", w.state, "--now", at(1), ...w.http()], { DEBCI_BRIDGE_CRASH_AT: "submit-after-post" });
    expect(crashed.signal).toBe("SIGKILL");
    const createdBefore = w.fake.jobs.length;
    expect(createdBefore).toBeGreaterThan(0);
    expect(batchFiles(join(w.state, "outbox"))).toHaveLength(2); // the POSTed one is still there, marked as being sent
    expect(readdirSync(join(w.state, "outbox", "sending"))).toHaveLength(1);
    const again = await w.spawn(["submit", "--state", w.state, "--now", at(2), ...w.http()]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/already created by an earlier attempt/);
    expect(JSON.parse(again.stdout)).toMatchObject({ alreadyCreated: createdBefore });
    expect(jobsPerKey(w.fake.jobs)).toEqual({ "testing/amd64 newpkg newpkg/1.0-1": 1, "testing/arm64 newpkg newpkg/1.0-1": 1, "testing/amd64 texlive-base newpkg/1.0-1": 1 });
    expect(batchFiles(join(w.state, "outbox"))).toEqual([]);
    expect(readdirSync(join(w.state, "outbox", "sending"))).toEqual([]);
    w.fake.now = T0 + 30 * 60_000;
    w.fake.finish(() => true, "pass");
    await w.fetchAt(35);
    expect(states(await w.plan(40))).toEqual(["newpkg/amd64: pass", "newpkg/arm64: pass", "texlive-base/amd64: pass"]);
  });

  it("a batch file that is not a batch is set aside in outbox/rejected with the reason, never POSTed", async () => {
    await w.plan(0);
    const [first] = batchFiles(join(w.state, "outbox"));
    writeFileSync(join(w.state, "outbox", first!), "not json at all");
    const run = await w.submit();
    expect(run.code).toBe(4);
    expect(existsSync(join(w.state, "outbox", "rejected", first!))).toBe(true);
    const reason = JSON.parse(readFileSync(join(w.state, "outbox", "rejected", first!.replace(/\.json$/, ".reason.json")), "utf8"));
    expect(reason.problem).toMatch(/^not a valid batch file: not JSON/);
    expect(w.fake.posts.length).toBeGreaterThan(0);
    expect(w.fake.posts.every((p) => p.status === 201)).toBe(true); // only the good one
    expect(batchFiles(join(w.state, "outbox", "sent"))).toHaveLength(1);
  });
});
