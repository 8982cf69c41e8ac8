import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, expect } from "vitest";
import { jsonLines, runCli, spawnCli, type CliResult } from "./cli.js";
import { FakeDebci } from "./fake-debci.js";
import { SCENARIOS, copyScenarioState, snapshotTree, tempDir } from "./temp-state.js";

export const T0 = Date.parse("2026-11-25T12:00:00Z");
export const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
export const NEEDS = join(SCENARIOS, "new-package", "needs.jsonl");

/**
 * One sync test's world: a faithful fake debci, a state directory (a copy of
 * the new-package scenario), a key file, and CLI runners that keep every
 * output, so that each test ends by proving no output held an API key.
 */
export class SyncWorld {
  fake!: FakeDebci;
  state!: string;
  keyFile!: string;
  /** Every stdout and stderr of every command this test ran. */
  readonly outputs: string[] = [];
  /** Every API key the fake ever accepted in this test. */
  readonly keys: string[] = [];

  async setUp(): Promise<void> {
    this.fake = await new FakeDebci().start();
    this.state = copyScenarioState("new-package");
    this.keyFile = join(tempDir(), "key");
    this.writeKey(this.fake.apiKey);
  }

  writeKey(key: string): void {
    this.keys.push(key);
    writeFileSync(this.keyFile, `${key}\n`);
    chmodSync(this.keyFile, 0o600);
  }

  http(): string[] {
    return ["--url", this.fake.url, "--key-file", this.keyFile, "--timeout", "0.5", "--retries", "2", "--backoff", "5"];
  }

  async cli(args: string[], stdin = ""): Promise<CliResult> {
    const run = await runCli(args, stdin);
    this.outputs.push(run.stdout, run.stderr);
    return run;
  }

  async spawn(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
    const run = await spawnCli(args, env);
    this.outputs.push(run.stdout, run.stderr);
    return run;
  }

  submit(minutes?: number, extra: string[] = []): Promise<CliResult> {
    if (minutes !== undefined) this.fake.now = T0 + minutes * 60_000;
    return this.cli(["submit", "--state", this.state, ...this.http(), ...(minutes === undefined ? [] : ["--now", at(minutes)]), ...extra]);
  }

  fetchAt(minutes: number, extra: string[] = []): Promise<CliResult> {
    this.fake.now = T0 + minutes * 60_000;
    return this.cli(["fetch", "--state", this.state, ...this.http(), "--now", at(minutes), ...extra]);
  }

  async plan(minutes: number, needs = NEEDS): Promise<Array<Record<string, unknown>>> {
    const run = await this.cli(["plan", "--state", this.state, "--needs", needs, "--now", at(minutes)]);
    expect(run.code, run.stderr).toBe(0);
    return jsonLines(run.stdout);
  }

  /** No output of this test, nor any file it left in the state, holds a key. */
  assertNoKeyLeaked(): void {
    const files = Object.values(snapshotTree(this.state)).map((b64) => Buffer.from(b64, "base64").toString("utf8"));
    for (const key of this.keys) {
      for (const output of this.outputs) expect(output.includes(key), `an output holds the API key: ${output.slice(0, 200)}`).toBe(false);
      for (const file of files) expect(file.includes(key), "a file of the state holds the API key").toBe(false);
    }
  }

  async tearDown(): Promise<void> {
    await this.fake.close();
  }
}

/** Sets up a SyncWorld around each test of the calling file, and checks for leaked keys after each. */
export function syncWorld(): SyncWorld {
  const world = new SyncWorld();
  beforeEach(async () => {
    (world as { outputs: string[] }).outputs.length = 0;
    (world as { keys: string[] }).keys.length = 0;
    await world.setUp();
  });
  afterEach(async () => {
    await world.tearDown();
    world.assertNoKeyLeaked();
  });
  return world;
}

export const states = (answers: Array<Record<string, unknown>>) => answers.map((a) => `${a.package}/${a.arch}: ${a.state}${a.request ? ` (asked: ${a.request})` : ""}${a.held ? ` (held: ${a.held})` : ""}`);

/** How many jobs the service holds per test key: exactly-once delivery means 1 for each. */
export function jobsPerKey(jobs: ReadonlyArray<{ suite: string; arch: string; package: string; trigger: string | null }>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const j of jobs) {
    const key = `${j.suite}/${j.arch} ${j.package} ${j.trigger}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}
