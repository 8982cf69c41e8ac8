import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { jsonLines, runCli, spawnCli } from "./support/cli.js";
import { FakeDebci } from "./support/fake-debci.js";
import { batchFiles } from "./support/outbox.js";
import { SCENARIOS, copyScenarioState, snapshotTree, tempDir } from "./support/temp-state.js";

const T0 = Date.parse("2026-11-25T12:00:00Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
const NEEDS = join(SCENARIOS, "new-package", "needs.jsonl");

let fake: FakeDebci;
let state: string;
let keyFile: string;

beforeEach(async () => {
  fake = await new FakeDebci().start();
  state = copyScenarioState("new-package");
  keyFile = join(tempDir(), "key");
  writeFileSync(keyFile, `${fake.apiKey}\n`);
});
afterEach(async () => fake.close());

const http = () => ["--url", fake.url, "--key-file", keyFile, "--timeout", "0.5", "--retries", "2", "--backoff", "5"];
const submit = () => runCli(["submit", "--state", state, ...http()]);
const fetchAt = (minutes: number) => {
  fake.now = T0 + minutes * 60_000;
  return runCli(["fetch", "--state", state, ...http(), "--now", at(minutes)]);
};
const plan = async (minutes: number) => {
  const run = await runCli(["plan", "--state", state, "--needs", NEEDS, "--now", at(minutes)]);
  expect(run.code, run.stderr).toBe(0);
  return jsonLines(run.stdout);
};
const states = (answers: Array<Record<string, unknown>>) => answers.map((a) => `${a.package}/${a.arch}: ${a.state}${a.request ? ` (asked: ${a.request})` : ""}`);

describe("the whole loop against a CI service", () => {
  it("plan -> submit -> the service runs the jobs -> fetch -> the next run answers pass and fail", async () => {
    expect(states(await plan(0))).toEqual(["newpkg/amd64: missing (asked: missing)", "newpkg/arm64: missing (asked: missing)", "texlive-base/amd64: missing (asked: missing)"]);
    fake.now = T0 + 60_000;
    const sent = await submit();
    expect(sent.code, sent.stderr).toBe(0);
    expect(fake.batches.map((b) => b.priority).sort()).toEqual(["1", "5"]); // the huge batch goes with the lower priority
    expect(fake.jobs).toHaveLength(3);
    expect(batchFiles(join(state, "outbox"))).toEqual([]);
    expect(batchFiles(join(state, "outbox", "sent"))).toHaveLength(2);

    expect((await fetchAt(5)).code).toBe(0);
    expect(JSON.parse(readFileSync(join(state, "pending.json"), "utf8")).pending).toHaveLength(3);
    expect(states(await plan(10))).toEqual(["newpkg/amd64: pending", "newpkg/arm64: pending", "texlive-base/amd64: pending"]);

    fake.now = T0 + 60 * 60_000;
    fake.finish((j) => j.arch === "arm64", "fail");
    fake.finish(() => true, "pass");
    const fetched = await fetchAt(65);
    expect(fetched.code, fetched.stderr).toBe(0);
    const answers = await plan(70);
    expect(states(answers)).toEqual(["newpkg/amd64: pass", "newpkg/arm64: fail", "texlive-base/amd64: pass"]);
    // A failure with no reference result asks for the reference run, as britney2 does.
    expect(answers[1]).toMatchObject({ label: "RUNNING-REFERENCE", referenceRequest: "missing" });
    expect(fake.log.filter((l) => l.startsWith("GET /api/v1/test?since=")).length).toBe(4);
  });

  it("with the service down for a whole cycle, the run answers as the run before and no batch is lost", async () => {
    await plan(0);
    fake.now = T0 + 60_000;
    await submit();
    fake.now = T0 + 60 * 60_000;
    fake.finish(() => true, "fail"); // nothing passes: a reference request goes into the next batch
    await fetchAt(65);
    const before = await plan(70);
    expect(batchFiles(join(state, "outbox"))).toHaveLength(2); // reference runs, the huge one apart
    const stateBefore = snapshotTree(join(state, "results"));

    fake.inject("500", "/", 100); // down
    const failedSubmit = await submit();
    expect(failedSubmit.code).toBe(3);
    expect(failedSubmit.stderr).toMatch(/gave up after 3 attempt\(s\): HTTP 500 .*; 2 batch\(es\) kept for the next run/);
    const failedFetch = await fetchAt(125);
    expect(failedFetch.code).toBe(3);
    expect(snapshotTree(join(state, "results"))).toEqual(stateBefore);
    const during = await plan(130);
    expect(during.map((a) => [a.state, a.outcome, a.runId])).toEqual(before.map((a) => [a.state, a.outcome, a.runId]));
    expect(batchFiles(join(state, "outbox"))).toHaveLength(2); // kept, and not asked twice

    fake.clearFaults(); // back up
    expect((await submit()).code).toBe(0);
    expect(batchFiles(join(state, "outbox"))).toEqual([]);
    expect(fake.jobs.filter((j) => j.trigger === "migration-reference/0")).toHaveLength(3);
  });

  it("a request the service silently drops is seen lost in the next snapshot and asked for again, once", async () => {
    await plan(0);
    fake.now = T0 + 60_000;
    fake.inject("drop-job", "/api/v1/test/batch");
    await submit();
    expect(fake.jobs).toHaveLength(2);
    // The huge batch sorts first (".huge.json" < ".json"): its one test is the one dropped.
    expect(fake.jobs.map((j) => j.package).sort()).toEqual(["newpkg", "newpkg"]);
    expect((await fetchAt(60)).code).toBe(0);
    const next = await plan(61);
    expect(states(next)).toEqual(["newpkg/amd64: pending", "newpkg/arm64: pending", "texlive-base/amd64: missing (asked: lost)"]);
    expect(next[2]).toMatchObject({ lost: true });
    expect(states(await plan(62))).toEqual(["newpkg/amd64: pending", "newpkg/arm64: pending", "texlive-base/amd64: pending"]);
    await submit();
    expect(fake.jobs.filter((j) => j.package === "texlive-base")).toHaveLength(1);
  });

  it("a result delivered twice is counted once", async () => {
    await plan(0);
    fake.now = T0 + 60_000;
    await submit();
    fake.now = T0 + 30 * 60_000;
    fake.finish(() => true, "pass");
    fake.inject("twice", "/api/v1/test");
    expect((await fetchAt(35)).code).toBe(0);
    expect(states(await plan(40))).toEqual(["newpkg/amd64: pass", "newpkg/arm64: pass", "texlive-base/amd64: pass"]);
    const report = JSON.parse((await runCli(["report", "--state", state])).stdout);
    expect(report.runs.total).toBe(3);
  });

  it("a fetch cut off half way is retried; cut off every time, it gives up and changes nothing", async () => {
    await plan(0);
    fake.now = T0 + 60_000;
    await submit();
    fake.inject("truncate", "/api/v1/test");
    const retried = await fetchAt(5);
    expect(retried.code, retried.stderr).toBe(0);
    expect(retried.stderr).toMatch(/retrying in 5 ms .* response is not complete JSON \(cut off\?\)/);

    const pendingBefore = readFileSync(join(state, "pending.json"), "utf8");
    const resultsBefore = readdirSync(join(state, "results")).sort();
    fake.inject("truncate", "/api/v1/test", 3);
    const gaveUp = await fetchAt(10);
    expect(gaveUp.code).toBe(3);
    expect(readdirSync(join(state, "results")).sort()).toEqual(resultsBefore);
    expect(readFileSync(join(state, "pending.json"), "utf8")).toBe(pendingBefore);

    // Cut off in the pending window only: the results file is written, the snapshot is not.
    fake.now = T0 + 20 * 60_000;
    fake.finish(() => true, "pass");
    let call = 0;
    const original = (fake as unknown as { results: (...a: unknown[]) => void }).results.bind(fake);
    (fake as unknown as { results: (...a: unknown[]) => void }).results = (res, since, fault) => original(res, since, ++call >= 2 ? "truncate" : fault);
    expect((await fetchAt(20)).code).toBe(3);
    expect(readFileSync(join(state, "pending.json"), "utf8")).toBe(pendingBefore);
    expect(states(await plan(21))).toEqual(["newpkg/amd64: pass", "newpkg/arm64: pass", "texlive-base/amd64: pass"]);
  });

  it("an answer that is not JSON (an HTML error page) is retried, and given up on without a trace", async () => {
    const before = snapshotTree(state);
    fake.inject("invalid-json", "/api/v1/test", 3);
    const run = await fetchAt(1);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/response is not complete JSON \(cut off\?\): Unexpected token '<'/);
    expect(snapshotTree(state)).toEqual(before);
    fake.inject("invalid-json", "/api/v1/test", 2);
    expect((await fetchAt(2)).code).toBe(0); // the third attempt gets through
  });

  it("retries 5xx and hangs with backoff, and exits 4 naming the refusal on a bad key", async () => {
    fake.inject("500", "/api/v1/test", 1);
    fake.inject("hang", "/api/v1/test", 1);
    const slow = await fetchAt(1);
    expect(slow.code, slow.stderr).toBe(0);
    expect(slow.stderr).toMatch(/HTTP 500/);
    expect(slow.stderr).toMatch(/no answer within 500 ms/);
    writeFileSync(keyFile, "wrong");
    const refused = await fetchAt(2);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain("the CI service refused: HTTP 403: invalid API key");
  });

  it("a submit killed between the POST and the move sends that batch again: at least once, never lost", async () => {
    await plan(0);
    const crashed = await spawnCli(["submit", "--state", state, ...http()], { DEBCI_BRIDGE_CRASH_AT: "submit-after-post" });
    expect(crashed.signal).toBe("SIGKILL");
    expect(fake.batches).toHaveLength(1);
    expect(batchFiles(join(state, "outbox"))).toHaveLength(2); // the POSTed one is still there
    const again = await spawnCli(["submit", "--state", state, ...http()]);
    expect(again.code, again.stderr).toBe(0);
    expect(fake.batches).toHaveLength(3); // the first batch twice
    expect(batchFiles(join(state, "outbox"))).toEqual([]);
    // The doubled request costs one extra run; the answers are unharmed.
    fake.now = T0 + 30 * 60_000;
    fake.finish(() => true, "pass");
    await fetchAt(35);
    expect(states(await plan(40))).toEqual(["newpkg/amd64: pass", "newpkg/arm64: pass", "texlive-base/amd64: pass"]);
  });

  it("moves a batch the service refuses to outbox/rejected with its message", async () => {
    await plan(0);
    const [first] = batchFiles(join(state, "outbox"));
    writeFileSync(join(state, "outbox", first!), "not json at all");
    const run = await submit();
    expect(run.code).toBe(4);
    expect(existsSync(join(state, "outbox", "rejected", first!))).toBe(true);
    expect(readFileSync(join(state, "outbox", "rejected", `${first}.reason.txt`), "utf8")).toContain("HTTP 400: invalid tests");
    expect(batchFiles(join(state, "outbox", "sent"))).toHaveLength(1);
  });
});
