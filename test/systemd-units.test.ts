import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN } from "./support/cli.js";
import { batchFiles } from "./support/outbox.js";
import { T0, at, jobsPerKey, syncWorld } from "./support/sync-harness.js";
import { tempDir } from "./support/temp-state.js";

const UNITS = new URL("../systemd/", import.meta.url).pathname;
const unit = (name: string) => readFileSync(join(UNITS, name), "utf8");
const hasSystemdAnalyze = spawnSync("systemd-analyze", ["--version"]).status === 0;

/** A unit's key=value lines of one kind, in order. */
const values = (text: string, key: string) => text.split("\n").filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));

/** The environment file as systemd reads it: KEY=value lines, comments and blanks skipped. */
function environment(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m !== null) env[m[1]!] = m[2]!;
  }
  return env;
}

/** An ExecStart line as systemd splits and expands it (`${VAR}` as one word), the installed state moved to `state`. */
function commandLine(exec: string, env: Record<string, string>, state: string): string[] {
  return exec.split(/\s+/).map((word) => (word === "/var/lib/debci-bridge" ? state : word.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, name: string) => env[name] ?? "")));
}

const w = syncWorld();

describe("the systemd units of the loop", () => {
  it("run as one unprivileged user with the state as the only writable path", () => {
    for (const name of ["debci-bridge-fetch.service", "debci-bridge-submit.service", "debci-bridge-maintenance.service"]) {
      const text = unit(name);
      expect(values(text, "User"), name).toEqual(["debci-bridge"]);
      expect(values(text, "EnvironmentFile"), name).toEqual(["/etc/default/debci-bridge"]);
      expect(values(text, "ProtectSystem"), name).toEqual(["strict"]);
      expect(values(text, "ReadWritePaths"), name).toEqual(["/var/lib/debci-bridge"]);
      expect(values(text, "NoNewPrivileges"), name).toEqual(["yes"]);
      expect(values(text, "PrivateTmp"), name).toEqual(["yes"]);
      expect(values(text, "CapabilityBoundingSet"), name).toEqual([""]);
      // The state every command names is the one writable path (systemd expands no variable in ReadWritePaths),
      // and what the timers create is group-writable for britney2's user; setgid directories are allowed.
      for (const exec of values(text, "ExecStart")) expect(exec, name).toContain("--state /var/lib/debci-bridge ");
      expect(values(text, "UMask"), name).toEqual(["0007"]);
      expect(values(text, "RestrictSUIDSGID"), name).toEqual([]);
      expect(values(text, "StateDirectory"), name).toEqual([]);
      expect(values(text, "Documentation"), name).toEqual(["man:debci-bridge(1) file:///usr/share/doc/debci-bridge/docs/admin.md"]);
      // Every variable a command line uses is set in the environment file.
      const env = environment(readFileSync(join(UNITS, "debci-bridge.default"), "utf8"));
      for (const exec of values(text, "ExecStart")) for (const [, v] of exec.matchAll(/\$\{([A-Za-z_]+)\}/g)) expect(Object.keys(env), `${name}: ${v}`).toContain(v);
    }
    // The directories exist from install, as the units and the README say: the state shared through the group, the key's directory.
    expect(readFileSync(new URL("../debian/debci-bridge.tmpfiles", import.meta.url), "utf8").split("\n").filter((l) => l.startsWith("d "))).toEqual([
      "d /var/lib/debci-bridge 2770 debci-bridge debci-bridge -",
      "d /etc/debci-bridge 0750 root debci-bridge -",
    ]);
    // Nothing but maintenance's own two steps may run without the network; fetch and submit need it.
    expect(values(unit("debci-bridge-maintenance.service"), "PrivateNetwork")).toEqual(["yes"]);
  });

  it.skipIf(!hasSystemdAnalyze)("pass systemd-analyze verify (the program path pointed at this checkout's bin, as the package installs it at /usr/bin)", () => {
    const dir = tempDir();
    for (const name of readdirSync(UNITS).filter((n) => n.endsWith(".service") || n.endsWith(".timer"))) {
      writeFileSync(join(dir, name), unit(name).replaceAll("/usr/bin/debci-bridge", BIN).replace("man:debci-bridge(1) ", ""));
    }
    const run = spawnSync("systemd-analyze", ["verify", ...readdirSync(dir).map((n) => join(dir, n))], { encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
  });

  it("their command lines, as the units spell them, run the loop against the CI service", async () => {
    const env = {
      ...environment(readFileSync(join(UNITS, "debci-bridge.default"), "utf8")),
      DEBCI_URL: w.fake.url,
      DEBCI_KEY_FILE: w.keyFile,
    };
    const run = (name: string, minutes: number) =>
      Promise.all(
        values(unit(name), "ExecStart").map(async (exec) => {
          const [program, ...args] = commandLine(exec, env, w.state);
          expect(program).toBe("/usr/bin/debci-bridge");
          return w.spawn([...args, "--now", at(minutes)], { DEBCI_CA_FILE: (env as Record<string, string>).DEBCI_CA_FILE ?? "" });
        }),
      );
    await w.plan(0); // britney2's run
    w.fake.now = T0 + 60_000;
    for (const r of await run("debci-bridge-submit.service", 1)) expect(r.code, r.stderr).toBe(0);
    expect(Object.values(jobsPerKey(w.fake.jobs))).toEqual([1, 1, 1]);
    expect(batchFiles(join(w.state, "outbox"))).toEqual([]);
    w.fake.now = T0 + 30 * 60_000;
    w.fake.finish(() => true, "pass");
    for (const r of await run("debci-bridge-fetch.service", 31)) expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(join(w.state, "results")).length).toBeGreaterThan(0);
    mkdirSync(join(w.state, "outbox", "sent"), { recursive: true });
    // compact then prune, in the order the unit gives them (systemd runs ExecStart lines one after another).
    const [compact, prune] = values(unit("debci-bridge-maintenance.service"), "ExecStart").map((exec) => commandLine(exec, env, w.state).slice(1));
    expect((await w.spawn([...compact!, "--now", at(40)])).code).toBe(0);
    expect((await w.spawn([...prune!, "--now", at(41)])).code).toBe(0);
    expect(readdirSync(w.state)).toContain("compacted.base");
  });
});

describe("the admin guide and the units agree", () => {
  it("the admin guide's commands are the units' ExecStart lines, and its schedule their timers'", () => {
    const readme = readFileSync(new URL("../docs/admin.md", import.meta.url), "utf8");
    const at = readme.indexOf("What the units run, for a host that schedules them otherwise");
    expect(at).toBeGreaterThan(-1);
    const open = readme.indexOf("```sh\n", at) + "```sh\n".length;
    const block = readme.slice(open, readme.indexOf("```", open)).trim().split("\n");
    const env = environment(readFileSync(join(UNITS, "debci-bridge.default"), "utf8"));
    const units = ["debci-bridge-fetch.service", "debci-bridge-submit.service", "debci-bridge-maintenance.service"];
    const commands = units.flatMap((name) => values(unit(name), "ExecStart").map((exec) => commandLine(exec, env, "/var/lib/debci-bridge").join(" ").replace("/usr/bin/debci-bridge", "debci-bridge")));
    expect(block.filter((l) => !l.startsWith("#"))).toEqual(commands);
    for (const [timer, shown] of [["debci-bridge-fetch.timer", "fetch.timer: "], ["debci-bridge-submit.timer", "submit.timer: "]] as const) {
      expect(block.find((l) => l.includes(shown)), timer).toContain(`${shown}${values(unit(timer), "OnCalendar")[0]}`);
    }
    expect(values(unit("debci-bridge-maintenance.timer"), "OnCalendar")).toEqual(["daily"]);
    for (const name of units) expect(values(unit(name), "UMask")).toEqual(["0007"]);
  });
});
