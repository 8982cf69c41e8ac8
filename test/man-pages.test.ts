import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { settingsFileSchema } from "../src/formats/settings-file.js";
import { COMMAND_HELP } from "../src/cli/help-text.js";
import { commandPage, mainPage, settingsPage, writeManPages } from "../src/cli/man-pages.js";
import { runCli } from "./support/cli.js";

/**
 * The man pages are made from the tables `--help` is made of; these tests
 * fail when the two disagree, when a page lacks a section a man reader
 * looks for, or when groff warns about one.
 */
const flagsInPage = (page: string) => new Set([...page.matchAll(/\\fB\\-\\-([a-z0-9\\-]+)\\fR/g)].map((m) => `--${m[1]!.replace(/\\-/g, "-")}`));
const sections = (page: string) => [...page.matchAll(/^\.SH (.*)$/gm)].map((m) => m[1]);

describe("the man pages", () => {
  it.each(COMMAND_HELP.map((h) => h.name))("debci-bridge-%s(1) lists exactly the flags `--help` lists", async (name) => {
    const help = await runCli([name, "--help"]);
    const helpFlags = new Set([...help.stdout.matchAll(/^ {2}(--[a-z0-9][a-z0-9-]*)/gm)].map((m) => m[1]!));
    const page = commandPage(COMMAND_HELP.find((h) => h.name === name)!, "0.1.0");
    expect(flagsInPage(page)).toEqual(helpFlags);
    expect(sections(page)).toEqual(expect.arrayContaining(["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS", "SEE ALSO"]));
  });

  it("debci-bridge(1) has the sections a man reader looks for, each command, and every variable the program reads", () => {
    const page = mainPage("0.1.0");
    expect(sections(page)).toEqual(["NAME", "SYNOPSIS", "DESCRIPTION", "COMMANDS", "OPTIONS", "ENVIRONMENT", "FILES", "EXIT STATUS", "EXAMPLES", "SEE ALSO"]);
    for (const { name } of COMMAND_HELP) expect(page).toContain(`\\fBdebci\\-bridge\\-${name.replace(/-/g, "\\-")}\\fR(1)`);
    // Every environment variable the code reads, but the fault-injection hook the tests use.
    const src = new URL("../src", import.meta.url).pathname;
    const files = spawnSync("grep", ["-rhoE", "env(\\.|\\[\")[A-Za-z_]+", src], { encoding: "utf8" }).stdout;
    const read = new Set([...files.matchAll(/env(?:\.|\[")([A-Za-z_]+)/g)].map((m) => m[1]!));
    for (const name of read) if (name !== "DEBCI_BRIDGE_CRASH_AT" && !/^(HOME|PATH|USER)$/.test(name)) expect(page, name).toContain(`\\fB${name.replace(/-/g, "\\-")}\\fR`);
  });

  it("debci-bridge.json(5) documents every key of the settings file", () => {
    const page = settingsPage("0.1.0");
    for (const key of Object.keys(settingsFileSchema.shape)) expect(page, key).toContain(`.TP\n\\fB${key}\\fR`);
  });

  it("groff has nothing to warn about in any page", () => {
    const man = spawnSync("man", ["--version"]);
    if (man.status !== 0) return; // no man-db here: lintian checks the pages of the built package (npm run test:deb)
    const dir = mkdtempSync(join(tmpdir(), "debci-bridge-man-"));
    writeManPages(dir, "0.1.0");
    for (const page of readdirSync(dir)) {
      const run = spawnSync("man", ["--warnings", "-E", "UTF-8", "-l", join(dir, page)], { encoding: "utf8", env: { ...process.env, MANWIDTH: "80", LC_ALL: "C.UTF-8" } });
      expect(run.stderr, page).toBe("");
      expect(run.stdout.length, page).toBeGreaterThan(200);
    }
    expect(readFileSync(join(dir, "debci-bridge.1"), "utf8")).toContain(".SH EXIT STATUS");
  });
});
