import { chmodSync, cpSync, existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeDebci } from "./support/fake-debci.js";
import { octal, shareTree, spawnCliAs, startCliAs, treeEntries, unsharedEntries } from "./support/shared-state.js";
import { TESTDATA, SCENARIOS, tempDir } from "./support/temp-state.js";

/**
 * One state, two users: a state whose directory is group-writable is shared,
 * and everything debci-bridge makes in it is group-readable and -writable
 * (directories setgid) whatever the umask; any other state keeps the
 * umask's modes. Every run here is a real process under `umask 077`, the
 * harshest a caller may have. (The two real users: test/users/.)
 */

const NOW = "2026-11-25T12:00:00Z";
const LATER = "2026-11-25T13:00:00Z";
const DEMO_NEEDS = join(TESTDATA, "demo", "needs.jsonl");
const AMQP = join(TESTDATA, "britney2-files", "debci.input");
const UMASK = "077";

/** A temporary copy of the demo state. */
function demoState(): string {
  const state = join(tempDir(), "state");
  cpSync(join(TESTDATA, "demo", "state"), state, { recursive: true });
  return state;
}

const run = (args: string[], env: Record<string, string> = {}) => spawnCliAs({ umask: UMASK, env }, args);

async function ok(args: string[], env: Record<string, string> = {}): Promise<void> {
  const result = await run(args, env);
  expect(result.code, `${args.join(" ")}: ${result.stderr}`).toBe(0);
}

const modeOf = (path: string) => statSync(path).mode & 0o7777;
const dotFiles = (dir: string) => readdirSync(dir).filter((n) => n.startsWith("."));

describe("a shared state (its directory group-writable): what debci-bridge makes is the group's", () => {
  it("a committing plan, import-amqp, compact and prune under umask 077: every file group-rw, every directory group-rwx and setgid", async () => {
    const state = demoState();
    shareTree(state);
    expect(unsharedEntries(state)).toEqual([]);

    await ok(["plan", "--state", state, "--needs", DEMO_NEEDS, "--now", NOW]);
    // Made by the run: exactly the group's bits added to what umask 077 leaves (nothing for others).
    const outbox = join(state, "outbox");
    expect(octal(modeOf(outbox))).toBe("02770");
    const batches = readdirSync(outbox);
    expect(batches.length).toBeGreaterThan(0);
    for (const name of batches) expect(octal(modeOf(join(outbox, name))), name).toBe("0660");
    expect(octal(modeOf(join(state, "requested.json")))).toBe("0660");

    await ok(["import-amqp", "--state", state, AMQP, "--now", LATER]);
    await ok(["compact", "--state", state, "--now", LATER]);
    expect(octal(modeOf(join(state, "compacted.base")))).toBe("0660");
    await ok(["prune", "--state", state, "--older-than", "0", "--now", LATER]);
    expect(readdirSync(join(state, "results"))).toEqual([]); // prune did its work

    expect(unsharedEntries(state)).toEqual([]);
    expect(existsSync(join(state, "debci-bridge.lock"))).toBe(false);
  });

  it("the lock and the temporary files a killed run leaves are the group's too: shared before the rename, never after", async () => {
    const state = demoState();
    shareTree(state);
    const killed = await run(["plan", "--state", state, "--needs", DEMO_NEEDS, "--now", NOW], { DEBCI_BRIDGE_CRASH_AT: "after-ledger-temp" });
    expect(killed.signal).toBe("SIGKILL");
    // The ledger's temporary file, flushed and about to be renamed: already 0660.
    const temps = dotFiles(state).filter((n) => n.startsWith(".requested.json."));
    expect(temps).toHaveLength(1);
    expect(octal(modeOf(join(state, temps[0]!)))).toBe("0660");
    expect(octal(modeOf(join(state, "debci-bridge.lock")))).toBe("0660");
    expect(unsharedEntries(state)).toEqual([]);

    const compacting = await run(["compact", "--state", state, "--now", LATER], { DEBCI_BRIDGE_CRASH_AT: "compact-before-rename" });
    expect(compacting.signal).toBe("SIGKILL");
    expect(dotFiles(state).filter((n) => n.startsWith(".compacted.base."))).toHaveLength(1);
    expect(unsharedEntries(state)).toEqual([]);

    // The next run takes the dead run's lock over and removes the dead runs' temporary files.
    await ok(["plan", "--state", state, "--needs", DEMO_NEEDS, "--now", LATER]);
    expect(dotFiles(state)).toEqual([]);
    expect(unsharedEntries(state)).toEqual([]);
  });

  it("parts moved out of the state with --outbox and --ledger are the group's too", async () => {
    const state = demoState();
    shareTree(state);
    const elsewhere = tempDir();
    const outbox = join(elsewhere, "spool", "outbox");
    const ledger = join(elsewhere, "ledger", "requested.json");
    await ok(["plan", "--state", state, "--needs", DEMO_NEEDS, "--now", NOW, "--outbox", outbox, "--ledger", ledger]);
    expect(octal(modeOf(outbox))).toBe("02770");
    for (const name of readdirSync(outbox)) expect(octal(modeOf(join(outbox, name))), name).toBe("0660");
    expect(octal(modeOf(ledger))).toBe("0660");
    expect(octal(modeOf(join(elsewhere, "ledger")))).toBe("02770");
    // Not a part of the state: the directory above the outbox is the umask's.
    expect(octal(modeOf(join(elsewhere, "spool")))).toBe("0700");
  });

  describe("fetch and submit", () => {
    let fake: FakeDebci;
    beforeEach(async () => {
      fake = await new FakeDebci().start();
    });
    afterEach(async () => {
      await fake.close();
    });

    const at = (minutes: number) => new Date(Date.parse(NOW) + minutes * 60_000).toISOString();

    it("results slices, pending.json, the reject list, outbox/sent, outbox/rejected, sending marks and the sync locks under umask 077", async () => {
      const state = join(tempDir(), "state");
      cpSync(join(SCENARIOS, "new-package", "state"), state, { recursive: true });
      shareTree(state);
      const keyFile = join(tempDir(), "key");
      writeFileSync(keyFile, `${fake.apiKey}\n`);
      chmodSync(keyFile, 0o600);
      const http = ["--url", fake.url, "--key-file", keyFile, "--timeout", "5", "--retries", "2", "--backoff", "5"];
      fake.arches = ["amd64", "i386"]; // arm64 refused: a refusal file
      await ok(["plan", "--state", state, "--needs", join(SCENARIOS, "new-package", "needs.jsonl"), "--now", at(0)]);

      // Killed between the service's 201 and the move: its sending mark and its lock stay.
      fake.now = Date.parse(at(1));
      const killed = await run(["submit", "--state", state, "--now", at(1), ...http], { DEBCI_BRIDGE_CRASH_AT: "submit-after-post" });
      expect(killed.signal).toBe("SIGKILL");
      expect(octal(modeOf(join(state, "outbox", "sending")))).toBe("02770");
      for (const name of readdirSync(join(state, "outbox", "sending"))) expect(octal(modeOf(join(state, "outbox", "sending", name)))).toBe("0660");
      expect(octal(modeOf(join(state, "sync-submit.lock")))).toBe("0660");
      expect(unsharedEntries(state)).toEqual([]);

      fake.now = Date.parse(at(2));
      const submitted = await run(["submit", "--state", state, "--now", at(2), ...http]);
      expect(submitted.code, submitted.stderr).toBe(4); // the arm64 entry refused, the rest sent
      expect(readdirSync(join(state, "outbox", "rejected")).length).toBeGreaterThan(0);
      expect(readdirSync(join(state, "outbox", "sent")).length).toBeGreaterThan(0);

      // A fetch killed while it streams an endless answer: its lock and its slice's temporary file.
      fake.now = Date.parse(at(5));
      fake.inject("endless", "/api/v1/test");
      // One slice at most, and no end of its own: only the kill stops it, in the middle of that slice.
      const streaming = startCliAs({ umask: UMASK }, ["fetch", "--state", state, "--now", at(5), ...http, "--retries", "0", "--slice-bytes", String(2 ** 30), "--max-bytes", String(2 ** 40)]);
      const results = join(state, "results");
      // Killed once a slice holds data: its first write comes after the chmod (a kill between open and chmod could
      // leave a temporary file of the umask's mode, which either user's next run removes: the directory is the group's).
      const writing = () => existsSync(results) && dotFiles(results).some((n) => statSync(join(results, n), { throwIfNoEntry: false })?.size);
      for (let i = 0; i < 2000 && !writing(); i++) await new Promise((r) => setTimeout(r, 10));
      streaming.kill("SIGKILL");
      await streaming.done;
      const slices = dotFiles(results);
      expect(slices.length).toBeGreaterThan(0);
      for (const name of slices) expect(octal(modeOf(join(results, name))), name).toBe("0660");
      expect(octal(modeOf(results))).toBe("02770");
      expect(octal(modeOf(join(state, "sync-fetch.lock")))).toBe("0660");
      expect(unsharedEntries(state)).toEqual([]);

      fake.finish(() => true, "pass");
      fake.rejectList = { flood: { testing: { amd64: { "*": "floods the queue" } } } };
      fake.now = Date.parse(at(10));
      await ok(["fetch", "--state", state, "--now", at(10), ...http]);
      expect(readdirSync(results).filter((n) => n.endsWith(".json")).length).toBeGreaterThan(0);
      for (const file of ["pending.json", "reject-list.json"]) expect(octal(modeOf(join(state, file))), file).toBe("0660");
      expect(unsharedEntries(state)).toEqual([]);
      expect(dotFiles(results)).toEqual([]); // the killed fetch's slices were removed by the next
    });
  });
});

describe("a state that is not shared keeps today's modes: the umask's", () => {
  it("under umask 077 every file and directory that plan, import-amqp, compact and prune make is the owner's alone", async () => {
    const state = demoState();
    chmodSync(state, 0o755);
    const before = new Set(treeEntries(state).map((e) => e.path));
    await ok(["plan", "--state", state, "--needs", DEMO_NEEDS, "--now", NOW]);
    await ok(["import-amqp", "--state", state, AMQP, "--now", LATER]);
    await ok(["compact", "--state", state, "--now", LATER]);
    await ok(["prune", "--state", state, "--older-than", "0", "--now", LATER]);
    const made = treeEntries(state).filter((e) => !before.has(e.path) || ["requested.json"].includes(e.path));
    expect(made.map((e) => e.path)).toEqual(expect.arrayContaining(["outbox", "requested.json", "compacted.base"]));
    for (const e of made) expect(`${e.path} ${octal(e.mode)}`).toBe(`${e.path} ${e.dir ? "0700" : "0600"}`);
    expect(octal(modeOf(state))).toBe("0755");
  });

  it("under umask 022 they are 0644 and 0755, as before", async () => {
    const state = demoState();
    chmodSync(state, 0o750);
    await spawnCliAs({ umask: "022" }, ["plan", "--state", state, "--needs", DEMO_NEEDS, "--now", NOW]);
    expect(octal(modeOf(join(state, "outbox")))).toBe("0755");
    expect(octal(modeOf(join(state, "requested.json")))).toBe("0644");
    for (const name of readdirSync(join(state, "outbox"))) expect(octal(modeOf(join(state, "outbox", name)))).toBe("0644");
  });
});
