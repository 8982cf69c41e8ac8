import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FakeDebci } from "./support/fake-debci.js";
import { batchFiles, requestsIn } from "./support/outbox.js";
import { NEEDS, T0, at, states, syncWorld } from "./support/sync-harness.js";
import { snapshotTree, tempDir } from "./support/temp-state.js";
import { spawnCliMeasured } from "./support/cli.js";

const w = syncWorld();
const DAY = 24 * 60;
const resultsFiles = () => readdirSync(join(w.state, "results")).filter((n) => !n.startsWith(".")).sort();
const readResults = (name: string) => JSON.parse(readFileSync(join(w.state, "results", name), "utf8")) as { since: number; until: number; results: unknown[] };

describe("a fresh deployment whose first fetch is empty (debci answers until 0)", () => {
  it("writes a loadable file from now less the backfill, moves the watermark only forward, and the loop heals", async () => {
    const fresh = join(tempDir(), "fresh");
    mkdirSync(fresh);
    w.state = fresh;
    const first = await w.fetchAt(0);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain("the service's until (0) is not believed");
    const since = (T0 - 30 * DAY * 60_000) / 1000;
    expect(w.fake.log[0]!.line).toBe(`GET /api/v1/test?since=${since}`); // 30 days back, not since=0
    const [file] = resultsFiles();
    expect(readResults(file!)).toEqual({ since, results: [], until: since });
    const report = JSON.parse((await w.cli(["report", "--state", fresh, "--now", at(1)])).stdout);
    expect(report.files.skipped.count).toBe(0);

    // Empty again: the watermark stays where it was and never goes below 0.
    expect((await w.fetchAt(10)).code).toBe(0);
    expect(w.fake.log.at(-2)!.line).toBe(`GET /api/v1/test?since=${since - 3600}`);

    expect(states(await w.plan(15))).toEqual(["newpkg/amd64: missing (asked: missing)", "newpkg/arm64: missing (asked: missing)", "texlive-base/amd64: missing (asked: missing)"]);
    expect((await w.submit(16)).code).toBe(0);
    w.fake.now = T0 + 60 * 60_000;
    w.fake.finish(() => true, "pass");
    expect((await w.fetchAt(65)).code).toBe(0);
    expect(states(await w.plan(70))).toEqual(["newpkg/amd64: pass", "newpkg/arm64: pass", "texlive-base/amd64: pass"]);
    // The service's until is believed again once it is a real time: the next fetch resumes from it.
    expect(JSON.parse((await w.fetchAt(80)).stdout)).toMatchObject({ since: new Date(T0 + 16 * 60_000 - 3600_000).toISOString(), untilTrusted: true });
  });

  it("--since chooses where to start; --backfill how far back a fresh state goes; --since needs a zone", async () => {
    expect((await w.fetchAt(0, ["--backfill", "2"])).code).toBe(0);
    expect(w.fake.log[0]!.line).toBe(`GET /api/v1/test?since=${(T0 - 2 * DAY * 60_000) / 1000}`);
    expect((await w.fetchAt(1, ["--since", "2026-11-01T00:00:00Z"])).code).toBe(0);
    expect(w.fake.log.filter((l) => l.line.startsWith("GET /api/v1/test?")).at(-1)!.line).toBe(`GET /api/v1/test?since=${Date.parse("2026-11-01T00:00:00Z") / 1000}`);
    const local = await w.fetchAt(2, ["--since", "2026-11-01 00:00"]);
    expect(local.code).toBe(1);
    expect(local.stderr).toContain("--since: expected an ISO 8601 time with a zone");
  });
});

describe("a bogus until (a server whose answer says 10^13)", () => {
  it("is not believed: the results count, the next fetch asks from what was received, report still works", async () => {
    await w.plan(0);
    await w.submit(1);
    w.fake.now = T0 + 30 * 60_000;
    w.fake.finish(() => true, "pass");
    w.fake.inject("bogus-until", "/api/v1/test");
    const run = await w.fetchAt(35);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    // The newest time received: the runs finished at T0+30 minutes.
    expect(result).toMatchObject({ untilTrusted: false, until: new Date(T0 + 30 * 60_000).toISOString() });
    expect(states(await w.plan(40))).toEqual(["newpkg/amd64: pass", "newpkg/arm64: pass", "texlive-base/amd64: pass"]);
    const report = await w.cli(["report", "--state", w.state, "--now", at(41)]);
    expect(report.code, report.stderr).toBe(0);
    expect(JSON.parse(report.stdout).files.skipped.count).toBe(0);
    await w.fetchAt(50);
    expect(w.fake.log.filter((l) => l.line.startsWith("GET /api/v1/test?since=")).at(-2)!.line).toBe(`GET /api/v1/test?since=${(T0 + 30 * 60_000) / 1000 - 3600}`);
  });

  it("a results file left by an older tool with an until years ahead does not stop fetching", async () => {
    mkdirSync(join(w.state, "results"), { recursive: true });
    writeFileSync(join(w.state, "results", "old.json"), JSON.stringify({ since: 1795600000, until: Date.parse("2031-01-01T00:00:00Z") / 1000, results: [] }));
    writeFileSync(join(w.state, "results", "good.json"), JSON.stringify({ since: 1795590000, until: 1795596000, results: [] }));
    const run = await w.fetchAt(0);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("1 results file(s) claim an until after now; not believed");
    expect(JSON.parse(run.stdout)).toMatchObject({ since: new Date((1795596000 - 3600) * 1000).toISOString(), sinceFrom: "watermark" });
  });
});

describe("submit isolates what debci refuses", () => {
  const needsWith = (...extra: object[]) => {
    const file = join(tempDir(), "needs.jsonl");
    writeFileSync(file, `${readFileSync(NEEDS, "utf8")}${extra.map((e) => JSON.stringify(e)).join("\n")}\n`);
    return file;
  };

  it("delivers every acceptable entry, keeps only the refused one with debci's message, and does not ask it again", async () => {
    // debci runs amd64, arm64 and i386 here: api.rb refuses the riscv64 POST before it looks at its tests.
    const needs = needsWith({ package: "newpkg", trigger: "newpkg/1.0-1", arch: "riscv64" }, { package: "libfoo", trigger: "newpkg/1.0-1", arch: "amd64" });
    await w.plan(0, needs);
    const run = await w.submit(1);
    expect(run.code, run.stderr).toBe(4);
    expect(w.fake.jobs.map((j) => `${j.package}/${j.arch}`).sort()).toEqual(["libfoo/amd64", "newpkg/amd64", "newpkg/arm64", "texlive-base/amd64"]);
    const [rejected] = batchFiles(join(w.state, "outbox", "rejected"));
    expect(requestsIn(join(w.state, "outbox", "rejected"))).toEqual(["newpkg newpkg/1.0-1 riscv64"]);
    const reason = JSON.parse(readFileSync(join(w.state, "outbox", "rejected", rejected!.replace(/\.json$/, ".reason.json")), "utf8"));
    expect(reason.entries).toEqual([{ suite: "testing", arch: "riscv64", package: "newpkg", trigger: "newpkg/1.0-1", message: "HTTP 400: Invalid architecture: riscv64" }]);
    expect(requestsIn(join(w.state, "outbox", "sent"))).toEqual(["libfoo newpkg/1.0-1 amd64", "newpkg newpkg/1.0-1 amd64", "newpkg newpkg/1.0-1 arm64", "texlive-base newpkg/1.0-1 amd64 huge"]);
    expect(batchFiles(join(w.state, "outbox"))).toEqual([]);

    // The next runs answer it as refused, with the reason, and do not ask again.
    const next = await w.plan(10, needs);
    expect(next[3]).toMatchObject({ arch: "riscv64", state: "missing", lost: false, request: null, held: "refused", label: null, refused: expect.stringContaining("Invalid architecture: riscv64") });
    expect(batchFiles(join(w.state, "outbox"))).toEqual([]);
    const report = JSON.parse((await w.cli(["report", "--state", w.state, "--now", at(11)])).stdout);
    expect(report.requests.refused.oldest).toEqual([{ key: "newpkg newpkg/1.0-1 on testing/riscv64", message: expect.stringContaining("Invalid architecture"), refusedAt: at(1), batch: rejected }]);
    expect(report.requests.lost.count).toBe(0);

    // After the refusal's retry age (7 days) it is asked once more, and refused once more.
    const later = await w.plan(8 * DAY, needs);
    expect(later[3]).toMatchObject({ request: "missing" });
    expect((await w.submit(8 * DAY + 1)).code).toBe(4);
    expect((await w.plan(8 * DAY + 2, needs))[3]).toMatchObject({ held: "refused" });
  });

  /** A batch plan would no longer write (it refuses such needs), as an older plan or a person may have left it in the outbox. */
  const handWrittenBatch = (body: unknown) => writeFileSync(join(w.state, "outbox", "20261125T115900Z-0badc0de.json"), JSON.stringify(body));

  it("refuses before sending what debci's rules or the configured arches would refuse", async () => {
    writeFileSync(join(w.state, "debci-bridge.json"), JSON.stringify({ serviceArches: ["amd64", "arm64"] }));
    await w.plan(0);
    handWrittenBatch([
      { suite: "testing", arch: ["amd64"], tests: [{ package: "Bad_Name", trigger: "newpkg/1.0-1", "pin-packages": [] }] },
      { suite: "testing", arch: ["s390x"], tests: [{ package: "newpkg", trigger: "newpkg/1.0-1", "pin-packages": [] }] },
    ]);
    const run = await w.submit(1);
    expect(run.code).toBe(4);
    expect(w.fake.posts.every((p) => p.status === 201)).toBe(true); // nothing refused reached the service
    const messages = readdirSync(join(w.state, "outbox", "rejected"))
      .filter((n) => n.endsWith(".reason.json"))
      .flatMap((n) => JSON.parse(readFileSync(join(w.state, "outbox", "rejected", n), "utf8")).entries.map((e: { message: string }) => e.message));
    expect(messages.sort()).toEqual([expect.stringContaining("arch \"s390x\" is not one the service runs"), expect.stringContaining("invalid package name \"Bad_Name\"")]);
  });

  it("a whole batch of a suite debci does not run is refused by one POST, not one per entry", async () => {
    mkdirSync(join(w.state, "outbox"), { recursive: true });
    handWrittenBatch([{ suite: "oldstable", arch: ["amd64"], tests: Array.from({ length: 40 }, (_, i) => ({ package: `pkg${i}`, trigger: "glibc/2.41-7", "pin-packages": [] })) }]);
    expect((await w.submit(1)).code).toBe(4);
    expect(requestsIn(join(w.state, "outbox", "rejected"))).toHaveLength(40);
    // api.rb's per-suite route refuses the suite before it looks at a test: one POST says it for all 40.
    expect(w.fake.posts.map((p) => [p.suite, p.status])).toEqual([["oldstable", 400]]);
  });
});

describe("reject-list globs", () => {
  it("a package matched only by a glob is never requested, as debci would fail it at once", async () => {
    w.fake.rejectList = { "texlive-*": { "*": { "*": { "*": "" } } } };
    expect((await w.fetchAt(0)).code).toBe(0);
    const answers = await w.plan(1);
    expect(states(answers)).toEqual(["newpkg/amd64: missing (asked: missing)", "newpkg/arm64: missing (asked: missing)", "texlive-base/amd64: missing (held: rejected)"]);
    expect(answers[2]).toMatchObject({ rejected: true, label: null });
    expect(w.fake.isRejectListed("texlive-base", "testing", "amd64")).toBe(true); // the fake, by its own matcher, agrees
    expect(requestsIn(join(w.state, "outbox"))).toEqual(["newpkg newpkg/1.0-1 amd64", "newpkg newpkg/1.0-1 arm64"]);
  });
});

describe("auth failures are not content failures", () => {
  it("a key reset mid-way: batches stay unsent, exit 5 naming the key file, and the loop heals with the new key", async () => {
    await w.plan(0);
    const reset = w.fake.resetKey();
    const run = await w.submit(1);
    expect(run.code).toBe(5);
    expect(run.stderr).toContain(`did not accept the API key from --key-file ${w.keyFile}`);
    expect(batchFiles(join(w.state, "outbox"))).toHaveLength(2);
    expect(existsSync(join(w.state, "outbox", "rejected"))).toBe(false);
    expect((await w.fetchAt(2)).code).toBe(5);
    expect(existsSync(join(w.state, "sync-submit.lock")) || existsSync(join(w.state, "sync-fetch.lock"))).toBe(false);
    w.writeKey(reset);
    expect((await w.submit(3)).code).toBe(0);
    w.fake.now = T0 + 30 * 60_000;
    w.fake.finish(() => true, "pass");
    expect((await w.fetchAt(35)).code).toBe(0);
    expect(states(await w.plan(40))).toEqual(["newpkg/amd64: pass", "newpkg/arm64: pass", "texlive-base/amd64: pass"]);
  });

  it("no key at all names where one could come from", async () => {
    const run = await w.cli(["fetch", "--state", w.state, "--url", w.fake.url, "--retries", "0", "--now", at(0)]);
    expect(run.code).toBe(5);
    expect(run.stderr).toContain("(none was given: --key-file F or $DEBCI_API_KEY)");
    // Said before trying, too: a person sees why at once.
    expect(run.stderr.split("\n")[0]).toBe("debci-bridge fetch: warning: no API key (--key-file F or $DEBCI_API_KEY): the CI service will refuse every request");
  });

  it("a wrong --url (a 404 with an empty body) names what was asked", async () => {
    const run = await w.cli(["fetch", "--state", w.state, "--url", `${w.fake.url}/wrong`, "--key-file", w.keyFile, "--retries", "0", "--now", at(0)]);
    expect(run.code).toBe(4);
    expect(run.stderr).toMatch(/the CI service refused http:\/\/127\.0\.0\.1:\d+\/wrong\/api\/v1\/test\?since=\d+: HTTP 404: <h1>Not Found<\/h1>; nothing was changed \(check --url\)/);
  });

  it("a server that echoes the key back does not make us print it", async () => {
    w.writeKey(`${w.fake.apiKey}-stale`);
    w.fake.inject("echo-key", "/api/v1/test");
    expect((await w.fetchAt(0)).code).toBe(5); // the world checks after the test that no output holds the key
  });
});

describe("key hygiene", () => {
  it("a redirect to another origin is not followed and never receives the key", async () => {
    const elsewhere = await new FakeDebci().start();
    try {
      w.fake.elsewhere = elsewhere.url;
      w.fake.inject("redirect-away", "/api/v1/test");
      const run = await w.fetchAt(0);
      expect(run.code).toBe(6);
      expect(run.stderr).toContain(`redirected to ${elsewhere.url}/api/v1/test?since=`);
      expect(run.stderr).toContain("another origin: not followed");
      expect(elsewhere.log).toEqual([]);
      await w.plan(1);
      w.fake.inject("redirect-away", "/api/v1/test/testing/");
      expect((await w.submit(2)).code).toBe(6);
      expect(elsewhere.log).toEqual([]);
      expect(batchFiles(join(w.state, "outbox"))).toHaveLength(2);
    } finally {
      await elsewhere.close();
    }
  });

  it("a redirect within the same origin is followed, the POST's body kept (307)", async () => {
    w.fake.inject("redirect-same", "/api/v1/test");
    expect((await w.fetchAt(0)).code).toBe(0);
    await w.plan(1);
    w.fake.inject("redirect-same", "/api/v1/test/testing/");
    expect((await w.submit(2)).code).toBe(0);
    expect(w.fake.jobs).toHaveLength(3);
  });

  it("a key with a line break inside is refused without being echoed", async () => {
    const secret = "s3cr3t-first-half";
    w.keys.push(secret);
    writeFileSync(w.keyFile, `${secret}\r\nsecond-half\n`);
    const run = await w.fetchAt(0);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`--key-file ${w.keyFile}: the API key contains a control character`);
    expect(w.fake.log).toEqual([]);
  });

  it("warns about a key file others can read", async () => {
    const { chmodSync } = await import("node:fs");
    chmodSync(w.keyFile, 0o644);
    const run = await w.fetchAt(0);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain("can be read by group or others (mode 644): chmod 600 it");
  });

  it("refuses credentials inside --url without printing them", async () => {
    w.keys.push("hunter2-password");
    const run = await w.cli(["fetch", "--state", w.state, "--url", `http://release:hunter2-password@127.0.0.1:1/`, "--key-file", w.keyFile]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("--url: credentials in the URL are refused (http://127.0.0.1:1/ without them");
  });
});

describe("bounded fetching", () => {
  it("a response past --max-bytes is refused: exit 6, no file, no temporary slice, no lock left", async () => {
    const before = snapshotTree(w.state);
    w.fake.inject("endless", "/api/v1/test");
    const run = await w.fetchAt(0, ["--max-bytes", String(8 << 20)]);
    expect(run.code).toBe(6);
    expect(run.stderr).toContain(`passed the limit of ${8 << 20} bytes (--max-bytes); nothing of it was kept`);
    expect(snapshotTree(w.state)).toEqual(before);
  });

  it("holds fetch's peak memory far below the body it reads, and leaves no lock after refusing it", async () => {
    const idle = await spawnCliMeasured(["fetch", "--state", w.state, ...w.http(), "--now", at(0)]);
    expect(idle.code, idle.stderr).toBe(0);
    rmSync(join(w.state, "results"), { recursive: true });
    w.fake.inject("endless", "/api/v1/test");
    const cap = 256 << 20;
    const run = await spawnCliMeasured(["fetch", "--state", w.state, ...w.http(), "--now", at(0), "--max-bytes", String(cap)]);
    w.outputs.push(run.stdout, run.stderr);
    expect(run.code, run.stderr).toBe(6);
    // Before: the body was held whole as a string and parsed (2 GB crashed V8). Now: streamed, a record at a time.
    const mib = (n: number) => (n / 2 ** 20).toFixed(0);
    console.log(`fetch: peak RSS ${mib(idle.peakRssBytes)} MiB on an empty answer, ${mib(run.peakRssBytes)} MiB reading ${mib(cap)} MiB of an endless one`);
    expect(idle.peakRssBytes).toBeGreaterThan(0);
    expect(run.peakRssBytes - idle.peakRssBytes).toBeLessThan(cap / 4);
    expect(existsSync(join(w.state, "sync-fetch.lock"))).toBe(false);
    expect(readdirSync(join(w.state, "results"))).toEqual([]);
  });

  it("the pending window's request is bounded the same way: the results are kept, the old snapshot stays", async () => {
    await w.plan(0);
    await w.submit(1);
    expect((await w.fetchAt(5)).code).toBe(0);
    const snapshot = readFileSync(join(w.state, "pending.json"), "utf8");
    w.fake.inject("endless", "/api/v1/test", 1, 1); // the results request passes, the window's never ends
    const run = await w.fetchAt(70, ["--max-bytes", String(4 << 20)]);
    expect(run.code).toBe(6);
    expect(run.stderr).toContain("GET /api/v1/test?since=");
    expect(readFileSync(join(w.state, "pending.json"), "utf8")).toBe(snapshot);
    expect(existsSync(join(w.state, "sync-fetch.lock"))).toBe(false);
    expect(readdirSync(join(w.state, "results")).filter((n) => n.startsWith("."))).toEqual([]);
  });

  it("a long answer is written in slices, every one loadable, and the answers see all of it", async () => {
    for (let i = 0; i < 3000; i++) w.fake.jobs.push({ ...jobLike(i), created_at: T0 - 10 * 60_000 + i, updated_at: T0 - 5 * 60_000 + i });
    const run = await w.fetchAt(0, ["--slice-bytes", String(256 << 10)]);
    expect(run.code, run.stderr).toBe(0);
    const files = resultsFiles();
    expect(files.length).toBeGreaterThan(4);
    let records = 0;
    for (const name of files) {
      const body = readResults(name);
      records += body.results.length;
      expect(body.since).toBe((T0 - 30 * DAY * 60_000) / 1000);
    }
    expect(records).toBe(3000);
    const report = JSON.parse((await w.cli(["report", "--state", w.state, "--now", at(1)])).stdout);
    expect(report.files).toMatchObject({ results: files.length, skipped: { count: 0 }, skippedRecords: 0 });
    expect(report.runs.total).toBe(3000);
  });
});

/** A finished job row of the fake, as debci would hold it. */
function jobLike(i: number) {
  return { run_id: 1000 + i, created_at: T0, updated_at: T0, suite: "testing", arch: "amd64", package: `pkg${i % 97}`, version: "1.0-1", trigger: `glibc/2.41-${i % 13}`, status: "pass" as const, requestor_id: 1, pin_packages: [], worker_id: 7, extra_apt_sources: [], log_size: 2113, artifacts_size: 260, date: T0, duration_seconds: 120, last_pass_date: null, last_pass_version: null, message: "All tests passed", previous_status: "pass", is_private: false, package_id: i % 97 };
}

