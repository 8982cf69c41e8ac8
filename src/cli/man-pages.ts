import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { COMMAND_GROUPS, COMMAND_HELP, flagsOf, settingsDoc, synopsisItems, type CommandHelp, type HelpFlag } from "./help-text.js";

/**
 * The man pages, written for a man reader from the tables `--help` is made
 * of (help-text.ts), so the two cannot disagree: debci-bridge(1) (the
 * commands, the common options, the environment, the files, the exit
 * status), a page per command (debci-bridge-plan(1), ...), and
 * debci-bridge.json(5) (the settings and the state directory). The Debian
 * build writes them (debian/rules: writeManPages); test/man-pages.test.ts
 * holds them to `--help`.
 */

/** Text as roff reads it: backslashes escaped, hyphens as minus signs where they are options or names, no line starting a request. */
function roff(text: string): string {
  return text
    .replace(/\\/g, "\\e")
    .replace(/-/g, "\\-")
    .split("\n")
    .map((line) => (/^[.']/.test(line) ? `\\&${line}` : line))
    .join("\n");
}

const bold = (text: string) => `\\fB${roff(text)}\\fR`;
const italic = (text: string) => `\\fI${roff(text)}\\fR`;

function header(name: string, section: number, version: string, title: string): string[] {
  // No hyphenation: names and flags must not break across lines.
  return [`.TH ${roff(name.toUpperCase())} ${section} "" "debci\\-bridge ${roff(version)}" "${title}"`, ".nh"];
}

/** A flag as a tagged paragraph: --name ARG, then what it does, its default and setting. */
function flagEntry(flag: HelpFlag): string[] {
  const tag = flag.arg === undefined ? bold(`--${flag.name}`) : `${bold(`--${flag.name}`)} ${italic(flag.arg)}`;
  const extra = `${flag.default === "required" ? "Required." : `Default: ${flag.default}.`}${flag.setting === undefined ? "" : ` Setting: ${flag.setting}.`}${flag.repeatable === true ? " May be given more than once." : ""}`;
  return [".TP", tag, `${roff(flag.text)}.`, roff(extra)];
}

/** Exit codes as help lists them ("0  done"), as tagged paragraphs. */
function exitStatus(codes: readonly string[]): string[] {
  return codes.flatMap((line) => {
    const m = /^(\d+)\s+(.*)$/.exec(line);
    return m === null ? [roff(line)] : [".TP", bold(m[1]!), `${roff(m[2]!)}.`];
  });
}

const purposeOf = (name: string) => COMMAND_GROUPS.flatMap((g) => g.commands).find(([n]) => n === name)?.[1] ?? "";

/** debci-bridge-NAME(1). */
export function commandPage(help: CommandHelp, version: string): string {
  const lines = [...header(`debci-bridge-${help.name}`, 1, version, "debci-bridge"), ".SH NAME", `debci\\-bridge\\-${roff(help.name)} \\- ${roff(purposeOf(help.name))}`, ".SH SYNOPSIS", ".nf", `${bold(`debci-bridge ${help.name}`)} ${roff(synopsisItems(help).join(" "))}`, ".fi", ".SH DESCRIPTION", roff(help.summary.join(" "))];
  if (help.positionals !== undefined) lines.push(".SH ARGUMENTS", ...help.positionals.flatMap((p) => [".TP", italic(p.name), `${roff(p.text)}.`]));
  lines.push(".SH OPTIONS");
  for (const section of help.sections) lines.push(`.SS ${roff(section.title)}`, ...section.flags.flatMap(flagEntry));
  if (help.settings !== undefined) lines.push(".SH SETTINGS", roff(help.settings));
  lines.push(".SH EXIT STATUS", ...exitStatus(help.exitCodes), ".SH SEE ALSO", `${bold("debci-bridge")}(1), ${bold("debci-bridge.json")}(5)`);
  return `${lines.join("\n")}\n`;
}

/** debci-bridge(1): the commands by who runs them, what they share, and where everything lives. */
export function mainPage(version: string): string {
  const common = [...new Map(COMMAND_HELP.flatMap(flagsOf).filter((f) => ["state", "now", "strict", "scratch", "wait", "britney-conf"].includes(f.name)).map((f) => [f.name, f])).values()];
  const lines = [
    ...header("debci-bridge", 1, version, "debci-bridge"),
    ".SH NAME",
    "debci\\-bridge \\- network\\-free boundary between britney2 and the debci CI service",
    ".SH SYNOPSIS",
    `${bold("debci-bridge")} ${italic("COMMAND")} [${italic("OPTIONS")}]`,
    ".br",
    `${bold("debci-bridge help")} ${italic("COMMAND")}`,
    ".br",
    `${bold("debci-bridge version")}`,
    ".SH DESCRIPTION",
    roff("britney2 lets a package into Debian testing only when the autopkgtests it triggers pass on the CI service (debci). debci-bridge answers britney2's questions about them from a state directory alone, never touching the network: it merges the results files and the pending snapshot the sync tools fetched, answers pass, fail, pending or missing for each test key with britney2's label, and writes an outbox of the requests still needed, which the sync tools submit. Every command prints JSON on stdout (status, report and watermark speak to a person when stdout is a terminal) and messages for people on stderr, where a terminal also shows the progress of long work (reading many results files, a long fetch)."),
    ".SH COMMANDS",
  ];
  for (const group of COMMAND_GROUPS) {
    lines.push(`.SS ${roff(group.title.replace(/:$/, ""))}`);
    for (const [name, purpose] of group.commands) lines.push(".TP", bold(name), `${roff(purpose)}; see ${bold(`debci-bridge-${name}`)}(1).`);
  }
  lines.push(".SH OPTIONS", roff("The options most commands share; each command's page lists all of its own."), ...common.flatMap(flagEntry));
  lines.push(
    ".SH ENVIRONMENT",
    ".TP",
    bold("NO_COLOR"),
    roff("when set (https://no-color.org), output for a terminal has no colour."),
    ".TP",
    bold("DEBCI_API_KEY"),
    roff("fetch and submit: the API key itself, when --key-file is not given (a file readable by its user alone is safer)."),
    ".TP",
    bold("DEBCI_CA_FILE"),
    roff("fetch and submit: the CAs trusted for https, when --ca-file is not given."),
    ".TP",
    `${bold("https_proxy")}, ${bold("http_proxy")}, ${bold("no_proxy")}`,
    roff("fetch and submit: the proxy, as curl reads them."),
    ".TP",
    bold("DEBCI_BRIDGE_WORKERS"),
    roff("0 loads results files on one thread (the default uses a second thread from 8 files)."),
    ".TP",
    bold("DEBCI_BRIDGE_SCANNER"),
    roff("0 reads every results file with JSON.parse instead of the byte scanner (the answers are the same)."),
    ".TP",
    bold("DEBCI_BRIDGE_PHASE_TIMES"),
    roff("1 makes plan print the time of each phase on stderr."),
    ".SH FILES",
    ".TP",
    italic("/var/lib/debci-bridge/"),
    roff("the state directory of the Debian package's units, shared through its group with britney2's user (see debci-bridge.json(5) for what it holds)."),
    ".TP",
    italic("STATE/debci-bridge.json"),
    roff("the settings: debci-bridge.json(5)."),
    ".TP",
    italic("/etc/debci-bridge/"),
    roff("the API key's directory (0750, root:debci-bridge)."),
    ".TP",
    italic("/etc/default/debci-bridge"),
    roff("the units' environment: the CI service's address, the key file, the options of fetch and submit."),
    ".TP",
    italic("/usr/share/doc/debci-bridge/docs/"),
    roff("the guides: admin.md for the host, britney2.md for the release team, reference.md."),
    ".SH EXIT STATUS",
    ...exitStatus(["0  done (warnings allowed)", "1  bad input or arguments (the message names the file or flag and the fix)", "2  another committing run holds the state's lock", "3  fetch and submit: the CI service was unavailable", "4  submit: the CI service refused entries (kept in outbox/rejected/)", "5  fetch and submit: the API key was not accepted", "6  fetch and submit: a response over --max-bytes, or a redirect to another origin", "7  fetch and submit: the service's TLS certificate was not accepted"]),
    ".SH EXAMPLES",
    roff("Answer britney2's needs without writing into the state (the requests go to a scratch directory):"),
    ".PP",
    ".nf",
    ".RS",
    roff("debci-bridge plan --state /var/lib/debci-bridge --needs needs.jsonl --scratch /tmp/outbox"),
    ".RE",
    ".fi",
    ".PP",
    roff("Explain one key's answer:"),
    ".PP",
    ".nf",
    ".RS",
    roff("debci-bridge status --state /var/lib/debci-bridge --package qux --trigger glibc/2.41-7 --arch amd64"),
    ".RE",
    ".fi",
    ".SH SEE ALSO",
    [...COMMAND_HELP.map((h) => `${bold(`debci-bridge-${h.name}`)}(1)`), `${bold("debci-bridge.json")}(5)`].join(",\n"),
  );
  return `${lines.join("\n")}\n`;
}

/** debci-bridge.json(5): every setting, and the state directory it lives in. */
export function settingsPage(version: string): string {
  const lines = [
    ...header("debci-bridge.json", 5, version, "debci-bridge"),
    ".SH NAME",
    "debci\\-bridge.json \\- settings of a debci\\-bridge state directory",
    ".SH SYNOPSIS",
    italic("STATE/debci-bridge.json"),
    ".SH DESCRIPTION",
    roff("One JSON object in the state directory; every key is optional, an unknown key is an error (a typo must not pass unnoticed), and a command's flags override the keys. With britneyConf set, britney.conf's ADT_* rules are the state's rules, and the same rule set to another value here is an error."),
    ".SH SETTINGS",
  ];
  for (const s of settingsDoc()) lines.push(".TP", `${bold(s.key)} ${italic(s.value)}`, `${roff(s.text)}.${s.flag === undefined ? "" : ` The flag ${bold(s.flag)} overrides it.`}`);
  lines.push(
    ".SH THE STATE DIRECTORY",
    ...[
      ["results/", "results files as fetch writes them (debci's GET /api/v1/test answers), read in name order"],
      ["pending.json", "the snapshot of the runs the CI service has queued or running"],
      ["requested.json", "the ledger: the requests made and not yet answered"],
      ["outbox/", "batches of requests waiting for submit; outbox/sent/ and outbox/rejected/ what became of them"],
      ["reject-list.json", "the CI service's reject list"],
      ["compacted.base", "old results folded into one file by compact"],
      ["debci-bridge.lock", "held by a committing run"],
    ].flatMap(([file, text]) => [".TP", italic(file!), `${roff(text!)}.`]),
    ".SH SEE ALSO",
    `${bold("debci-bridge")}(1)`,
  );
  return `${lines.join("\n")}\n`;
}

/** Writes every page into `dir` (each by temp file and rename), for the Debian build: debci-bridge.1, debci-bridge-NAME.1, debci-bridge.json.5. */
export function writeManPages(dir: string, version: string): string[] {
  mkdirSync(dir, { recursive: true });
  const pages: Array<[string, string]> = [["debci-bridge.1", mainPage(version)], ...COMMAND_HELP.map((h): [string, string] => [`debci-bridge-${h.name}.1`, commandPage(h, version)]), ["debci-bridge.json.5", settingsPage(version)]];
  for (const [name, text] of pages) {
    const temp = join(dir, `.${name}.tmp`);
    writeFileSync(temp, text);
    renameSync(temp, join(dir, name));
  }
  return pages.map(([name]) => name);
}
