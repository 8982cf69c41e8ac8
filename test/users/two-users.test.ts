import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, type CliResult } from "../support/cli.js";
import { FakeDebci } from "../support/fake-debci.js";
import { snapshotTree, SCENARIOS } from "../support/temp-state.js";
import { spawnCliAs, treeEntries, unsharedEntries } from "../support/shared-state.js";

/**
 * One state, two REAL users, as on the release host: britney2's user runs
 * the committing plan and serve, the package's user (the systemd units) runs
 * fetch, submit, compact and prune, each with its own umask, on one state
 * directory shared through a group (mode 2770). Nothing may be refused, and
 * nothing may be left that the other user cannot read or write: lock files
 * and temporary files of killed runs included. A state that is not shared
 * gives the other user exit 1 with one line naming the file and the fix.
 *
 * Root only: creates the group dbtest-shared and the system users
 * dbtest-bridge and dbtest-britney (both in it), and removes them again, on
 * failure too. Runs the built CLI (bin/, dist/). Its own config sets
 * TWO_USERS_TEST=1: npx vitest run --config test/users/vitest.users.config.ts
 */

const GROUP = "dbtest-shared";
const BRIDGE = "dbtest-bridge";
const BRITNEY = "dbtest-britney";
/** britney2's cron often has 022; the units say UMask=0027. */
const UMASK = { [BRITNEY]: "022", [BRIDGE]: "0027" } as const;
type User = typeof BRIDGE | typeof BRITNEY;
const other = (user: User): User => (user === BRIDGE ? BRITNEY : BRIDGE);

const T0 = Date.parse("2026-11-25T12:00:00Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

function sh(command: string, args: string[], allowFailure = false): { code: number | null; stdout: string; stderr: string } {
  const run = spawnSync(command, args, { encoding: "utf8" });
  if (!allowFailure && run.status !== 0) throw new Error(`${command} ${args.join(" ")}: exit ${run.status}: ${run.stderr}`);
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const exists = (database: "passwd" | "group", name: string) => sh("getent", [database, name], true).code === 0;
const idOf = (database: "passwd" | "group", name: string) => Number(sh("getent", [database, name]).stdout.split(":")[2]);

/** Removes the test's users and group: leftovers of an earlier run first, and everything at the end. */
function removeAccounts(): void {
  for (const user of [BRIDGE, BRITNEY]) if (exists("passwd", user)) sh("userdel", [user], true);
  for (const group of [GROUP, BRIDGE, BRITNEY]) if (exists("group", group)) sh("groupdel", [group], true);
}

const enabled = process.env.TWO_USERS_TEST === "1";

describe.skipIf(!enabled)("one state, two users: britney2's user and the units' user share a state through its group", () => {
  let root = "";
  let bin = BIN;
  let sharedGid = -1;
  let needs = "";
  let moreNeeds = "";
  let keyFile = "";
  let fake: FakeDebci | null = null;
  const uid: Record<string, number> = {};

  beforeAll(async () => {
    if (process.getuid?.() !== 0) throw new Error("the two-users suite creates users: run it as root");
    try {
      removeAccounts();
      sh("groupadd", ["--system", GROUP]);
      for (const user of [BRIDGE, BRITNEY]) sh("useradd", ["--system", "--user-group", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", "--groups", GROUP, user]);
      sharedGid = idOf("group", GROUP);
      for (const user of [BRIDGE, BRITNEY]) uid[user] = idOf("passwd", user);

      root = mkdtempSync(join(tmpdir(), "dbtest-users-"));
      chmodSync(root, 0o755); // the users pass through it to their states
      // The users must be able to read the CLI: where the checkout is closed to them, a copy they can read.
      // (TWO_USERS_COPY=1 takes the copy even so, to try that path.)
      const canRun = process.env.TWO_USERS_COPY !== "1" && [BRIDGE, BRITNEY].every((user) => sh("setpriv", [`--reuid=${user}`, `--regid=${user}`, "--init-groups", process.execPath, BIN, "--version"], true).code === 0);
      if (!canRun) {
        const copy = join(root, "debci-bridge");
        const checkout = new URL("../../", import.meta.url).pathname;
        for (const part of ["bin", "dist", "node_modules", "package.json"]) cpSync(join(checkout, part), join(copy, part), { recursive: true });
        sh("chmod", ["-R", "a+rX", copy]);
        bin = join(copy, "bin", "debci-bridge.js");
      }
      needs = join(root, "needs.jsonl");
      copyFileSync(join(SCENARIOS, "new-package", "needs.jsonl"), needs);
      moreNeeds = join(root, "more-needs.jsonl");
      writeFileSync(moreNeeds, '{"package": "otherpkg", "trigger": "otherpkg/2.0-1", "arch": "amd64"}\n');
      chmodSync(needs, 0o644);
      chmodSync(moreNeeds, 0o644);
      fake = await new FakeDebci().start();
      keyFile = join(root, "api-key");
      writeFileSync(keyFile, `${fake.apiKey}\n`);
      chownSync(keyFile, uid[BRIDGE]!, idOf("group", BRIDGE));
      chmodSync(keyFile, 0o600);
    } catch (error) {
      await tearDown();
      throw error;
    }
  });

  async function tearDown(): Promise<void> {
    await fake?.close();
    fake = null;
    if (root !== "") rmSync(root, { recursive: true, force: true });
    removeAccounts();
  }
  afterAll(tearDown);

  /** A state directory: owner, group and mode as an admin makes it. */
  function newState(name: string, owner: User, mode: number): string {
    const state = join(root, name);
    mkdirSync(state);
    chownSync(state, uid[owner]!, sharedGid);
    chmodSync(state, mode);
    return state;
  }

  /** The CLI as `user`, with its groups and its umask. */
  function as(user: User, args: string[], options: { env?: Record<string, string>; stdin?: string; clearGroups?: boolean } = {}): Promise<CliResult> {
    return spawnCliAs({ umask: UMASK[user], user, bin, ...options }, args);
  }

  async function ok(user: User, args: string[], options: { env?: Record<string, string>; stdin?: string } = {}): Promise<CliResult> {
    const run = await as(user, args, options);
    expect(run.code, `${user}: ${args.join(" ")}: ${run.stderr}`).toBe(0);
    return run;
  }

  const http = () => ["--url", fake!.url, "--key-file", keyFile, "--timeout", "5", "--retries", "1", "--backoff", "5"];

  /** What `user` may not read, write or (a directory) enter in the state, as access(2) says for that user. */
  function closedTo(user: User, state: string): string[] {
    const find = sh("setpriv", [`--reuid=${user}`, `--regid=${user}`, "--init-groups", "find", state, "(", "-type", "d", "(", "!", "-readable", "-o", "!", "-writable", "-o", "!", "-executable", ")", ")", "-o", "(", "!", "-type", "d", "(", "!", "-readable", "-o", "!", "-writable", ")", ")", "-print"], true);
    return [...find.stdout.split("\n").filter((l) => l !== ""), ...(find.code === 0 ? [] : [`find: ${find.stderr}`])];
  }

  /** Every file and directory of the state belongs to the group, with the group's bits, and both users may read and write it. */
  function expectShared(state: string, after: string): void {
    expect(unsharedEntries(state, sharedGid), `after ${after}`).toEqual([]);
    for (const user of [BRIDGE, BRITNEY] as const) expect(closedTo(user, state), `after ${after}, closed to ${user}`).toEqual([]);
  }

  const dotFiles = (state: string) => treeEntries(state).filter((e) => e.path !== "." && e.path.split("/").some((part) => part.startsWith(".")));

  // The two sides' turns: britney2's run commits (plan, then serve); the timers fetch, send and maintain.
  async function britneyTurn(state: string, minutes: number): Promise<void> {
    await ok(BRITNEY, ["plan", "--state", state, "--needs", needs, "--now", at(minutes)]);
    expectShared(state, `${BRITNEY}'s plan`);
    const serve = await ok(BRITNEY, ["serve", "--state", state, "--now", at(minutes + 1)], {
      stdin: `${JSON.stringify({ id: 1, method: "need", params: { package: "servedpkg", trigger: `servedpkg/${minutes}`, arch: "amd64" } })}\n${JSON.stringify({ id: 2, method: "commit" })}\n`,
    });
    expect(serve.stdout).toContain('"id":2,"result"');
    expectShared(state, `${BRITNEY}'s serve commit`);
  }

  async function bridgeTurn(state: string, minutes: number): Promise<void> {
    fake!.now = T0 + minutes * 60_000;
    await ok(BRIDGE, ["submit", "--state", state, "--now", at(minutes), ...http()]);
    expectShared(state, `${BRIDGE}'s submit`);
    fake!.now = T0 + (minutes + 2) * 60_000;
    fake!.finish(() => true, "pass");
    await ok(BRIDGE, ["fetch", "--state", state, "--now", at(minutes + 2), ...http()]);
    expectShared(state, `${BRIDGE}'s fetch`);
    await ok(BRIDGE, ["compact", "--state", state, "--now", at(minutes + 3)]);
    expectShared(state, `${BRIDGE}'s compact`);
    await ok(BRIDGE, ["prune", "--state", state, "--older-than", "0", "--now", at(minutes + 3)]);
    expectShared(state, `${BRIDGE}'s prune`);
  }

  /** Runs killed mid-way by one user, their lock and temporary files taken over and removed by the other. */
  async function killedRuns(state: string, minutes: number): Promise<void> {
    const killedPlan = await as(BRITNEY, ["plan", "--state", state, "--needs", moreNeeds, "--now", at(minutes)], { env: { DEBCI_BRIDGE_CRASH_AT: "after-ledger-temp" } });
    expect(killedPlan.signal, killedPlan.stderr).toBe("SIGKILL");
    expect(dotFiles(state).map((e) => e.path)).toEqual([expect.stringMatching(/^\.requested\.json\.\d+\.[0-9a-f]{8}\.tmp$/)]);
    expect(treeEntries(state).find((e) => e.path === "debci-bridge.lock")?.uid).toBe(uid[BRITNEY]);
    expectShared(state, `${BRITNEY}'s plan killed before its ledger's rename`);
    await ok(BRIDGE, ["compact", "--state", state, "--now", at(minutes + 1)]); // takes britney2's dead lock over, removes her temporary file
    expect(dotFiles(state)).toEqual([]);
    expectShared(state, `${BRIDGE}'s compact after it`);

    await ok(BRITNEY, ["plan", "--state", state, "--needs", moreNeeds, "--now", at(minutes + 2)]);
    fake!.now = T0 + (minutes + 3) * 60_000;
    await ok(BRIDGE, ["submit", "--state", state, "--now", at(minutes + 3), ...http()]);
    fake!.now = T0 + (minutes + 4) * 60_000;
    fake!.finish(() => true, "pass");
    await ok(BRIDGE, ["fetch", "--state", state, "--now", at(minutes + 4), ...http()]);
    const killedCompact = await as(BRIDGE, ["compact", "--state", state, "--now", at(minutes + 5)], { env: { DEBCI_BRIDGE_CRASH_AT: "compact-before-rename" } });
    expect(killedCompact.signal, killedCompact.stderr).toBe("SIGKILL");
    expect(dotFiles(state).map((e) => e.path)).toEqual([expect.stringMatching(/^\.compacted\.base\.\d+\.[0-9a-f]{8}\.tmp$/)]);
    expect(treeEntries(state).find((e) => e.path === "debci-bridge.lock")?.uid).toBe(uid[BRIDGE]);
    expectShared(state, `${BRIDGE}'s compact killed before its rename`);
    await ok(BRITNEY, ["plan", "--state", state, "--needs", needs, "--now", at(minutes + 6)]); // takes the units' dead lock over
    expect(dotFiles(state)).toEqual([]);
    expectShared(state, `${BRITNEY}'s plan after it`);
  }

  it("britney2's run first, then the timers, then britney2 again: every command exits 0, every file stays the group's", async () => {
    const state = newState("britney-first", BRIDGE, 0o2770);
    await britneyTurn(state, 0);
    await bridgeTurn(state, 10);
    const answers = (await ok(BRITNEY, ["plan", "--state", state, "--needs", needs, "--now", at(20)])).stdout;
    expect(answers).toContain('"state":"pass"'); // the results the bridge fetched, read by britney2's user
    expectShared(state, `${BRITNEY}'s plan again`);
    await bridgeTurn(state, 30);
    await killedRuns(state, 40);
    // Both users made files here.
    const owners = new Set(treeEntries(state).map((e) => e.uid));
    expect(owners.has(uid[BRIDGE]!) && owners.has(uid[BRITNEY]!), JSON.stringify(treeEntries(state))).toBe(true);
  });

  it("the timers first on a fresh state, then britney2's run, then the timers and britney2 again", async () => {
    const state = newState("bridge-first", BRIDGE, 0o2770);
    fake!.jobs.length = 0;
    await bridgeTurn(state, 100);
    await britneyTurn(state, 110);
    await bridgeTurn(state, 120);
    await britneyTurn(state, 130);
    await killedRuns(state, 140);
  });

  /** One line, naming the file, the user and the fix; never a stack trace or a bare Node message. */
  function expectClearRefusal(run: CliResult, pattern: RegExp, { oneLine = true } = {}): void {
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toMatch(pattern);
    expect(run.stderr).toContain('see "One state, two users" in the admin guide (docs/admin.md)');
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(run.stderr).not.toMatch(/^(Error|EACCES|EPERM)/m);
    if (oneLine) expect(run.stderr.trim().split("\n")).toHaveLength(1);
  }

  for (const owner of [BRIDGE, BRITNEY] as const) {
    it(`a state that is not shared (0750, ${owner}'s): ${other(owner)} gets exit 1 naming the file and the fix, and nothing changes`, async () => {
      const user = other(owner);
      const state = newState(`private-${owner}`, owner, 0o750);
      // The owner's own work, under its umask: files 0640 or 0644, directories 0750 or 0755.
      if (owner === BRIDGE) await ok(BRIDGE, ["fetch", "--state", state, "--now", at(200), ...http()]);
      else await ok(BRITNEY, ["plan", "--state", state, "--needs", needs, "--now", at(200)]);
      const before = snapshotTree(state);
      const refused = owner === BRIDGE ? await as(user, ["plan", "--state", state, "--needs", needs, "--now", at(201)]) : await as(user, ["fetch", "--state", state, "--now", at(201), ...http()]);
      const lock = owner === BRIDGE ? "debci-bridge.lock" : "sync-fetch.lock";
      expectClearRefusal(
        refused,
        new RegExp(`^debci-bridge (plan|fetch): cannot write ${state}/${lock.replace(/\./g, "\\.")}: permission denied for user ${user} \\(uid ${uid[user]}\\); the state ${state} \\(owner ${owner}, group ${GROUP}, mode 0750\\) is not shared: not group-writable, so only its owner may write it\\. To share it with ${user}: make the state group-writable \\(chgrp -R ${GROUP} ${state} && chmod -R g\\+rwX ${state} && find ${state} -type d -exec chmod g\\+s \\{\\} \\+\\); or run every command as one user`),
      );
      expect(snapshotTree(state)).toEqual(before);
      // Not in the state's group at all: the line says to add the user to it as well.
      const outsider = await as(user, ["plan", "--state", state, "--needs", needs, "--now", at(201)], { clearGroups: true });
      expectClearRefusal(outsider, new RegExp(`permission denied for user ${user} .* is not shared: .* To share it with ${user}: add the user to its group \\(adduser ${user} ${GROUP}\\) and make the state group-writable`));
      expect(snapshotTree(state)).toEqual(before);
      // Reading: britney2's umask (022) leaves her files readable to all; the units' (0027) keeps the bridge's
      // from the group, and the directory it made is of its own group (the state is not setgid): a clear exit 1 too.
      const status = await as(user, ["status", "--state", state, "--package", "newpkg", "--trigger", "newpkg/1.0-1", "--arch", "amd64", "--now", at(202)]);
      if (owner === BRITNEY) expect(status.code, status.stderr).toBe(0);
      else expectClearRefusal(status, new RegExp(`^debci-bridge status: cannot read ${state}/results: permission denied for user ${user} \\(uid ${uid[user]}\\); the state ${state} \\(owner ${owner}, group ${GROUP}, mode 0750\\) is not shared`));
    });
  }

  it("a shared state and a user not (yet) in its group: exit 1 saying to add the user to the group", async () => {
    const state = newState("not-in-group", BRIDGE, 0o2770);
    const run = await as(BRITNEY, ["plan", "--state", state, "--needs", needs, "--now", at(300)], { clearGroups: true });
    expectClearRefusal(run, new RegExp(`cannot read: permission denied for user ${BRITNEY} \\(uid ${uid[BRITNEY]}\\); the state ${state} is shared through its group ${GROUP}, which ${BRITNEY} is not in: add the user to it \\(adduser ${BRITNEY} ${GROUP}`));
    expect(readdirSync(state)).toEqual([]);
  });

  it("a shared state with a directory made before it was shared: exit 1 naming that directory; an unreadable file is a warning naming it and the fix", async () => {
    const state = newState("half-shared", BRIDGE, 0o2770);
    await ok(BRIDGE, ["fetch", "--state", state, "--now", at(400), ...http()]);
    const outbox = join(state, "outbox");
    mkdirSync(outbox);
    chownSync(outbox, uid[BRIDGE]!, sharedGid);
    chmodSync(outbox, 0o755);
    const fresh = join(root, "half-shared-needs.jsonl");
    writeFileSync(fresh, '{"package": "halfpkg", "trigger": "halfpkg/1.0-1", "arch": "amd64"}\n');
    chmodSync(fresh, 0o644);
    const refused = await as(BRITNEY, ["plan", "--state", state, "--needs", fresh, "--now", at(401)]);
    expectClearRefusal(refused, new RegExp(`cannot write ${outbox}/\\S+\\.json: permission denied for user ${BRITNEY} .*but ${outbox} \\(owner ${BRIDGE}, group ${GROUP}, mode 0755\\) is not writable by that group .*chgrp -R ${GROUP} ${state} && chmod -R g\\+rwX ${state}`));
    expect(readdirSync(outbox)).toEqual([]);
    expect(readdirSync(state).filter((n) => n.startsWith("."))).toEqual([]);

    chmodSync(outbox, 0o2770);
    const results = join(state, "results");
    const hidden = readdirSync(results).find((n) => n.endsWith(".json"))!;
    chmodSync(join(results, hidden), 0o600);
    const warned = await ok(BRITNEY, ["plan", "--state", state, "--needs", fresh, "--now", at(402)]);
    expect(warned.stderr).toContain(`${join(results, hidden)}: skipped: cannot read: permission denied for user ${BRITNEY} (uid ${uid[BRITNEY]}); the state ${state} is shared through its group ${GROUP}, but ${join(results, hidden)} (owner ${BRIDGE}, group ${GROUP}, mode 0600) is not readable by that group`);
    expect(warned.stderr).not.toMatch(/^\s+at /m);

    // The units' fetch meets a results directory made before the state was shared: exit 1 naming it (not
    // "the CI service is unavailable" after retries: this side's trouble is not the network's), nothing kept.
    chownSync(results, uid[BRITNEY]!, sharedGid);
    chmodSync(results, 0o755);
    const before = readdirSync(results);
    fake!.now = T0 + 403 * 60_000;
    const fetch = await as(BRIDGE, ["fetch", "--state", state, "--now", at(403), ...http()]);
    expectClearRefusal(fetch, new RegExp(`debci-bridge fetch: cannot write ${results}/\\.debci-\\S+\\.tmp: permission denied for user ${BRIDGE} \\(uid ${uid[BRIDGE]}\\); the state ${state} is shared through its group ${GROUP}, but ${results} \\(owner ${BRITNEY}, group ${GROUP}, mode 0755\\) is not writable by that group`), { oneLine: false });
    expect(fetch.stderr).not.toContain("retrying");
    expect(readdirSync(results)).toEqual(before);
  });
});
