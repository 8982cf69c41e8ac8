import { cpSync, mkdirSync, readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";

/**
 * The flags each command accepts are taken from its own parser, not from a
 * list kept here: with `capture.on`, parseCommand and parseWithPositionals
 * throw the option object the command handed them, so running a command
 * through main() shows exactly what it accepts. Otherwise they are the real ones.
 */
const capture = vi.hoisted(() => {
  class OptionsSeen extends Error {
    constructor(readonly options: Record<string, { type: string; short?: string }>) {
      super("options seen");
    }
  }
  return { on: false, OptionsSeen };
});

vi.mock("../src/cli/options.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../src/cli/options.js")>();
  const parseCommand: typeof real.parseCommand = (argv, options) => {
    if (capture.on) throw new capture.OptionsSeen(options as never);
    return real.parseCommand(argv, options);
  };
  const parseWithPositionals: typeof real.parseWithPositionals = (argv, options, count) => {
    if (capture.on) throw new capture.OptionsSeen(options as never);
    return real.parseWithPositionals(argv, options, count);
  };
  return { ...real, parseCommand, parseWithPositionals };
});

const { COMMAND_NAMES } = await import("../src/cli/main.js");
const { COMMAND_HELP, COMMAND_GROUPS, commandHelp } = await import("../src/cli/help-text.js");
const { NUMERIC_FLAGS } = await import("../src/cli/options.js");
const { settingsFileSchema } = await import("../src/formats/settings-file.js");
const { runCli, BIN } = await import("./support/cli.js");
const { tempDir } = await import("./support/temp-state.js");

const ROOT = new URL("../", import.meta.url).pathname;
const PACKAGE = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { name: string; version: string };

/**
 * Flags announced in issue 17 that another change is adding to the parsers:
 * help documents them already, so until then help may list them before a
 * parser accepts them. Every other documented flag must be accepted.
 */
const BEING_ADDED = new Set<string>([]);
const SETTINGS_BEING_ADDED = new Set<string>([]);

/** The long flags (and `-x` short ones) a command's parser accepts, as it hands them to parseArgs. */
async function acceptedFlags(name: string): Promise<string[]> {
  capture.on = true;
  try {
    await runCli([name]);
  } catch (error) {
    if (error instanceof capture.OptionsSeen) {
      return Object.entries(error.options).flatMap(([long, o]) => [`--${long}`, ...(o.short === undefined ? [] : [`-${o.short}`])]);
    }
    throw error;
  } finally {
    capture.on = false;
  }
  throw new Error(`debci-bridge ${name}: its parser was never reached`);
}

const FLAG_LINE = /^ {2}(--[a-z0-9][a-z0-9-]*)/;

async function helpOf(name: string): Promise<{ text: string; usage: string; lines: Map<string, string> }> {
  const run = await runCli([name, "--help"]);
  expect(run.code, run.stderr).toBe(0);
  expect(run.stderr).toBe("");
  const lines = new Map<string, string>();
  for (const line of run.stdout.split("\n")) {
    const flag = FLAG_LINE.exec(line)?.[1];
    if (flag === undefined) continue;
    expect(lines.has(flag), `${name} --help lists ${flag} twice`).toBe(false);
    lines.set(flag, line);
  }
  return { text: run.stdout, usage: run.stdout.split("\n\n")[0]!, lines };
}

/** `--grace` 0-10080, `--max-bytes` 1024-2^40: a range as help writes it. */
const rangeText = (min: number, max: number) => {
  const n = (x: number) => (x >= 2 ** 20 && Number.isInteger(Math.log2(x)) ? `2^${Math.log2(x)}` : String(x));
  return `${n(min)}-${n(max)}`;
};

describe("help names every flag of every command", () => {
  it("help and main know the same commands", () => {
    expect(COMMAND_HELP.map((c) => c.name)).toEqual([...COMMAND_NAMES]);
  });

  it.each([...COMMAND_NAMES])("%s --help lists every flag its parser accepts, one a line with its meaning and default", async (name) => {
    const accepted = await acceptedFlags(name);
    expect(accepted.length).toBeGreaterThan(0);
    const help = await helpOf(name);
    for (const flag of accepted) {
      if (flag.startsWith("--")) {
        expect(help.lines.has(flag), `${name} --help has no line for ${flag}`).toBe(true);
        expect(help.usage, `${name}'s usage line leaves out ${flag}`).toMatch(new RegExp(`(^|[\\s\\[|])${flag}(?![\\w-])`));
      } else expect(help.text, `${name} --help leaves out ${flag}`).toContain(flag);
    }
    for (const [flag, line] of help.lines) {
      if (!BEING_ADDED.has(flag.slice(2))) expect(accepted, `${name} --help documents ${flag}, which its parser refuses`).toContain(flag);
      // The flag, then its meaning, then its default (or that it is required), all on its line.
      expect(line, line).toMatch(/^ {2}--\S+( \S+)? +\S.*\((required|default [^)]+)\)$/);
      const numeric = (NUMERIC_FLAGS as Record<string, { min: number; max: number }>)[flag.slice(2)];
      if (numeric !== undefined) expect(line, `${flag}'s range`).toContain(rangeText(numeric.min, numeric.max));
    }
    expect(help.text).toMatch(/\nExit codes:\n {2}0 {2}done/);
  });

  it("help COMMAND says what COMMAND --help says; an unknown one is exit 1", async () => {
    for (const name of COMMAND_NAMES) expect((await runCli(["help", name])).stdout).toBe((await runCli([name, "--help"])).stdout);
    const bad = await runCli(["help", "frobnicate"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unknown command "frobnicate"/);
  });

  it("every command that takes the state-part flags says where its settings come from, naming every key", async () => {
    const keys = Object.keys(settingsFileSchema.shape);
    for (const name of COMMAND_NAMES) {
      const accepted = await acceptedFlags(name);
      if (!accepted.includes("--results")) continue;
      const help = (await helpOf(name)).text;
      for (const part of ["--results DIR", "--pending FILE", "--ledger FILE", "--outbox DIR", "--reject-list FILE", "--base FILE"]) expect(help).toContain(`  ${part} `);
      const said = /Settings come from STATE\/debci-bridge\.json \(keys: ([^)]*)\); the flags above override them\./.exec(help.replace(/\n/g, " "));
      expect(said, `${name} --help: the settings line`).not.toBeNull();
      const listed = said![1]!.split(", ");
      expect(listed.filter((k) => !keys.includes(k) && !SETTINGS_BEING_ADDED.has(k)), `${name}: keys debci-bridge.json does not have`).toEqual([]);
      expect(keys.filter((k) => !listed.includes(k)), `${name}: keys left out`).toEqual([]);
    }
  });

  it("the overview is the commands by who runs them, a line each, within 80 columns and one screen", async () => {
    const run = await runCli(["--help"]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines.length).toBeLessThanOrEqual(24);
    expect(lines.filter((l) => l.length > 80)).toEqual([]);
    // Every command once, with its purpose on its line, under one of the groups.
    const listed = lines.flatMap((l) => /^ {2}([a-z][a-z-]*) {2,}\S/.exec(l)?.[1] ?? []);
    expect([...listed].sort()).toEqual([...COMMAND_NAMES].sort());
    expect(COMMAND_GROUPS.flatMap((g) => g.commands.map(([name]) => name)).sort()).toEqual([...COMMAND_NAMES].sort());
    expect(run.stdout).toContain("britney2's side");
    expect(run.stdout).toContain("debci-bridge help COMMAND");
  });

  it("a mistyped command is one line naming the nearest commands and --help; version is a command", async () => {
    for (const [typed, near] of [["stauts", "status"], ["comapct", "compact"], ["plna", "plan"], ["exprot-britney", "export-britney"], ["wat", "watermark"]] as const) {
      const run = await runCli([typed]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe("");
      expect(run.stderr).toBe(`debci-bridge: unknown command "${typed}" (did you mean ${near}?); debci-bridge --help lists the commands\n`);
    }
    expect((await runCli(["frobnicate"])).stderr).toBe('debci-bridge: unknown command "frobnicate"; debci-bridge --help lists the commands\n');
    const version = await runCli(["version"]);
    expect(version.code).toBe(0);
    expect(version.stdout).toBe((await runCli(["--version"])).stdout);
    expect(version.stdout).toMatch(/^debci-bridge \d+\.\d+\.\d+\n$/);
  });

  it("help COMMAND on a terminal is wrapped to its width; read by a program, a flag keeps one line", () => {
    for (const name of COMMAND_NAMES) {
      for (const width of [60, 80, 132]) {
        const text = commandHelp(name, width)!;
        expect(text.split("\n").filter((l) => l.length >= width), `${name} at ${width} columns`).toEqual([]);
        // The same words, only the line breaks differ.
        expect(text.replace(/\s+/g, " ")).toBe(commandHelp(name)!.replace(/\s+/g, " "));
      }
    }
  });
});

/** The reference's synopsis block (docs/reference.md): each command's flags, from `debci-bridge NAME` and the indented lines after it. */
function readmeSynopsis(): Map<string, Set<string>> {
  const readme = readFileSync(join(ROOT, "docs", "reference.md"), "utf8");
  const marker = readme.indexOf("<!-- synopsis:");
  expect(marker, "docs/reference.md has the <!-- synopsis: marker").toBeGreaterThan(-1);
  const block = /^```[^\n]*\n([\s\S]*?)^```/m.exec(readme.slice(marker));
  expect(block, "a fenced block follows the marker").not.toBeNull();
  expect(readme.slice(marker, marker + block!.index).split("\n").length, "the block follows the marker at once").toBeLessThanOrEqual(2);
  const byCommand = new Map<string, Set<string>>();
  let current: Set<string> | undefined;
  for (const line of block![1]!.split("\n")) {
    const head = /^debci-bridge\s+(\S+)/.exec(line);
    if (head !== null) {
      const name = head[1]!;
      current = name.startsWith("-") || name === "help" ? undefined : new Set();
      if (current !== undefined) byCommand.set(name, current);
    } else if (!/^\s+\S/.test(line)) current = undefined;
    for (const m of line.matchAll(/(?<![\w-])--([a-z0-9][a-z0-9-]*)/g)) current?.add(`--${m[1]}`);
  }
  return byCommand;
}

describe("the reference's synopsis and --help agree", () => {
  it("the synopsis names every command", () => {
    expect([...readmeSynopsis().keys()].sort()).toEqual([...COMMAND_NAMES].sort());
  });

  it.each([...COMMAND_NAMES])("%s: every flag of its synopsis lines is in its --help, and every flag of its --help in them", async (name) => {
    const readme = readmeSynopsis().get(name) ?? new Set<string>();
    const help = new Set((await helpOf(name)).lines.keys());
    expect([...readme].filter((f) => f !== "--help" && !help.has(f)), `in the reference's ${name} synopsis, not in its --help`).toEqual([]);
    expect([...help].filter((f) => !readme.has(f)), `in ${name} --help, not in the reference's synopsis`).toEqual([]);
  });
});

describe("an unknown flag names the nearest flag of the command", () => {
  it.each([
    [["plan", "--state", "s", "--need", "x"], "debci-bridge plan: Unknown option '--need': did you mean --needs?"],
    [["plan", "--needs=x", "--pedning", "3"], "debci-bridge plan: Unknown option '--pedning': did you mean --pending?"],
    [["status", "--tested_version", "1"], "debci-bridge status: Unknown option '--tested_version': did you mean --tested-version?"],
    [["import-amqp", "--stat", "s", "debci.input"], "debci-bridge import-amqp: Unknown option '--stat': did you mean --state?"],
    [["fetch", "--pending-windwo", "4"], "debci-bridge fetch: Unknown option '--pending-windwo': did you mean --pending-window?"],
    [["submit", "--priorty", "4"], "debci-bridge submit: Unknown option '--priorty': did you mean --priority?"],
    [["prune", "--strictly"], "debci-bridge prune: Unknown option '--strictly': did you mean --strict?"],
    [["watermark", "--Overlap", "5"], "debci-bridge watermark: Unknown option '--Overlap': did you mean --overlap?"],
  ])("%j", async (args, message) => {
    const run = await runCli(args);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(`${message}\n`);
  });

  it("a flag near none is named alone, as before", async () => {
    const run = await runCli(["plan", "--state", "s", "--needs", "x", "--colour"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("debci-bridge plan: Unknown option '--colour'\n");
  });

  it("every flag of every command, its last letter dropped, is suggested", async () => {
    for (const name of COMMAND_NAMES) {
      const accepted = (await acceptedFlags(name)).filter((f) => f.startsWith("--"));
      for (const flag of accepted) {
        const typo = flag.slice(0, -1);
        if (typo.length < 4 || accepted.includes(typo)) continue;
        const run = await runCli([name, typo]);
        expect(run.code, `${name} ${typo}`).toBe(1);
        expect(run.stderr, `${name} ${typo}`).toBe(`debci-bridge ${name}: Unknown option '${typo}': did you mean ${flag}?\n`);
      }
    }
  });
});

describe("--version", () => {
  it.each([["--version"], ["-V"]])("%s prints debci-bridge and package.json's version, exit 0", async (flag) => {
    const run = await runCli([flag]);
    expect(run).toEqual({ code: 0, stdout: `debci-bridge ${PACKAGE.version}\n`, stderr: "" });
  });

  it("from the build, and from a copy installed as node_modules/debci-bridge", () => {
    const built = spawnSync(process.execPath, [BIN, "--version"], { encoding: "utf8" });
    expect(built.stderr).toBe("");
    expect(built.stdout).toBe(`debci-bridge ${PACKAGE.version}\n`);
    const installed = join(tempDir(), "node_modules", "debci-bridge");
    mkdirSync(installed, { recursive: true });
    for (const part of ["package.json", "bin", "dist"]) cpSync(join(ROOT, part), join(installed, part), { recursive: true });
    // Run from elsewhere, so nothing but the module's own place can lead to its package.json.
    const run = spawnSync(process.execPath, [join(installed, "bin", "debci-bridge.js"), "-V"], { encoding: "utf8", cwd: tempDir() });
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe(`debci-bridge ${PACKAGE.version}\n`);
    expect(run.status).toBe(0);
  });
});
