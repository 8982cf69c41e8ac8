import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jsonLines, runCli, spawnCli } from "./support/cli.js";
import { requestsIn } from "./support/outbox.js";
import { SCENARIOS, copyScenarioState, snapshotTree, tempDir } from "./support/temp-state.js";

const NOW = "2026-11-25T12:00:00Z";
const NEEDS = join(SCENARIOS, "new-package", "needs.jsonl");

function holdLock(state: string, pid: number): void {
  writeFileSync(join(state, "debci-bridge.lock"), JSON.stringify({ pid, hostname: hostname(), command: "debci-bridge plan", startedAt: "2026-11-25T11:59:00.000Z" }));
}

describe("the state directory lock", () => {
  it("stops a second committing run with exit 2 and a message naming the holder", async () => {
    const state = copyScenarioState("new-package");
    const holder = spawn("sleep", ["30"]);
    try {
      holdLock(state, holder.pid!);
      const before = snapshotTree(state);
      const run = await spawnCli(["plan", "--state", state, "--needs", NEEDS, "--now", NOW]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain(`locked by pid ${holder.pid} on ${hostname()} (debci-bridge plan) since 2026-11-25T11:59:00.000Z`);
      expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
      expect(snapshotTree(state)).toEqual(before);
    } finally {
      holder.kill();
    }
  });

  it("does not stop a scratch run, which takes no lock", async () => {
    const state = copyScenarioState("new-package");
    const holder = spawn("sleep", ["30"]);
    try {
      holdLock(state, holder.pid!);
      const scratch = tempDir();
      const run = await runCli(["plan", "--state", state, "--needs", NEEDS, "--now", NOW, "--scratch", scratch]);
      expect(run.code, run.stderr).toBe(0);
      expect(requestsIn(scratch)).toHaveLength(3);
    } finally {
      holder.kill();
    }
  });

  it("is taken over when its holder is dead", async () => {
    const state = copyScenarioState("new-package");
    const dead = spawn("true");
    await new Promise((resolve) => dead.on("close", resolve));
    holdLock(state, dead.pid!);
    const run = await runCli(["plan", "--state", state, "--needs", NEEDS, "--now", NOW]);
    expect(run.code, run.stderr).toBe(0);
    expect(requestsIn(join(state, "outbox"))).toHaveLength(3);
  });

  it("keeps two committing runs started at once from interleaving: each key is requested exactly once", async () => {
    for (let round = 0; round < 3; round++) {
      const state = copyScenarioState("new-package");
      const runs = await Promise.all([0, 1].map(() => spawnCli(["plan", "--state", state, "--needs", NEEDS, "--now", NOW])));
      const codes = runs.map((r) => r.code).sort();
      // Either they ran one after the other, or one found the lock held.
      expect([[0, 0], [0, 2]]).toContainEqual(codes);
      for (const r of runs) if (r.code === 2) expect(r.stderr).toMatch(/locked by pid \d+/);
      expect(requestsIn(join(state, "outbox"))).toEqual(["newpkg newpkg/1.0-1 amd64", "newpkg newpkg/1.0-1 arm64", "texlive-base newpkg/1.0-1 amd64 huge"]);
      const answered = runs.filter((r) => r.code === 0).flatMap((r) => jsonLines(r.stdout).map((a) => a.request));
      expect(answered.filter((r) => r !== null)).toHaveLength(3);
    }
  });
});
