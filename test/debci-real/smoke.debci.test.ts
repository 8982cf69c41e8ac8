// Smoke test of the real-debci harness against Debian 12's debci 3.6.
// Run: npx vitest run --config test/debci-real/vitest.debci.config.ts
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RealDebci, isLoopback, pidAlive } from "./debci-service.js";
import { CuttingProxy } from "./cutting-proxy.js";

const enabled = process.env.DEBCI_REAL_TEST === "1";

describe.skipIf(!enabled)("real debci 3.6 harness", () => {
  const debci = new RealDebci({ suites: ["unstable", "testing"], arches: ["amd64", "arm64"] });
  let proxy: CuttingProxy | null = null;

  const post = (url: string, form: Record<string, string>, key = debci.apiKey) =>
    fetch(url, { method: "POST", headers: { "Auth-Key": key }, body: new URLSearchParams(form) });
  const get = (url: string, key = debci.apiKey) => fetch(url, { headers: { "Auth-Key": key } });

  beforeAll(async () => {
    await debci.start();
    console.log(`debci up in ${debci.timings?.total} ms`, debci.timings);
  });

  afterAll(async () => {
    await proxy?.close();
    const pids = debci.ourPids();
    await debci.stop();
    // Every process we started is gone (zombies waiting for init to reap them count as gone).
    const alive = pids.filter(pidAlive);
    expect(alive).toEqual([]);
  });

  it("listens on loopback only", () => {
    const socks = debci.listeningSockets();
    console.log("listening:", socks.map((s) => `${s.command}[${s.pid}] ${s.address}:${s.port}`).join(", "));
    const ports = new Set(socks.map((s) => s.port));
    for (const p of [debci.httpPort, debci.amqpPort, debci.distPort, debci.epmdPort]) expect(ports).toContain(p);
    expect(socks.filter((s) => !isLoopback(s.address))).toEqual([]);
  });

  it("a fresh database has no results", async () => {
    const r = await get(`${debci.apiUrl}/test?since=0`);
    expect(r.status).toBe(200);
    expect(await r.text()).toBe('{"until":0,"results":[]}');
  });

  it("POST /test/:suite/:arch with priority=8 answers 201, creates the jobs and queues priority-8 messages", async () => {
    const tests = [
      { package: "foo", trigger: "bar/1.0", "pin-packages": [["src:bar", "unstable"]] },
      { package: "baz", trigger: "bar/1.0", "pin-packages": [] },
    ];
    const r = await post(`${debci.apiUrl}/test/testing/amd64`, { tests: JSON.stringify(tests), priority: "8" });
    expect(r.status).toBe(201);
    expect(await r.text()).toBe("");

    const counts = await debci.countJobs();
    expect(counts).toEqual([
      { suite: "testing", arch: "amd64", package: "foo", trigger: "bar/1.0", count: 1 },
      { suite: "testing", arch: "amd64", package: "baz", trigger: "bar/1.0", count: 1 },
    ]);
    const jobs = await debci.jobs();
    expect(jobs.map((j) => [j.run_id, j.status, j.requestor])).toEqual([[1, null, debci.user], [2, null, debci.user]]);

    const queued = await debci.peekQueue("amd64");
    expect(queued.map((m) => [m.priority, m.body])).toEqual([
      [8, "foo testing run-id:1 trigger:bar%2F1.0 pin-packages:unstable=src:bar"],
      [8, "baz testing run-id:2 trigger:bar%2F1.0"],
    ]);
    // Peeking put them back.
    expect((await debci.peekQueue("amd64")).length).toBe(2);
    expect(await debci.peekQueue("arm64")).toEqual([]);
  });

  it("a wrong key is 403 and creates nothing", async () => {
    const r = await post(`${debci.apiUrl}/test/testing/amd64`, { tests: JSON.stringify([{ package: "qux", trigger: "x/1" }]) }, "not-a-key");
    expect(r.status).toBe(403);
    expect(await r.text()).toBe("Invalid key\n");
    expect((await debci.jobs()).length).toBe(2);
  });

  it("POST /test/batch answers 500 for a non-empty batch (its before-filter never authenticates)", async () => {
    const batch = [{ suite: "testing", arch: ["amd64"], tests: [{ package: "qux", trigger: "x/1" }] }];
    const r = await post(`${debci.apiUrl}/test/batch`, { tests: JSON.stringify(batch) });
    expect(r.status).toBe(500);
    expect(await r.text()).toBe("<h1>Internal Server Error</h1>");
    expect(debci.readLog("rack")).toContain("ActiveRecord::RecordInvalid - Validation failed: Requestor can't be blank");
    expect((await debci.jobs()).length).toBe(2);
  });

  it("debci's worker (fake backend) and collector finish the jobs; GET /test shows pass with a version", async () => {
    // One result per package: baz fails, the others (foo) pass.
    const done = await debci.finishJobs(2, { baz: "fail" }, { arch: "amd64" });
    expect(done.map((d) => [d.run_id, d.status])).toEqual([[1, "pass"], [2, "fail"]]);
    expect(await debci.peekQueue("amd64")).toEqual([]);

    const r = await get(`${debci.apiUrl}/test?since=0`);
    const data = (await r.json()) as { until: number; results: Array<Record<string, unknown>> };
    const foo = data.results.find((j) => j.package === "foo")!;
    expect(foo).toMatchObject({
      run_id: 1, suite: "testing", arch: "amd64", trigger: "bar/1.0", status: "pass",
      message: "All tests passed", pin_packages: [["src:bar", "unstable"]], extra_apt_sources: [],
    });
    expect(foo.version).toMatch(/^0\.0\.0-1~\d{8}$/);
    expect(typeof foo.worker_id).toBe("number");
    // `until` is the newest created_at (not updated_at), in whole seconds.
    const newestCreated = Math.max(...data.results.map((j) => Math.floor(Date.parse(String(j.created_at)) / 1000)));
    expect(data.until).toBe(newestCreated);
  });

  it("a cut answer: the job is created, the client sees a reset", async () => {
    proxy = new CuttingProxy(debci.httpPort);
    await proxy.start();
    proxy.cutNextAnswers(1, "/api/v1/test/");

    const lost = await post(`${proxy.url}/api/v1/test/unstable/arm64`, {
      tests: JSON.stringify([{ package: "cutpkg", trigger: "cut/1" }]), priority: "3",
    }).then(() => "answered", (e: unknown) => e);
    expect(lost).toBeInstanceOf(TypeError); // undici: "fetch failed"
    const cause = (lost as { cause?: { code?: string; message?: string } }).cause;
    console.log("client saw:", String(lost), cause?.code, cause?.message);
    expect(cause?.code === "ECONNRESET" || cause?.code === "UND_ERR_SOCKET").toBe(true);

    expect(proxy.cuts).toHaveLength(1);
    expect(proxy.cuts[0]).toMatchObject({ method: "POST", path: "/api/v1/test/unstable/arm64", reset: true, swallowedStatus: "HTTP/1.1 201 Created" });
    expect(proxy.pendingCuts).toBe(0);

    const cut = (await debci.countJobs()).filter((c) => c.package === "cutpkg");
    expect(cut).toEqual([{ suite: "unstable", arch: "arm64", package: "cutpkg", trigger: "cut/1", count: 1 }]);
    expect((await debci.peekQueue("arm64")).map((m) => [m.priority, m.body])).toEqual([[3, "cutpkg unstable run-id:3 trigger:cut%2F1"]]);

    // Disarmed: the same proxy relays normally again.
    const r = await get(`${proxy.url}/api/v1/auth`);
    expect(r.status).toBe(200);
    expect(r.headers.get("auth-user")).toBe(debci.user);
    expect(proxy.events.at(-1)).toMatchObject({ method: "GET", path: "/api/v1/auth", action: "forwarded" });
  });
});
