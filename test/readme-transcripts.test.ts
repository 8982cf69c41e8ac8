import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { jsonLines, runCli } from "./support/cli.js";
import { TESTDATA, tempDir } from "./support/temp-state.js";

const ROOT = new URL("..", import.meta.url).pathname;
/** The documents a reader runs commands from: what they show must be what the commands print. */
const GUIDE = readFileSync(new URL("../docs/britney2.md", import.meta.url), "utf8");
const REFERENCE = readFileSync(new URL("../docs/reference.md", import.meta.url), "utf8");
const README = GUIDE;

/** The fenced block that follows `marker` in the README. */
function blockAfter(marker: string): string {
  const at = README.indexOf(marker);
  expect(at, `README holds ${marker}`).toBeGreaterThan(-1);
  const open = README.indexOf("```", at);
  const start = README.indexOf("\n", open) + 1;
  return README.slice(start, README.indexOf("```", start));
}

/** The first `count` fenced blocks after `marker` in the README. */
function blocksAfter(marker: string, count: number): string[] {
  const blocks: string[] = [];
  let at = README.indexOf(marker);
  expect(at, `README holds ${marker}`).toBeGreaterThan(-1);
  while (blocks.length < count) {
    const open = README.indexOf("```", at);
    const start = README.indexOf("\n", open) + 1;
    const close = README.indexOf("```", start);
    blocks.push(README.slice(start, close));
    at = close + 3;
  }
  return blocks;
}

describe("what the guides show a command print is what it prints", () => {
  it("the serve transcript, line for line (the batch's random token aside)", async () => {
    const block = blockAfter("A transcript against the demo");
    const requests = block.split("\n").filter((l) => l.startsWith("> ")).map((l) => l.slice(2));
    const responses = block.split("\n").filter((l) => l.startsWith("< ")).map((l) => JSON.parse(l.slice(2)) as unknown);
    const scratch = tempDir();
    const run = await runCli(["serve", "--state", join(TESTDATA, "demo", "state"), "--scratch", scratch, "--now", "2026-11-25T12:00:00Z"], `${requests.join("\n")}\n`);
    expect(run.code, run.stderr).toBe(0);
    const got = run.stdout.trimEnd().split("\n").map((l) => l.replaceAll(scratch, "/tmp/transcript").replace(/Z-[0-9a-f]{8}\.json/, "Z-b589e937.json"));
    expect(got.map((l) => JSON.parse(l) as unknown)).toEqual(responses);
    expect(run.stderr).toMatch(/^debci-bridge serve: 6 line\(s\) served in [\d.]+ s busy \([\d.]+ s answering, [\d.]+ s protocol\); committed$/m);
  });

  it("the plan summary line", async () => {
    const shown = /`(debci-bridge plan \(scratch\): 9 need\(s\): [^`]*)`/.exec(REFERENCE)![1]!;
    const run = await runCli(["plan", "--state", join(TESTDATA, "demo", "state"), "--needs", join(TESTDATA, "demo", "needs.jsonl"), "--now", "2026-11-25T12:00:00Z", "--scratch", tempDir()]);
    expect(run.code, run.stderr).toBe(0);
    const [before, after] = shown.split("…");
    const line = run.stderr.trimEnd().split("\n").at(-1)!;
    expect(line.startsWith(before!)).toBe(true);
    expect(line.endsWith(after!)).toBe(true);
    expect(jsonLines(run.stdout)).toHaveLength(9);
  });

  it("the example policy's output, line for line (the batch's random token aside)", () => {
    const [command, shown] = blocksAfter("taking each upload's verdict from the server:", 2);
    // The shown command, as the README's reader runs it: python3 from the checkout's root, a fresh scratch directory.
    const argv = command!.replace(/\\\n\s*/g, " ").replace('"$(mktemp -d)"', tempDir()).trim().split(/\s+/);
    expect(argv.slice(0, 2)).toEqual(["python3", "examples/britney2/example_policy.py"]);
    const run = spawnSync("python3", argv.slice(1), { cwd: ROOT, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.replace(/Z-[0-9a-f]{8}\.json/, "Z-….json")).toBe(shown);
  });

  it("the README's sample answer is the demo's answer for qux, byte for byte", async () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const shown = /```json\n(\{"suite":"testing","arch":"amd64","package":"qux"[^\n]*)\n```/.exec(readme)![1]!;
    const run = await runCli(["plan", "--state", join(TESTDATA, "demo", "state"), "--needs", join(TESTDATA, "demo", "needs.jsonl"), "--now", "2026-11-25T12:00:00Z", "--scratch", tempDir()]);
    expect(run.stdout.split("\n")).toContain(shown);
  });

  it("the README's tour runs as shown: every command, on a copy of the demo, exit 0", () => {
    const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
    const tour = readme.slice(readme.indexOf("## A five-minute tour"), readme.indexOf("## How the loop runs"));
    const blocks = [...tour.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBeGreaterThanOrEqual(4);
    const dir = tempDir();
    const commands = blocks
      .flatMap((block) => block.replace(/\\\n\s*/g, " ").split("\n"))
      .filter((line) => line.trim() !== "" && !line.startsWith("alias "))
      // The tour's paths, in a temporary directory; `debci-bridge` as the alias makes it.
      .map((line) => line.replaceAll("/tmp/demo-state", join(dir, "state")).replaceAll("/tmp/demo-report.html", join(dir, "report.html")).replace(/^debci-bridge /, `node ${join(ROOT, "bin", "debci-bridge.js")} `));
    for (const command of commands) {
      const run = spawnSync("sh", ["-c", command], { cwd: ROOT, encoding: "utf8" });
      expect(run.status, `${command}\n${run.stderr}`).toBe(0);
    }
    expect(readFileSync(join(dir, "report.html"), "utf8")).toContain("<html");
    expect(readFileSync(join(dir, "state", "requested.json"), "utf8")).toContain("debci-bridge-ledger/1");
  });
});
