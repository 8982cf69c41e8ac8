import { execFile } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN } from "./support/cli.js";
import { requestsIn } from "./support/outbox.js";
import { copyScenarioState, tempDir } from "./support/temp-state.js";

const SCRIPT = new URL("../examples/britney2/run-britney2.sh", import.meta.url).pathname;

/**
 * A stand-in for britney2 (CI cannot fetch the real one): like britney2 in
 * Debian's file mode, it reads nothing but what export-britney wrote and
 * writes its requests to debci.input in the form send_test_request writes
 * them (britney2/policies/autopkgtest.py: `QUEUE:SRC {"triggers": ["T1 T2"],
 * "submit-time": ...}`), then exits with the code it is given.
 */
const STUB = `
const { appendFileSync, existsSync } = require("node:fs");
const dir = process.env.BRITNEY_STATE;
if (!existsSync(dir + "/debci.json") || !existsSync(dir + "/autopkgtest-results.cache") || !existsSync(dir + "/autopkgtest-pending.json")) process.exit(9);
for (const line of JSON.parse(process.env.STUB_LINES)) appendFileSync(dir + "/debci.input", line + "\\n");
process.exit(Number(process.env.STUB_EXIT));
`;

function runScript(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile("sh", [SCRIPT], { env: { ...process.env, ...env } }, (error, _stdout, stderr) => resolve({ code: error === null ? 0 : Number((error as { code?: number }).code), stderr }));
  });
}

describe("examples/britney2/run-britney2.sh", () => {
  const world = () => {
    const stub = join(tempDir(), "britney.cjs");
    writeFileSync(stub, STUB);
    const britneyState = tempDir();
    // britney2's own configuration, read by both debci-bridge steps: the scenario's rules (no retry, no reference age) and the places.
    const conf = join(tempDir(), "britney.conf");
    const confLines = (amqp: string) =>
      [`STATE_DIR = ${britneyState}`, "ADT_ARCHES = amd64 arm64", `ADT_SWIFT_URL = file://${britneyState}/debci.json`, `ADT_AMQP = ${amqp}`, "ADT_SHARED_RESULTS_CACHE =", "ADT_BASELINE = reference", "ADT_RETRY_OLDER_THAN =", ""].join("\n");
    writeFileSync(conf, confLines(`file://${britneyState}/debci.input`));
    return {
      bridge: copyScenarioState("fail-then-pending-rerun"),
      britneyState,
      conf,
      useAmqp: (url: string) => writeFileSync(conf, confLines(url)),
      // BRITNEY_STATE is for the stand-in only, which has no britney.conf reader: the script itself takes every place from BRITNEY_CONF.
      env: (lines: string[], exit = 0) => ({ BRIDGE_STATE: "", BRITNEY_STATE: britneyState, BRITNEY: stub, BRITNEY_CONF: conf, PYTHON: process.execPath, DEBCI_BRIDGE: `${process.execPath} ${BIN}`, DEBCI_URL: "", STUB_LINES: JSON.stringify(lines), STUB_EXIT: String(exit) }),
    };
  };
  const line = (pkg: string, arch: string, triggers: string) => `debci-testing-${arch}:${pkg} {"triggers": ["${triggers}"], "submit-time": "2026-11-25 12:00:00+0000"}`;

  it("exports, runs britney2 on the export, and imports its requests into the outbox; offline, no fetch or submit", async () => {
    const w = world();
    const run = await runScript({ ...w.env([line("qux", "arm64", "glibc/2.41-7 gcc-14/14.2.0-5")]), BRIDGE_STATE: w.bridge });
    expect(run.code, run.stderr).toBe(0);
    expect(existsSync(join(w.britneyState, "debci.json"))).toBe(true);
    expect(requestsIn(join(w.bridge, "outbox"))).toEqual(["qux glibc/2.41-7 gcc-14/14.2.0-5 arm64"]);
    // The next cycle: that request is in flight in the export, and a stale debci.input is never imported again.
    const exported = JSON.parse(readFileSync(join(w.britneyState, "debci.json"), "utf8")).results;
    const again = await runScript({ ...w.env([]), BRIDGE_STATE: w.bridge });
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(w.britneyState, "debci.json"), "utf8")).results.length).toBe(exported.length + 1);
    expect(requestsIn(join(w.bridge, "outbox"))).toEqual(["qux glibc/2.41-7 gcc-14/14.2.0-5 arm64"]);
  });

  it("britney2 failing: the requests it wrote are imported, and its exit status is the script's", async () => {
    const w = world();
    const run = await runScript({ ...w.env([line("qux", "arm64", "glibc/2.41-7")], 3), BRIDGE_STATE: w.bridge });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/britney2 failed \(exit 3\)/);
    expect(requestsIn(join(w.bridge, "outbox"))).toEqual(["qux glibc/2.41-7 arm64"]);
  });

  it("a britney.conf whose requests go to an AMQP broker stops the cycle before britney2 runs, naming the line", async () => {
    const w = world();
    w.useAmqp("amqp://guest:guest@127.0.0.1");
    const run = await runScript({ ...w.env([line("qux", "arm64", "glibc/2.41-7")]), BRIDGE_STATE: w.bridge });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`ADT_AMQP in ${w.conf} names no file to import britney2's requests from`);
    expect(existsSync(join(w.britneyState, "debci.input"))).toBe(false);
  });

  it("a state that cannot be exported stops the cycle before britney2 runs", async () => {
    const w = world();
    const run = await runScript({ ...w.env([line("qux", "arm64", "glibc/2.41-7")]), BRIDGE_STATE: join(w.bridge, "missing") });
    expect(run.code).toBe(1);
    expect(existsSync(join(w.britneyState, "debci.input"))).toBe(false);
  });
});
