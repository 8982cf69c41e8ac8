import { describe, expect, it } from "vitest";
import { formatFigures } from "../soak/figures.js";
import { defaultOptions } from "../soak/options.js";
import { runSoak } from "../soak/soak.js";

/**
 * The soak as a standing check (issue 19), one simulated day of it: the
 * real CLI in separate processes, every simulated hour fetch, a committing
 * plan and submit (compact and prune once), against the fake debci with
 * workers that run the jobs, with every kind of fault on and a fixed seed.
 * Time is simulated throughout; `npm run soak` runs the same for longer.
 */
describe("the soak, one simulated day with every fault on", () => {
  it("ends with no crash, no lock, every needed key answered or in flight, no doubled batch, no lost result, and the fake's jobs as the figures count them", async () => {
    const options = defaultOptions("normal");
    options.days = 1;
    options.seed = 19;
    options.uploadsPerDay = 8;
    options.maxRdeps = 30;
    options.workersPerArch = 4;
    // Every fault, often enough to meet each in one day: two outages of some hours (one refused, one 503),
    // and enough lost answers for each of the three ways of losing one.
    options.faults = { http500: 0.3, hang: 0.2, truncate: 0.3, lostAnswer: 0.6, outagePerDay: 2, killPlan: 0.2, killSubmit: 0.2 };
    options.dropRate = 0.05;
    const { figures, fake, record } = await runSoak(options);
    console.log(formatFigures(figures));

    // Every fault kind was due by this seed (whether a process was still running when its kill came, or a
    // request met a fault before the command ended, depends on timing).
    for (const [kind, count] of Object.entries(figures.faults)) expect(count.due, kind).toBeGreaterThan(0);

    // No stack trace and no unexpected exit from any command but the ones the soak killed.
    expect(figures.crashes).toEqual([]);
    expect(record.runs.filter((r) => !r.killed).every((r) => !/^\s+at .*:\d+:\d+\)?$/m.test(r.stderr))).toBe(true);
    // No lock left behind.
    expect(figures.locksLeft).toEqual([]);

    // Every key the final needs hold is answered, or in flight (or asked for by the final run), as plan says;
    // and on the CI side, every one without a result has a job that will run, unless its job was dropped.
    expect(figures.unanswered).toEqual({ count: 0, examples: [] });
    expect(figures.stuckAtEnd.other).toBe(0);

    // Lost answers never double a batch: submit reconciles, so no job is submit's own.
    expect(figures.jobs.byCause.submit ?? 0).toBe(0);
    expect(figures.needlessDuplicates.byCause.submit ?? 0).toBe(0);
    // No needless duplicate from any fault, and no re-request of a run that then ran after all.
    expect(figures.needlessDuplicates).toEqual({ total: 0, byCause: {} });
    expect(figures.reRequestsThatRanAfterAll.total).toBe(0);
    // A dropped job is found by being overtaken and asked for again within hours (12 at the median, as
    // issue 19 asks of a 10-day run).
    expect(figures.jobs.byCause.overtaken ?? 0).toBeGreaterThan(0);
    expect(figures.dropToReRequest.reRequested).toBeGreaterThan(0);
    expect(figures.dropToReRequest.medianHours ?? Number.POSITIVE_INFINITY).toBeLessThanOrEqual(12);
    // No answer with a result says lost.
    expect(figures.lostWithResult).toEqual({ finalRun: 0, allRuns: 0 });

    // The fake's jobs are what the figures count.
    const jobs = fake.jobs;
    const count = (status: string | null) => jobs.filter((j) => j.status === status).length;
    expect(figures.jobs.total).toBe(jobs.length);
    expect([figures.jobs.pass, figures.jobs.fail, figures.jobs.neutral, figures.jobs.tmpfail]).toEqual([count("pass"), count("fail"), count("neutral"), count("tmpfail")]);
    expect(figures.jobs.queuedAtEnd + figures.jobs.runningAtEnd + figures.jobs.dropped + figures.jobs.neverQueued).toBe(count(null));
    expect(figures.jobs.dropped).toBe(jobs.filter((j) => j.lostByWorker).length);
    expect(figures.faults["dropped-job"].injected).toBe(figures.jobs.dropped);
    expect(Object.values(figures.jobs.byCause).reduce((a, b) => a + b, 0)).toBe(jobs.length);
    expect(figures.perDay.reduce((n, d) => n + d.jobsCreated, 0)).toBeLessThanOrEqual(jobs.length);
    const keys = new Map<string, number>();
    for (const j of jobs) keys.set(`${j.suite}/${j.arch} ${j.package} ${j.trigger}`, (keys.get(`${j.suite}/${j.arch} ${j.package} ${j.trigger}`) ?? 0) + 1);
    expect(figures.jobs.keys).toBe(keys.size);
    expect(figures.jobs.perKeyMax).toBe(Math.max(...keys.values()));
    expect(figures.jobs.total).toBeGreaterThan(0);
    expect(figures.jobs.pass).toBeGreaterThan(0);
  }, 300_000);
});
