import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { jsonLines, runCli, spawnCli } from "./support/cli.js";
import { batchFiles } from "./support/outbox.js";
import { ServeClient } from "./support/serve-client.js";
import { SCENARIOS, copyScenarioState, snapshotTree, tempDir } from "./support/temp-state.js";

const NOW = "2026-11-25T12:00:00Z";
const NEEDS = join(SCENARIOS, "pass-to-pass", "needs.jsonl");
const noStackTrace = (text: string) => expect(text).not.toMatch(/\n\s+at /);

describe("input files are bounded", () => {
  it("a gzip bomb is reported as too large, not unpacked", async () => {
    const state = copyScenarioState("pass-to-pass");
    writeFileSync(join(state, "debci-bridge.json"), JSON.stringify({ maxFileBytes: 1 << 20 }));
    // 40 MB of spaces inside a valid body: about 40 KB compressed.
    writeFileSync(join(state, "results", "bomb.json.gz"), gzipSync(Buffer.concat([Buffer.from('{"results":['), Buffer.alloc(40 << 20, 0x20), Buffer.from("]}")])));
    const run = await runCli(["report", "--state", state, "--now", NOW]);
    expect(run.code, run.stderr).toBe(0);
    const skipped = JSON.parse(run.stdout).files.skipped.oldest;
    expect(skipped).toEqual([{ path: join(state, "results", "bomb.json.gz"), kind: "results", problem: `too large: decompresses to over the limit of ${1 << 20} bytes (maxFileBytes in debci-bridge.json)` }]);
  });

  it("a plain file over the limit is reported by its size, and the others still answer", async () => {
    const state = copyScenarioState("pass-to-pass");
    writeFileSync(join(state, "debci-bridge.json"), JSON.stringify({ maxFileBytes: 4096 }));
    writeFileSync(join(state, "results", "big.json"), JSON.stringify({ results: [], pad: "x".repeat(10_000) }));
    const run = await runCli(["plan", "--state", state, "--needs", NEEDS, "--now", NOW, "--scratch", tempDir()]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/big\.json: skipped: too large: 10\d\d\d bytes, over the limit of 4096 bytes/);
    expect(jsonLines(run.stdout)[0]).toMatchObject({ state: "pass" });
  });

  it("a symbolic link out of results/ is reported as such; the file it points to is never read or quoted", async () => {
    const state = copyScenarioState("pass-to-pass");
    const outside = join(tempDir(), "secret.txt");
    writeFileSync(outside, "root:x:0:0:secret-line\n");
    symlinkSync(outside, join(state, "results", "link.json"));
    // A link within the directory is fine.
    symlinkSync(join(state, "results", readdirSync(join(state, "results"))[0]!), join(state, "results", "alias.json"));
    const run = await runCli(["report", "--state", state, "--now", NOW]);
    expect(run.code).toBe(0);
    expect(run.stdout + run.stderr).not.toContain("root:x");
    expect(JSON.parse(run.stdout).files.skipped.oldest).toEqual([{ path: join(state, "results", "link.json"), kind: "results", problem: "a symbolic link to a file outside its directory: not read" }]);
  });
});

describe("the state directory and the scratch outbox", () => {
  const commands = (state: string, needs: string): string[][] => [
    ["plan", "--state", state, "--needs", needs, "--now", NOW],
    ["status", "--state", state, "--package", "baz", "--trigger", "glibc/2.41-7", "--arch", "amd64", "--now", NOW],
    ["report", "--state", state, "--now", NOW],
    ["serve", "--state", state, "--now", NOW],
    ["export-britney", "--state", state, "--out", tempDir(), "--now", NOW],
    ["import-amqp", "--state", state, join(SCENARIOS, "..", "britney2-files", "debci.input"), "--now", NOW],
    ["compact", "--state", state, "--now", NOW],
    ["prune", "--state", state, "--older-than", "1", "--now", NOW],
    ["watermark", "--state", state, "--now", NOW],
    ["fetch", "--state", state, "--url", "http://127.0.0.1:9", "--now", NOW],
    ["submit", "--state", state, "--url", "http://127.0.0.1:9", "--now", NOW],
  ];

  it("a state directory that does not exist is exit 1 naming it, for every command, and nothing is created", async () => {
    const missing = join(tempDir(), "typo");
    for (const args of commands(missing, NEEDS)) {
      const run = await runCli(args);
      expect(run.code, `${args[0]}: ${run.stderr}`).toBe(1);
      expect(run.stderr).toContain(`state directory ${missing}: no such directory`);
      noStackTrace(run.stderr);
    }
    expect(existsSync(missing)).toBe(false);
  });

  it("a state that is a file is exit 1 too; an empty directory is a fresh state", async () => {
    const file = join(tempDir(), "file");
    writeFileSync(file, "");
    expect((await runCli(["report", "--state", file, "--now", NOW])).stderr).toContain(`state directory ${file}: not a directory`);
    const empty = tempDir();
    const run = await runCli(["plan", "--state", empty, "--needs", NEEDS, "--now", NOW]);
    expect(run.code, run.stderr).toBe(0);
    expect(batchFiles(join(empty, "outbox"))).toHaveLength(1);
  });

  it("--scratch inside the state (or equal to a part moved elsewhere) is refused, and nothing is written", async () => {
    const state = copyScenarioState("pass-to-pass");
    const before = snapshotTree(state);
    const movedOutbox = join(tempDir(), "elsewhere-outbox");
    for (const [scratch, extra] of [[join(state, "outbox"), []], [state, []], [join(state, "results", "x"), []], [movedOutbox, ["--outbox", movedOutbox]]] as Array<[string, string[]]>) {
      const run = await runCli(["plan", "--state", state, "--needs", NEEDS, "--now", NOW, "--scratch", scratch, ...extra]);
      expect(run.code, scratch).toBe(1);
      expect(run.stderr).toMatch(/--scratch .*: inside the state/);
    }
    expect(snapshotTree(state)).toEqual(before);
    expect(existsSync(movedOutbox)).toBe(false);
  });

  it("numeric flags outside their range are refused with the range", async () => {
    const state = copyScenarioState("pass-to-pass");
    const backoff = await runCli(["fetch", "--state", state, "--url", "http://127.0.0.1:9", "--backoff", "1e12"]);
    expect(backoff.code).toBe(1);
    expect(backoff.stderr).toContain("--backoff: expected a number from 0 to 600000 (ms), got \"1e12\"");
    const overlap = await runCli(["watermark", "--state", state, "--overlap", "1e20"]);
    expect(overlap.code).toBe(1);
    expect(overlap.stderr).toContain("--overlap: expected a number from 0 to 10080 (minutes)");
  });
});

describe("a committing run waits for the lock when asked (--wait)", () => {
  it("fails at once without --wait, waits out a holder with it, and gives up after the wait", async () => {
    const state = copyScenarioState("pass-to-pass");
    const holder = new ServeClient(["--state", state, "--now", NOW]); // a committing server holds the lock while its input is open
    expect(await holder.call(1, "report")).toMatchObject({ id: 1 });
    const at = ["plan", "--state", state, "--needs", NEEDS, "--now", NOW];
    expect((await runCli(at)).code).toBe(2);
    const short = await runCli([...at, "--wait", "0.3"]);
    expect(short.code).toBe(2);
    expect(short.stderr).toContain("state directory is locked by pid");
    const patient = spawnCli([...at, "--wait", "30"]);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await holder.end()).toBe(0);
    const run = await patient;
    expect(run.code, run.stderr).toBe(0);
  });

  it("takes the wait from debci-bridge.json too", async () => {
    const state = copyScenarioState("pass-to-pass");
    writeFileSync(join(state, "debci-bridge.json"), JSON.stringify({ wait: 30 }));
    const holder = new ServeClient(["--state", state, "--now", NOW]);
    expect(await holder.call(1, "report")).toMatchObject({ id: 1 });
    const patient = spawnCli(["compact", "--state", state, "--now", NOW]);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await holder.end()).toBe(0);
    expect((await patient).code).toBe(0);
  });
});

/**
 * Write errors for real: the state lives on a 64 KiB tmpfs (mounted here,
 * as root) that a test fills up or makes read-only.
 */
describe("write errors name the path and leave nothing behind", () => {
  const mounts: string[] = [];
  afterEach(() => {
    while (mounts.length > 0) execFileSync("umount", ["-l", mounts.pop()!]);
  });
  const smallFs = () => {
    const dir = tempDir();
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir]);
    mounts.push(dir);
    return dir;
  };

  it("a full disk (ENOSPC): exit 1 naming the file, no temporary file, and the next run on a freed disk commits", async () => {
    const fs = smallFs();
    const state = join(fs, "state");
    mkdirSync(state);
    const filler = join(fs, "filler");
    try {
      execFileSync("dd", ["if=/dev/zero", `of=${filler}`, "bs=1k", "count=100"], { stdio: "ignore" });
    } catch {
      // dd stops when the disk is full: exactly what is wanted
    }
    const run = await runCli(["plan", "--state", state, "--needs", NEEDS, "--now", NOW]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`cannot write ${state}/\\S+: ENOSPC`));
    noStackTrace(run.stderr);
    expect(readdirSync(state)).toEqual([]);
    execFileSync("rm", [filler]);
    const again = await runCli(["plan", "--state", state, "--needs", NEEDS, "--now", NOW]);
    expect(again.code, again.stderr).toBe(0);
    expect(batchFiles(join(state, "outbox"))).toHaveLength(1);
  });

  it("a read-only file system (EROFS): exit 1 naming the file, the state unchanged", async () => {
    const fs = smallFs();
    const state = join(fs, "state");
    mkdirSync(state);
    writeFileSync(join(state, "pending.json"), readFileSync(join(SCENARIOS, "pass-to-pass", "state", "pending.json")));
    execFileSync("mount", ["-o", "remount,ro", fs]);
    const before = snapshotTree(state);
    const run = await runCli(["plan", "--state", state, "--needs", NEEDS, "--now", NOW]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(new RegExp(`cannot write ${state}/\\S+: EROFS`));
    expect(snapshotTree(state)).toEqual(before);
  });
});
