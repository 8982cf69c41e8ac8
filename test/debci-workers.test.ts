import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DebciWorkers } from "./support/debci-workers.js";
import { FakeDebci } from "./support/fake-debci.js";

const T0 = Date.parse("2027-01-04T00:00:00Z");
const HOUR = 3_600_000;

let fake: FakeDebci;
beforeEach(async () => {
  fake = await new FakeDebci().start();
  fake.now = T0;
});
afterEach(() => fake.close());

async function post(arch: string, packages: string[], priority: number): Promise<void> {
  const body = new URLSearchParams({ tests: JSON.stringify(packages.map((p) => ({ package: p, trigger: `${p}/1.0-1` }))), priority: String(priority) });
  const res = await fetch(`${fake.url}/api/v1/test/testing/${arch}`, { method: "POST", headers: { "auth-key": fake.apiKey }, body });
  expect(res.status).toBe(201);
}

describe("debci's workers on the fake (debci-workers.ts)", () => {
  it("one job at a time per worker, highest priority first and oldest first within it; a job stays status null while it runs", async () => {
    const workers = new DebciWorkers(fake, { seed: 1, workersPerArch: 1, dropRate: 0 });
    await post("amd64", ["low-a", "low-b"], 1);
    fake.now = T0 + 1000;
    await post("amd64", ["high-a", "high-b"], 5);
    workers.serve(T0 + 2000);
    // The lone worker took the first message published (nothing of priority 5 was there yet) and holds it.
    expect(workers.running().map((j) => j.package)).toEqual(["low-a"]);
    expect(fake.jobs.every((j) => j.status === null && j.version === null)).toBe(true);
    expect(workers.queued("amd64")).toBe(3);
    workers.serve(T0 + 48 * HOUR);
    const order = [...workers.fates.values()].sort((a, b) => a.startedAt! - b.startedAt!).map((f) => fake.jobs.find((j) => j.run_id === f.runId)!.package);
    expect(order).toEqual(["low-a", "high-a", "high-b", "low-b"]);
    // job.rb receive: finished, dated when the test ended, saved (updated_at) a little later, with a worker and a version.
    for (const job of fake.jobs) {
      const fate = workers.fates.get(job.run_id)!;
      expect(job.status).not.toBeNull();
      expect(job.date).toBe(fate.finishedAt);
      expect(job.updated_at).toBe(fate.savedAt);
      expect(fate.savedAt!).toBeGreaterThan(fate.finishedAt!);
      expect(job.duration_seconds).toBe(Math.round((fate.finishedAt! - fate.startedAt!) / 1000));
      expect(job.duration_seconds!).toBeLessThanOrEqual(3 * 3600);
      expect(job.worker_id).toBe(1);
      expect(job.version).toBe("1.0-1");
    }
    // One worker: no two runs overlap.
    const spans = [...workers.fates.values()].map((f) => [f.startedAt!, f.finishedAt!] as const).sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
  });

  it("an arch with no workers runs nothing; a dropped job is never run; a job's fate is the same whatever other jobs exist", async () => {
    const workers = new DebciWorkers(fake, { seed: 7, workersPerArch: 3, dropRate: 0.5 });
    workers.setWorkers("arm64", 0);
    await post("amd64", Array.from({ length: 40 }, (_, i) => `pkg${i}`), 5);
    await post("arm64", ["armonly"], 5);
    workers.serve(T0 + 72 * HOUR);
    const fates = [...workers.fates.values()];
    const dropped = fates.filter((f) => f.dropped);
    expect(dropped.length).toBeGreaterThan(5);
    for (const f of dropped) {
      const job = fake.jobs.find((j) => j.run_id === f.runId)!;
      expect([job.status, job.lostByWorker, f.startedAt]).toEqual([null, true, null]);
    }
    expect(fake.jobs.find((j) => j.package === "armonly")!.status).toBeNull();
    expect(workers.queued("arm64")).toBe(fates.find((f) => f.key.includes("armonly"))!.dropped ? 0 : 1);
    const outcome = new Map(fake.jobs.map((j) => [j.package, [j.status, j.duration_seconds]]));

    // The same seed and keys, another set of jobs around them: the same drops, outcomes and durations.
    const other = await new FakeDebci().start();
    try {
      other.now = T0;
      const again = new DebciWorkers(other, { seed: 7, workersPerArch: 3, dropRate: 0.5 });
      const body = new URLSearchParams({ tests: JSON.stringify([{ package: "extra", trigger: "extra/1" }, ...Array.from({ length: 40 }, (_, i) => ({ package: `pkg${39 - i}`, trigger: `pkg${39 - i}/1.0-1` }))]) });
      await fetch(`${other.url}/api/v1/test/testing/amd64`, { method: "POST", headers: { "auth-key": other.apiKey }, body });
      again.serve(T0 + 72 * HOUR);
      for (const j of other.jobs) if (j.package !== "extra") expect([j.status, j.duration_seconds], j.package).toEqual(outcome.get(j.package));
    } finally {
      await other.close();
    }
  });
});
