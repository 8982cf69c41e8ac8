/**
 * Known states for the report's tests (written into temporary directories;
 * tests never write into testdata/).
 */
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const DEMO_STATE = new URL("../../testdata/demo/state/", import.meta.url).pathname;
export const NOW = "2026-11-25T12:00:00Z";

/** A package name that is a script, and an arch that is an image with a handler: both must show as text. */
export const HOSTILE_PACKAGE = `<script>document.body.setAttribute("data-pwned","script")</script>`;
export const HOSTILE_ARCH = `<img src=x onerror="document.body.setAttribute('data-pwned','img')">`;
export const HOSTILE_MESSAGE = `Invalid package name: <b onmouseover=alert(1)>&amp;</b>`;

export const ARCHES = ["amd64", "arm64", "armhf", "i386", "ppc64el", "s390x"] as const;

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** A copy of the demo state (testdata/demo/state) in `dir`. */
export function copyDemoState(dir: string): string {
  const state = join(dir, "state");
  cpSync(DEMO_STATE, state, { recursive: true });
  return state;
}

export interface LostStateFacts {
  state: string;
  lost: number;
  /** The lost requests' times, oldest first. */
  oldestRequestedAt: string;
  hostileKey: string;
  inFlight: number;
  refused: number;
  /** Requests per arch among the lost (the hostile one on HOSTILE_ARCH). */
  lostPerArch: Record<string, number>;
}

/**
 * A state with `lost` requests the CI service no longer knows: a ledger of
 * them, a pending snapshot taken after them that lists none, and no run
 * answering any. Besides: results in two files with a gap between them, a
 * few keys in flight (snapshot entries and fresh requests), one refusal,
 * and hostile names (a package `<script>`, an arch `<img onerror>`, a
 * refusal message with markup), the hostile request the oldest of all.
 */
export function makeLostState(dir: string, lost = 20_000, now = Date.parse(NOW)): LostStateFacts {
  const state = join(dir, "state");
  mkdirSync(join(state, "results"), { recursive: true });
  mkdirSync(join(state, "outbox", "rejected"), { recursive: true });
  const snapshotAt = now - HOUR / 2;
  const batches: string[] = [];
  const requests: unknown[] = [];
  const lostPerArch: Record<string, number> = {};
  const request = (arch: string, pkg: string, trigger: string, at: number) => {
    // One batch an hour, as britney2's runs would write them.
    const batch = `${iso(at).replace(/[-:]/g, "").slice(0, 11)}0000Z-1057a1e0.json`;
    if (batches[batches.length - 1] !== batch && !batches.includes(batch)) batches.push(batch);
    requests.push({ suite: "testing", arch, package: pkg, trigger, triggers: trigger, pinPackages: [], huge: false, requestedAt: iso(at), batch });
  };
  // Lost: spread over the 4 days up to an hour before the snapshot (past the grace period); the hostile one first.
  const first = snapshotAt - HOUR - 4 * 24 * HOUR;
  request(HOSTILE_ARCH, HOSTILE_PACKAGE, "glibc/2.41-7", first - HOUR);
  lostPerArch[HOSTILE_ARCH] = 1;
  for (let i = 1; i < lost; i++) {
    const arch = ARCHES[i % ARCHES.length]!;
    lostPerArch[arch] = (lostPerArch[arch] ?? 0) + 1;
    request(arch, `pkg${i}`, `src${i % 97}/1.${i % 13}-1`, first + Math.floor((i * 4 * 24 * HOUR) / lost));
  }
  // In flight: three fresh requests the snapshot cannot know yet (younger than it, less the grace period).
  for (let i = 0; i < 3; i++) request("amd64", `fresh${i}`, "glibc/2.41-7", snapshotAt + (i + 1) * 60_000);
  const refusedBatch = "20261124T100000Z-rrrr0001.json";
  batches.push(refusedBatch);
  writeFileSync(join(state, "requested.json"), JSON.stringify({ format: "debci-bridge-ledger/1", batches, requests }));
  // The snapshot: two runs in flight, one for two days.
  const pending = [
    { run_id: 9001, package: "queued-long", arch: "arm64", suite: "testing", trigger: "glibc/2.41-7", created_at: iso(now - 2 * 24 * HOUR) },
    { run_id: 9002, package: "queued-now", arch: "amd64", suite: "testing", trigger: "glibc/2.41-7", created_at: iso(now - 2 * HOUR) },
  ];
  writeFileSync(join(state, "pending.json"), JSON.stringify({ generated_at: iso(snapshotAt), pending }));
  // Results in two windows with a 3-hour gap between them.
  const run = (id: number, pkg: string, arch: string, status: string, at: number) => ({
    run_id: id, trigger: "glibc/2.41-7", package: pkg, arch, suite: "testing", version: "1.0-1", status, created_at: iso(at), updated_at: iso(at),
  });
  const windowA = { since: (now - 5 * 24 * HOUR) / 1000, until: (now - 30 * HOUR) / 1000 };
  const windowB = { since: (now - 27 * HOUR) / 1000, until: (now - HOUR) / 1000 };
  writeFileSync(join(state, "results", "20261120T120000.json"), JSON.stringify({ ...windowA, results: [run(8001, "passes", "amd64", "pass", now - 40 * HOUR), run(8002, HOSTILE_PACKAGE, "amd64", "fail", now - 35 * HOUR)] }));
  writeFileSync(join(state, "results", "20261124T090000.json"), JSON.stringify({ ...windowB, results: [run(8003, "passes", "arm64", "pass", now - 20 * HOUR), run(8004, "fails", "i386", "fail", now - 10 * HOUR)] }));
  // One refusal: the sent batch's refused part and why.
  writeFileSync(join(state, "outbox", "rejected", refusedBatch), JSON.stringify([{ suite: "testing", arch: ["amd64"], tests: [{ package: "Bad_Name", trigger: "glibc/2.41-7", "pin-packages": [] }] }]));
  writeFileSync(
    join(state, "outbox", "rejected", refusedBatch.replace(/\.json$/, ".reason.json")),
    JSON.stringify({ refusedAt: iso(now - 25 * HOUR), entries: [{ suite: "testing", arch: "amd64", package: "Bad_Name", trigger: "glibc/2.41-7", message: HOSTILE_MESSAGE }] }),
  );
  return {
    state,
    lost,
    oldestRequestedAt: iso(first - HOUR),
    hostileKey: `${HOSTILE_PACKAGE} glibc/2.41-7 on testing/${HOSTILE_ARCH}`,
    inFlight: 5,
    refused: 1,
    lostPerArch,
  };
}
