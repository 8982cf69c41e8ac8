// Driven by debian/tests/sync-loop: the loop the package's timers run, through /usr/bin/debci-bridge,
// against the project's fake debci (its module's path is the argument) on 127.0.0.1. fetch from the
// fake; plan (committing) the new-package scenario's needs, all missing; submit; the fake must then
// hold exactly the jobs the plan asked for, once each, and the outbox be moved to outbox/sent/. Then
// the fake runs them, and fetch and plan again answer every need with its result.
import { spawn } from "node:child_process";
import { chmodSync, cpSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const { FakeDebci } = await import(pathToFileURL(resolve(process.argv[2])).href);
const tmp = process.env.AUTOPKGTEST_TMP;
if (!tmp) throw new Error("AUTOPKGTEST_TMP is not set");

const T0 = Date.parse("2026-11-25T12:00:00Z");
const at = (minutes) => new Date(T0 + minutes * 60_000).toISOString();
const needs = "testdata/scenarios/new-package/needs.jsonl";
const state = join(tmp, "loop-state");
cpSync("testdata/scenarios/new-package/state", state, { recursive: true });

const fake = await new FakeDebci().start();
const keyFile = join(tmp, "loop-key");
writeFileSync(keyFile, `${fake.apiKey}\n`);
chmodSync(keyFile, 0o600);
const http = ["--url", fake.url, "--key-file", keyFile, "--timeout", "10", "--retries", "1", "--backoff", "10"];

// The fake answers from this process's event loop: the command runs beside it, not blocking it.
// No proxy between the command and 127.0.0.1, whatever the testbed's environment says.
const env = { ...process.env, no_proxy: "127.0.0.1", NO_PROXY: "127.0.0.1" };
for (const name of ["http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"]) delete env[name];
const outputs = [];
function cli(args) {
  return new Promise((done, fail) => {
    const child = spawn("/usr/bin/debci-bridge", args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", fail);
    child.on("close", (code) => {
      console.log(`$ debci-bridge ${args.join(" ")}\n${stdout}${stderr.replace(/^(?=.)/gm, "stderr: ")}(exit ${code})`);
      outputs.push(stdout, stderr);
      if (code !== 0) fail(new Error(`debci-bridge ${args[0]}: exit ${code}`));
      else done(stdout);
    });
  });
}
const lines = (text) => text.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
const batches = (dir) => readdirSync(dir).filter((f) => f.endsWith(".json")).sort();
function same(what, got, want) {
  const [g, w] = [JSON.stringify(got), JSON.stringify(want)];
  if (g !== w) throw new Error(`${what}: got ${g}, expected ${w}`);
  console.log(`ok: ${what}`);
}

try {
  fake.now = T0;
  await cli(["fetch", "--state", state, ...http, "--now", at(0)]);
  same("fetch asked the fake for results", fake.log.some((l) => l.line.startsWith("GET /api/v1/test?since=")), true);

  const planned = lines(await cli(["plan", "--state", state, "--needs", needs, "--now", at(1)]));
  same("one answer per need", planned.length, lines(readFileSync(needs, "utf8")).length);
  const asked = planned.filter((a) => a.request);
  same("every need missing, and asked for", asked.length, planned.length);
  const outbox = batches(join(state, "outbox"));
  if (outbox.length === 0) throw new Error("plan wrote no batch into the outbox");

  fake.now = T0 + 2 * 60_000;
  await cli(["submit", "--state", state, ...http, "--now", at(2)]);
  const key = (x) => `${x.suite}/${x.arch} ${x.package} ${x.trigger}`;
  same("the fake holds exactly the jobs asked for, once each", fake.jobs.map(key).sort(), asked.map(key).sort());
  same("every POST accepted", fake.posts.map((p) => p.status).filter((s) => s !== 201), []);
  same("no batch left in the outbox", batches(join(state, "outbox")), []);
  same("the batches moved to outbox/sent/", batches(join(state, "outbox", "sent")), outbox);

  fake.now = T0 + 60 * 60_000;
  fake.finish(() => true, "pass");
  await cli(["fetch", "--state", state, ...http, "--now", at(65)]);
  const after = lines(await cli(["plan", "--state", state, "--needs", needs, "--now", at(70)]));
  same("every need answered pass from the fetched results", after.map((a) => `${a.package}/${a.arch} ${a.state}`), planned.map((a) => `${a.package}/${a.arch} pass`));
  same("nothing asked again", after.filter((a) => a.request).length, 0);
  same("no output holds the API key", outputs.some((o) => o.includes(fake.apiKey)), false);
  console.log("sync-loop: OK");
} finally {
  await fake.close();
}
