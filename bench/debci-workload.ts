/**
 * A state directory shaped like what fetch writes from ci.debian.net: results
 * files of 10,000 records, each record with every column debci returns
 * (lib/debci/job.rb's table, as api.rb renders it: about 400 bytes), tens of
 * thousands of packages with a long tail (a few tested against hundreds of
 * triggers, most against a handful), each upload a new trigger tested on its
 * reverse dependencies (a key has a run or two, a retried failure one
 * more), queued-then-finished re-deliveries, a
 * pending snapshot of tens of thousands of entries, and needs of which a
 * large share have no result yet.
 *
 * The "many-triggers" shape keeps the records and the files but makes
 * every upload test one reverse dependency on every arch, once: about
 * 125,000 distinct triggers in a million runs and one run per test key,
 * where interning names costs most.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { seededRandom, zipf } from "../test/support/random.js";

export interface DebciWorkload {
  stateDir: string;
  results: number;
  files: number;
  packages: number;
  pending: number;
  needs: Array<{ package: string; trigger: string; arch: string; version: string; versions: string[] }>;
}

const ARCHES = ["amd64", "arm64", "armel", "armhf", "i386", "ppc64el", "riscv64", "s390x"];
const STATUSES = ["pass", "pass", "pass", "pass", "pass", "pass", "fail", "neutral", "tmpfail"] as const;
const MESSAGES: Record<string, string> = { pass: "All tests passed", fail: "Tests failed", neutral: "No tests in this package or all skipped", tmpfail: "Could not run tests due to a temporary testbed failure" };
const T0 = Date.UTC(2026, 8, 1);

/** The version of package number p in testing: what its runs tested, and what britney2 says it tests now. */
const versionOf = (p: number) => `${1 + (p % 5)}.${p % 11}-${1 + (p % 3)}`;

const iso = (ms: number) => new Date(ms).toISOString();

export type WorkloadShape = "debci" | "many-triggers";

export function makeDebciWorkload(dir: string, options: { results: number; needs: number; seed?: number; perFile?: number; shape?: WorkloadShape }): DebciWorkload {
  const manyTriggers = options.shape === "many-triggers";
  const random = seededRandom(options.seed ?? 7);
  const packageCount = Math.max(200, Math.round(options.results / 30));
  const sourceCount = Math.max(100, Math.round(options.results / 100));
  const packages = Array.from({ length: packageCount }, (_, i) => (i % 5 === 0 ? `lib${i}-perl` : i % 7 === 0 ? `python-pkg${i}` : `pkg${i}`));
  const packageIndex = new Map(packages.map((name, i) => [name, i]));
  // Popular packages are reverse dependencies of many uploads; busy sources upload often.
  const pickPackage = zipf(random, packageCount, 1.05);
  const pickSource = zipf(random, sourceCount, 0.9);
  const uploads = new Map<number, number>();
  /** Each upload is a new trigger (source/version): as on ci.debian.net, a key has a run or two, not thousands. */
  const nextTrigger = () => {
    const source = pickSource();
    const n = (uploads.get(source) ?? 0) + 1;
    uploads.set(source, n);
    return `src${source}/${1 + (source % 9)}.${n}-1`;
  };
  const perFile = options.perFile ?? 10_000;
  const files = Math.max(1, Math.ceil(options.results / perFile));
  const span = 85 * 86_400_000;
  const resultsDir = join(dir, "results");
  mkdirSync(resultsDir, { recursive: true });
  const known: Array<{ package: string; trigger: string; arch: string }> = [];
  const pending: unknown[] = [];
  let runId = 40_000_000;
  let written = 0;
  // The runs of one upload: its reverse dependencies (mostly a handful, a few uploads hundreds), each on several arches.
  let batch: Array<{ pkg: number; trigger: string; arch: string }> = [];
  const refill = () => {
    const trigger = random() < 0.08 ? `${nextTrigger()} ${nextTrigger()}` : nextTrigger();
    const fanout = manyTriggers ? 1 : 1 + Math.floor(300 * random() ** 5);
    const arches = manyTriggers ? ARCHES : ARCHES.filter(() => random() < 0.7);
    // Each reverse dependency once per upload (britney2 asks once per test), however popular it is.
    const rdeps = new Set<number>();
    for (let i = 0; i < fanout; i++) rdeps.add(pickPackage());
    for (const pkg of rdeps) for (const arch of arches.length > 0 ? arches : ["amd64"]) batch.push({ pkg, trigger, arch });
  };
  for (let f = 0; f < files; f++) {
    const since = T0 + Math.floor((f * span) / files);
    const until = T0 + Math.floor(((f + 1) * span) / files);
    const records: string[] = [];
    while (records.length < perFile && written < options.results) {
      if (batch.length === 0) refill();
      const { pkg: p, trigger, arch } = batch.pop()!;
      const created = since + Math.floor(random() * (until - since));
      const pkg = packages[p]!;
      const base = { run_id: runId++, created_at: iso(created), suite: "testing", arch, package: pkg, trigger, requestor_id: 7, pin_packages: random() < 0.3 ? [[`src:${trigger.split("/")[0]}`, "unstable"]] : [], is_private: false, package_id: p + 1 };
      if (random() < 0.25) known.push({ package: pkg, trigger: trigger.split(" ")[0]!, arch });
      const queued = { ...base, updated_at: iso(created), version: null, status: null, worker: null, date: null, duration_seconds: null, last_pass_date: null, last_pass_version: null, message: null, previous_status: null, duration_human: "0s" };
      const r = random();
      if (r < 0.04) {
        records.push(JSON.stringify(queued));
        pending.push({ run_id: base.run_id, package: pkg, arch, suite: "testing", trigger, created_at: base.created_at });
      } else {
        const status = STATUSES[Math.floor(random() * STATUSES.length)]!;
        const finished = created + 60_000 + Math.floor(random() * 7_200_000);
        const duration = 30 + Math.floor(random() * 3000);
        const done = { ...base, updated_at: iso(finished), version: versionOf(p), status, worker: `ci-worker-${arch}-${1 + (p % 12)}`, date: iso(finished), duration_seconds: duration, last_pass_date: iso(created - 86_400_000), last_pass_version: "1.0-1", message: MESSAGES[status], previous_status: "pass", duration_human: `${Math.floor(duration / 60)}m ${duration % 60}s` };
        if (r < 0.16) records.push(JSON.stringify(queued)); // seen queued first, then finished
        records.push(JSON.stringify(done));
        if (!manyTriggers && status !== "pass" && random() < 0.3) batch.push({ pkg: p, trigger, arch }); // a retry of a failure: the same key again
      }
      written++;
    }
    writeFileSync(join(resultsDir, `debci-${Math.floor(since / 1000)}-${Math.floor(until / 1000)}-bench.json`), `{"since":${Math.floor(since / 1000)},"results":[${records.join(",")}],"until":${Math.floor(until / 1000)}}\n`);
  }
  // The snapshot lists what is queued now: the runs above, and as many again whose results are not fetched yet.
  const snapshotSize = Math.max(pending.length * 2, 1000);
  for (let i = pending.length; i < snapshotSize; i++) {
    pending.push({ run_id: runId++, package: packages[pickPackage()], arch: ARCHES[i % ARCHES.length], suite: "testing", trigger: nextTrigger(), created_at: iso(T0 + span - Math.floor(random() * 3 * 86_400_000)) });
  }
  writeFileSync(join(dir, "pending.json"), JSON.stringify({ generated_at: iso(T0 + span), pending }));
  // A release host's ledger holds the request behind every waiting job (a request stays open until a finished run
  // answers it), so plan judges each listed run by the overtaken rule, and builds the queues' view to do it.
  const requests = (pending as Array<{ package: string; arch: string; trigger: string; created_at: string }>).map((p) => ({
    suite: "testing",
    arch: p.arch,
    package: p.package,
    trigger: p.trigger.split(" ")[0]!,
    triggers: p.trigger,
    pinPackages: [],
    huge: false,
    requestedAt: iso(Date.parse(p.created_at) - 60_000),
    batch: "bench.json",
  }));
  writeFileSync(join(dir, "requested.json"), JSON.stringify({ format: "debci-bridge-ledger/1", batches: ["bench.json"], requests }));
  // britney2 asks mostly about keys with history, but a large share (40%) are new: uploads not yet tested.
  // Each need carries what britney2's policy sends (examples/britney2): the version it tests now, and
  // the versions in testing and unstable (a fifth of packages have a newer one in unstable).
  const needs = Array.from({ length: options.needs }, () => {
    const key = random() < 0.6 && known.length > 0 ? known[Math.floor(random() * known.length)]! : { package: packages[pickPackage()]!, trigger: nextTrigger(), arch: ARCHES[Math.floor(random() * ARCHES.length)]! };
    const version = versionOf(packageIndex.get(key.package)!);
    return { ...key, version, versions: random() < 0.2 ? [version, `${version}+b1`] : [version] };
  });
  return { stateDir: dir, results: options.results, files, packages: packageCount, pending: pending.length, needs };
}
