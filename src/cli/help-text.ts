/**
 * What `--help` says: every command's flags, each with its meaning and its
 * default, the settings it reads and its exit codes. One table makes the
 * usage lines, each command's help and the reference's synopsis block (docs/reference.md), so
 * they cannot disagree; test/help.test.ts holds it to the flags each
 * command's parser accepts. Plain strings only: `--help` loads this file,
 * never a command module.
 */

/** One flag as help shows it. */
export interface HelpFlag {
  /** The long name, without the dashes. */
  name: string;
  /** What its value is called (`DIR`, `DAYS|off`); none for a switch. */
  arg?: string;
  /** What it does. */
  text: string;
  /** Its default in words, or `required`. */
  default: string;
  /** The key of debci-bridge.json it overrides. */
  setting?: string;
  /** May be given more than once. */
  repeatable?: boolean;
  /** How the synopsis shows it, when not `[--name ARG]`; "" when another flag's entry shows it. */
  synopsis?: string;
}

interface HelpSection {
  title: string;
  flags: readonly HelpFlag[];
}

export interface CommandHelp {
  name: string;
  /** What the command does, a few lines. */
  summary: readonly string[];
  /** Positional arguments, as the synopsis shows them, and what each is. */
  positionals?: readonly { name: string; text: string }[];
  sections: readonly HelpSection[];
  /** Where its settings come from; none for a command that reads no settings. */
  settings?: string;
  exitCodes: readonly string[];
}

const REQUIRED = "required";

// The flags several commands share.

const STATE: HelpFlag = { name: "state", arg: "DIR", text: "the state directory; it must exist, and an empty one is a fresh state", default: REQUIRED };
const NOW: HelpFlag = { name: "now", arg: "ISO", text: "the time every rule is judged by: ISO 8601 with a zone, e.g. 2026-11-25T12:00:00Z", default: "the clock" };
const STRICT: HelpFlag = { name: "strict", text: "malformed input is an error (exit 1), not a warning", default: "off" };
const WAIT: HelpFlag = { name: "wait", arg: "SECONDS", text: "wait up to this long for the state's lock rather than exit 2 at once; 0-86400", default: "0", setting: "wait" };
const SCRATCH: HelpFlag = { name: "scratch", arg: "DIR", text: "write the batches to DIR, outside the state: no ledger entry, no lock, the state unchanged", default: "commit to the state" };
const ALLOW_INCOMPLETE: HelpFlag = {
  name: "allow-incomplete",
  text: "answer and request even when part of the knowledge could not be read",
  default: 'off: a committing run holds the requests it makes only for lack of knowledge, held: "incomplete"',
  setting: "allowIncomplete",
};

/** ruleOptions: each overrides its setting in debci-bridge.json. */
const RULES: readonly HelpFlag[] = [
  { name: "suite", arg: "S", text: "the suite of a need or key that names none, and of export-britney's files (SERIES)", default: "testing", setting: "suite" },
  { name: "grace", arg: "MINUTES", text: "clock skew allowed when matching requests with runs and snapshots; 0-10080", default: "30", setting: "graceMinutes" },
  { name: "pending-max-age", arg: "DAYS", text: "ask again for a key pending only on unconfirmed evidence older than this; 0-365", default: "3", setting: "pendingMaxAgeDays" },
  { name: "overtaken-by", arg: "N|off", text: "a run of ours still waiting once N runs of ours created after it on its suite and arch have finished, and --longest-run has passed since, is lost and asked for again; 1-1000", default: "3", setting: "overtakenBy" },
  { name: "longest-run", arg: "HOURS", text: "the longest a test run takes: an overtaken run may still be running until this has passed (doubled for each older run of the key still waiting); 0.1-720", default: "6", setting: "longestRunHours" },
  { name: "retry-older-than", arg: "DAYS|off", text: "ask again for a FAIL older than this whose baseline passed (ADT_RETRY_OLDER_THAN); 0-3650, off: never", default: "1", setting: "retryOlderThanDays" },
  { name: "baseline", arg: "reference|any", text: "reference: the migration-reference/0 result; any: ever passed, under any trigger (ADT_BASELINE)", default: "reference", setting: "baseline" },
  { name: "reference-max-age", arg: "DAYS|off", text: "a reference result older than this is old (OLD_*), asked for again (ADT_REFERENCE_MAX_AGE); 0-3650, off: never", default: "7", setting: "referenceMaxAgeDays" },
  { name: "hints", arg: "FILE", repeatable: true, text: "a britney2 hints file (force-badtest, force-skiptest are read); repeatable", default: "none" },
  { name: "ci-url", arg: "URL", text: "the CI service's web address, e.g. https://ci.debian.net/: answers carry log, history and retry links (ADT_CI_URL)", default: "none", setting: "ciUrl" },
  {
    name: "britney-conf",
    arg: "FILE",
    text: "britney2's configuration: its SERIES, ADT_BASELINE, ADT_RETRY_OLDER_THAN, ADT_REFERENCE_MAX_AGE, ADT_ARCHES and ADT_CI_URL are the rules, absent keys as britney2's defaults; the same rule set to another value here or in debci-bridge.json is exit 1",
    default: "none: debci-bridge's defaults, which are Debian's britney.conf",
    setting: "britneyConf",
  },
];

/** stateOptions' parts: each moves one part of the state elsewhere. */
const STATE_PARTS: readonly HelpFlag[] = [
  { name: "results", arg: "DIR", text: "the results files the fetch tool writes", default: "STATE/results" },
  { name: "pending", arg: "FILE", text: "the pending snapshot", default: "STATE/pending.json" },
  { name: "ledger", arg: "FILE", text: "the ledger of open requests", default: "STATE/requested.json" },
  { name: "outbox", arg: "DIR", text: "the outbox of batches for submit", default: "STATE/outbox" },
  { name: "reject-list", arg: "FILE", text: "the CI service's reject list", default: "STATE/reject-list.json" },
  { name: "base", arg: "FILE", text: "the compacted base", default: "STATE/compacted.base" },
];

/** The sync tools' flags for talking to the CI service. */
const URL_FLAG: HelpFlag = { name: "url", arg: "BASE", text: "the CI service's address, e.g. https://ci.debian.net; credentials in it are refused", default: REQUIRED };
const KEY_FILE: HelpFlag = { name: "key-file", arg: "F", text: "the file holding the API key; a warning when group or others may read it", default: "$DEBCI_API_KEY" };
const CA_FILE: HelpFlag = { name: "ca-file", arg: "PEM", text: "the CAs trusted for https, replacing Node's default list (at most 1 MiB); https_proxy, http_proxy and no_proxy are honoured as curl does", default: "$DEBCI_CA_FILE, else Node's default CA list" };
const MAX_BYTES: HelpFlag = { name: "max-bytes", arg: "N", text: "the largest response read; a bigger one is refused, nothing kept (exit 6); 1024-2^40", default: "536870912, 512 MiB" };
const RETRYING: readonly HelpFlag[] = [
  { name: "timeout", arg: "SECONDS", text: "retry an attempt that receives no data for this long; 0.001-3600", default: "30" },
  { name: "deadline", arg: "SECONDS", text: "retry an attempt that takes longer than this; 0.001-86400", default: "600" },
  { name: "retries", arg: "N", text: "retries after a 5xx, a refused or reset connection, a body cut off or not JSON, a timeout; 0-20", default: "4" },
  { name: "backoff", arg: "MS", text: "the wait before the first retry, doubling each time; 0-600000", default: "1000" },
];

/**
 * Every key of debci-bridge.json with what it means: the flags' own texts
 * where a flag overrides it, words of its own for the rest. The man page
 * debci-bridge.json(5) is made from this; test/help.test.ts holds it to the
 * settings file's schema.
 */
export function settingsDoc(): Array<{ key: string; value: string; text: string; flag?: string }> {
  const byFlag = new Map<string, HelpFlag>();
  for (const flag of [...RULES, WAIT, ALLOW_INCOMPLETE]) if (flag.setting !== undefined) byFlag.set(flag.setting, flag);
  const own: Record<string, { value: string; text: string }> = {
    refusedRetryDays: { value: "DAYS", text: "a request the CI service refused is not asked for again until this long after the refusal (default 7)" },
    maxFileBytes: { value: "BYTES", text: "the largest file any reader takes, after gunzip: a larger one is reported and skipped, never read into memory; 1024 to 4 GiB (default 256 MiB)" },
    serviceSuites: { value: "[SUITE, ...]", text: "the suites the CI service runs: a need, a question or a batch entry for another is refused (default: the configured suite only)" },
    serviceArches: { value: "[ARCH, ...]", text: "the arches the CI service runs, as britney.conf's ADT_ARCHES: a need, a question or a batch entry for another is refused (default: any)" },
    staleAfterHours: { value: "HOURS", text: "every command warns when the pending snapshot or the newest results are older than this (default 6)" },
  };
  return SETTINGS_KEYS.map((key) => {
    const flag = byFlag.get(key);
    if (flag !== undefined) return { key, value: flag.arg ?? "true|false", text: `${flag.text} (default ${flag.default})`, flag: `--${flag.name}` };
    const mine = own[key];
    if (mine === undefined) throw new Error(`debci-bridge.json key ${key} has no words in settingsDoc`);
    return { key, ...mine };
  });
}

const SETTINGS_KEYS = ["suite", "graceMinutes", "pendingMaxAgeDays", "overtakenBy", "longestRunHours", "retryOlderThanDays", "baseline", "refusedRetryDays", "referenceMaxAgeDays", "maxFileBytes", "wait", "serviceSuites", "serviceArches", "staleAfterHours", "allowIncomplete", "ciUrl", "britneyConf"];
const SETTINGS = `Settings come from STATE/debci-bridge.json (keys: ${SETTINGS_KEYS.join(", ")}); the flags above override them.`;

const EXIT_OK = "0  done (warnings allowed)";
const EXIT_LOCKED = "2  another committing run holds the state's lock (the message names its pid, host, command and start)";
const EXIT_ARGS = "unusable arguments, a bad debci-bridge.json, a rule britney.conf sets otherwise";
const EXIT_FILES = "or a file that cannot be read or written (the message names it)";
const EXIT_READ_ONLY = [EXIT_OK, `1  ${EXIT_ARGS}, malformed input under --strict, ${EXIT_FILES}`];
const EXIT_SYNC = (tool: string) => [
  `2  another ${tool} holds sync-${tool}.lock`,
  tool === "fetch" ? "3  the CI service stayed unavailable after every retry; nothing was changed" : "3  the CI service stayed unavailable after every retry; unsent batches stay in the outbox for the next run",
  tool === "fetch" ? "4  the CI service refused the request (a 4xx such as 404); nothing was changed" : "4  the CI service refused some entries: kept in outbox/rejected/ beside NAME.reason.json",
  "5  the API key was not accepted (401/403): nothing sent or changed; the message names the key's source, never the key",
  `6  a response over --max-bytes${tool === "fetch" ? " (or a record over 1 MiB)" : ""}, or a redirect to another origin: nothing kept`,
  "7  the service's TLS certificate was not accepted by the CAs in use (--ca-file, $DEBCI_CA_FILE or Node's default list): nothing sent, not retried",
];

const OPTIONS = "Options";
const RULES_TITLE = "Rules (each overrides its setting in debci-bridge.json)";
const PARTS_TITLE = "State parts (each moves one part of the state elsewhere)";

/** The two sections every command that answers keys ends with: the rules, then where the state's parts are. */
const RULES_AND_PARTS = [
  { title: RULES_TITLE, flags: RULES },
  { title: PARTS_TITLE, flags: STATE_PARTS },
];

/** Every command, in the order the overview lists them. */
export const COMMAND_HELP: readonly CommandHelp[] = [
  {
    name: "plan",
    summary: [
      "britney2's run: answers each need as one JSON line on stdout, in input order, then commits: the requests go to",
      "one outbox batch (plus one for huge runs) and to the ledger. One summary line on stderr, after any warning: lines.",
    ],
    sections: [
      {
        title: OPTIONS,
        flags: [STATE, { name: "needs", arg: "FILE|-", text: "britney2's needs: a JSON array or one JSON object per line; - reads stdin", default: REQUIRED }, SCRATCH, NOW, STRICT, WAIT, ALLOW_INCOMPLETE],
      },
      ...RULES_AND_PARTS,
    ],
    settings: SETTINGS,
    exitCodes: [EXIT_OK, `1  ${EXIT_ARGS}, bad needs, an unreadable ledger in a committing run, malformed input under --strict, ${EXIT_FILES}`, `${EXIT_LOCKED}; never with --scratch`],
  },
  {
    name: "status",
    summary: [
      "Answers one test key as one JSON line, with its baseline and britney2's label. Writes nothing and takes no lock.",
      "On a terminal it explains the answer in words instead (coloured unless NO_COLOR is set); --json, or output to a pipe or file, gives the line.",
    ],
    sections: [
      {
        title: OPTIONS,
        flags: [
          STATE,
          { name: "package", arg: "P", text: "the package whose test it is", default: REQUIRED },
          { name: "trigger", arg: "T", text: "the trigger string; its first word is the key's trigger", default: REQUIRED },
          { name: "arch", arg: "A", text: "the architecture", default: REQUIRED },
          { name: "tested-version", arg: "V", text: "the version britney2 tests now (a need's version): results for older ones do not count", default: "any" },
          { name: "json", text: "the JSON line even on a terminal", default: "JSON unless stdout is a terminal" },
          NOW,
          STRICT,
        ],
      },
      ...RULES_AND_PARTS,
    ],
    settings: SETTINGS,
    exitCodes: EXIT_READ_ONLY,
  },
  {
    name: "report",
    summary: [
      "Prints one JSON document for a person checking the state: the data ages and counts first, then the keys in flight",
      "by age, a row per suite and arch, lost and refused requests, files, batches and coverage, each list capped at its",
      "20 oldest with its count beside it (--full: all). --html FILE also writes it as one self-contained page.",
      "On a terminal it prints a short summary instead (coloured unless NO_COLOR is set); --json, or output to a pipe or file, gives the document.",
    ],
    sections: [
      {
        title: OPTIONS,
        flags: [
          STATE,
          NOW,
          STRICT,
          { name: "full", text: "every entry of every list", default: "off: counts, then each list capped, oldest first" },
          { name: "html", arg: "FILE", text: "also write the report to FILE as a self-contained HTML page", default: "none" },
          { name: "json", text: "the JSON document even on a terminal", default: "JSON unless stdout is a terminal" },
        ],
      },
      ...RULES_AND_PARTS,
    ],
    settings: SETTINGS,
    exitCodes: EXIT_READ_ONLY,
  },
  {
    name: "serve",
    summary: [
      "A long-lived session for britney2: one JSON request per line on stdin, one JSON response per line on stdout",
      "(methods status, need, preview, label, baseline, verdict, commit, report, rules, warnings; see the britney2 guide, docs/britney2.md).",
      "Without --scratch it holds the lock from start until its input ends; input ending without commit writes nothing.",
    ],
    sections: [
      { title: OPTIONS, flags: [STATE, SCRATCH, NOW, STRICT, WAIT, ALLOW_INCOMPLETE] },
      ...RULES_AND_PARTS,
    ],
    settings: SETTINGS,
    exitCodes: [EXIT_OK, `1  ${EXIT_ARGS}, an unreadable ledger in a committing run, malformed input under --strict, ${EXIT_FILES}`, `${EXIT_LOCKED}, at start; never with --scratch`],
  },
  {
    name: "export-britney",
    summary: [
      "Writes what an unmodified britney2 reads, all three files or none: autopkgtest-results.cache, autopkgtest-pending.json",
      "and debci.json (the keys in flight as queued jobs, for ADT_SWIFT_URL). With --britney-conf, where that britney2 reads",
      "them (STATE_DIR, ADT_SHARED_RESULTS_CACHE, ADT_SWIFT_URL's file), or exit 1 naming the line to change; else into --out.",
    ],
    sections: [
      {
        title: OPTIONS,
        flags: [
          STATE,
          { name: "out", arg: "DIR", text: "britney2's STATE_DIR, where the three files are written", default: "STATE_DIR of --britney-conf; required without it" },
          { name: "needs", arg: "FILE", text: "the run's needs: a result for a version no need names for its package is written OLD_*", default: "none: only age and a null version make a result old" },
          NOW,
          STRICT,
        ],
      },
      ...RULES_AND_PARTS,
    ],
    settings: SETTINGS,
    exitCodes: [EXIT_OK, `1  ${EXIT_ARGS}, bad needs, malformed input under --strict, ${EXIT_FILES}`],
  },
  {
    name: "import-amqp",
    summary: [
      "Reads britney2's AMQP file output (debci.input) and commits its requests as outbox batches and ledger entries,",
      "each as britney2 decided (request reason imported), except a key in flight, waiting in the outbox, reject-listed",
      "or repeated. The file is taken whole or not at all: a line that is not a request for this state's suite and arches,",
      "a PPA queue or a parameter it would drop is exit 1 naming the line, and nothing of the file is imported.",
    ],
    positionals: [{ name: "[FILE]", text: "britney2's AMQP file, debci.input (lines debci-SUITE-ARCH:PACKAGE {...}); with --britney-conf, ADT_AMQP's file by default" }],
    sections: [
      { title: OPTIONS, flags: [STATE, SCRATCH, NOW, STRICT, WAIT, ALLOW_INCOMPLETE] },
      ...RULES_AND_PARTS,
    ],
    settings: SETTINGS,
    exitCodes: [EXIT_OK, `1  ${EXIT_ARGS}, a bad britney.conf, an unreadable ledger in a committing run, a line that is not a request this state serves, malformed input under --strict, ${EXIT_FILES}`, `${EXIT_LOCKED}; never with --scratch`],
  },
  {
    name: "compact",
    summary: ["Folds every readable results file into the compacted base, under the lock, written atomically. A malformed file is not folded."],
    sections: [
      { title: OPTIONS, flags: [STATE, NOW, STRICT, WAIT] },
      { title: PARTS_TITLE, flags: STATE_PARTS },
    ],
    settings: SETTINGS,
    exitCodes: [EXIT_OK, `1  ${EXIT_ARGS}, malformed input under --strict, a damaged base, ${EXIT_FILES}`, EXIT_LOCKED],
  },
  {
    name: "prune",
    summary: [
      "Deletes results files folded into the base and older than --older-than DAYS (never a file the base does not hold),",
      "and sent batches (outbox/sent/) older than DAYS. Unsent and rejected batches are never pruned.",
    ],
    sections: [
      {
        title: OPTIONS,
        flags: [STATE, { name: "older-than", arg: "DAYS", text: "delete what is older than this (a results file: by the newest result it holds); 0-36500", default: REQUIRED }, NOW, STRICT, WAIT],
      },
      { title: PARTS_TITLE, flags: STATE_PARTS },
    ],
    settings: SETTINGS,
    exitCodes: [EXIT_OK, `1  ${EXIT_ARGS}, a damaged base, ${EXIT_FILES}`, EXIT_LOCKED],
  },
  {
    name: "watermark",
    summary: [
      "Prints {since, until, gaps, replayFrom, ignoredUntils} (ISO 8601 times): since is what fetch should ask the CI service for next;",
      "gaps are stretches no results file covers, replayFrom the since that replays them. A fresh state gives since: null.",
      "On a terminal it says the same in words; --json, or output to a pipe or file, gives the JSON line.",
    ],
    sections: [
      {
        title: OPTIONS,
        flags: [STATE, { name: "overlap", arg: "MINUTES", text: "subtracted from the highest until known, as results can be reported late; 0-10080", default: "60" }, { name: "json", text: "the JSON line even on a terminal", default: "JSON unless stdout is a terminal" }, NOW, STRICT],
      },
      { title: PARTS_TITLE, flags: STATE_PARTS },
    ],
    settings: SETTINGS,
    exitCodes: [EXIT_OK, `1  ${EXIT_ARGS}, a damaged base, ${EXIT_FILES}`],
  },
  {
    name: "dump-base",
    summary: ["Prints the compacted base as JSON lines: its header, then one run per line in debci's field names."],
    sections: [{ title: OPTIONS, flags: [STATE, STATE_PARTS.find((f) => f.name === "base")!] }],
    exitCodes: [EXIT_OK, `1  unusable arguments, no compacted base or a damaged one, ${EXIT_FILES}`],
  },
  {
    name: "fetch",
    summary: [
      "The sync tool that reads the CI service: new results since the watermark into results/, then a complete pending",
      "snapshot (pending.json), then the reject list. Prints a JSON result on stdout, progress on stderr.",
    ],
    sections: [
      {
        title: OPTIONS,
        flags: [
          STATE,
          URL_FLAG,
          KEY_FILE,
          CA_FILE,
          NOW,
          { name: "since", arg: "ISO|SECONDS", synopsis: "[--since ISO|SECONDS | --backfill DAYS]", text: "ask for results updated since then: ISO 8601 with a zone, or UNIX seconds (what watermark prints)", default: "the watermark" },
          { name: "backfill", arg: "DAYS", synopsis: "", text: "on a fresh state (no watermark), start this many days before now; 0-3650", default: "30" },
          { name: "pending-window", arg: "DAYS", text: "the pending snapshot lists unfinished runs updated within this many days; 0-365", default: "pending max age + 1 day" },
          { name: "pending-window-max", arg: "DAYS", text: "how far back the window may reach for the oldest request the ledger holds open; 0-365", default: "14" },
          { name: "overlap", arg: "MINUTES", text: "subtracted from the highest until known, as results can be reported late; 0-10080", default: "60" },
          MAX_BYTES,
          { name: "slice-bytes", arg: "N", text: "the largest results file written; a bigger answer is split across files; 1024-2^30", default: "33554432, 32 MiB" },
          ...RETRYING,
        ],
      },
    ],
    settings: "Settings come from STATE/debci-bridge.json: suite (the suite fetched) and pendingMaxAgeDays (the window's default).",
    exitCodes: [EXIT_OK, "1  unusable arguments, an unusable API key or --url, a bad debci-bridge.json, a file that cannot be written", ...EXIT_SYNC("fetch")],
  },
  {
    name: "submit",
    summary: [
      "The sync tool that writes to the CI service: POSTs each unsent outbox batch, oldest first, and moves it to",
      "outbox/sent/ (what was refused to outbox/rejected/). A batch the service could not take stays for the next run.",
    ],
    sections: [
      {
        title: OPTIONS,
        flags: [
          STATE,
          URL_FLAG,
          KEY_FILE,
          CA_FILE,
          NOW,
          { name: "endpoint", arg: "suite|batch", text: "suite: POST /api/v1/test/SUITE/ARCH per suite and arch; batch: POST /api/v1/test/batch", default: "suite" },
          { name: "priority", arg: "1-10", text: "the priority of a normal batch's tests", default: "5" },
          { name: "huge-priority", arg: "1-10", text: "the priority of a huge run's batch (.huge.json)", default: "1" },
          MAX_BYTES,
          ...RETRYING,
        ],
      },
    ],
    settings: "Settings come from STATE/debci-bridge.json: serviceSuites and serviceArches (entries for others are refused before sending).",
    exitCodes: [EXIT_OK, "1  unusable arguments, an unusable API key or --url, a bad debci-bridge.json, a file that cannot be read or written", ...EXIT_SYNC("submit")],
  },
];

export const COMMAND_NAMES: readonly string[] = COMMAND_HELP.map((c) => c.name);

export function helpOf(name: string): CommandHelp | undefined {
  return COMMAND_HELP.find((c) => c.name === name);
}

export const flagsOf = (help: CommandHelp) => help.sections.flatMap((s) => s.flags);
const spec = (f: HelpFlag) => (f.arg === undefined ? `--${f.name}` : `--${f.name} ${f.arg}`);

/** The synopsis items of a command: required flags and positionals first, then the rest in their order. */
export function synopsisItems(help: CommandHelp): string[] {
  const flags = flagsOf(help);
  const required = flags.filter((f) => f.default === REQUIRED && f.synopsis === undefined).map(spec);
  const optional = flags
    .filter((f) => f.default !== REQUIRED || f.synopsis !== undefined)
    .map((f) => f.synopsis ?? `[${spec(f)}]${f.repeatable === true ? "..." : ""}`)
    .filter((s) => s !== "");
  const [first, ...rest] = required;
  return [...(first === undefined ? [] : [first]), ...(help.positionals ?? []).map((p) => p.name), ...rest, ...optional];
}

/** Prose wrapped before `width`: the first line indented by `first`, the rest by `next` spaces. */
function wrapText(text: string, first: number, next: number, width: number): string[] {
  const lines: string[] = [];
  let line = " ".repeat(first);
  for (const word of text.split(" ")) {
    if (line.trim() !== "" && line.length + 1 + word.length > width) {
      lines.push(line);
      line = " ".repeat(next) + word;
    } else line = line.trim() === "" ? line + word : `${line} ${word}`;
  }
  lines.push(line);
  return lines;
}

/** Items joined with spaces, wrapped before `width`, continuation lines indented by `indent`. */
function wrap(first: string, items: readonly string[], indent: number, width: number): string[] {
  const lines: string[] = [];
  let line = first;
  for (const item of items) {
    if (line.trim() !== "" && line.length + 1 + item.length > width && line.length > indent) {
      lines.push(line);
      line = " ".repeat(indent) + item;
    } else line = line.endsWith(" ") ? line + item : `${line} ${item}`;
  }
  lines.push(line);
  return lines;
}

/** A command's usage on one line: `debci-bridge plan --state DIR ...`. */
export function usageLine(name: string): string {
  const help = helpOf(name);
  if (help === undefined) throw new Error(`no help for ${name}`);
  return [`debci-bridge ${name}`, ...synopsisItems(help)].join(" ");
}

/** The width of `debci-bridge NAME ` for the longest name: where every synopsis's flags start. */
const SYNOPSIS_INDENT = `debci-bridge ${COMMAND_NAMES.reduce((a, b) => (b.length > a.length ? b : a))} `.length;
const WIDTH = 116;

/** Every command's synopsis, wrapped and aligned: the reference's synopsis block (docs/reference.md). */
export function synopsisLines(): string[] {
  return [
    ...COMMAND_HELP.flatMap((help) => wrap(`debci-bridge ${help.name}`.padEnd(SYNOPSIS_INDENT), synopsisItems(help), SYNOPSIS_INDENT, WIDTH)),
    `${"debci-bridge help".padEnd(SYNOPSIS_INDENT)}[COMMAND]      (or: debci-bridge COMMAND --help)`,
    "debci-bridge --version",
  ];
}

/** The reference's synopsis block, fenced. */
export function readmeSynopsis(): string {
  return ["```", ...synopsisLines(), "```", ""].join("\n");
}

/**
 * The commands by who runs them, one line each: what `debci-bridge --help`
 * shows, as git, apt and systemctl show theirs. Every command is in one
 * group (test/help.test.ts).
 */
export const COMMAND_GROUPS: ReadonlyArray<{ title: string; commands: ReadonlyArray<readonly [name: string, purpose: string]> }> = [
  {
    title: "britney2's side (no network):",
    commands: [
      ["plan", "answer britney2's needs, write the requests still needed"],
      ["status", "one test key: its answer, baseline and britney2's label"],
      ["report", "what the state knows: ages, keys in flight, lost, files"],
      ["serve", "answer britney2's questions a line at a time"],
      ["export-britney", "write the state as an unmodified britney2 reads it"],
      ["import-amqp", "take the requests britney2 wrote for AMQP"],
    ],
  },
  {
    title: "the CI side (the sync tools, the only network code):",
    commands: [
      ["fetch", "bring new results and the pending list from debci"],
      ["submit", "send the outbox's batches to debci"],
    ],
  },
  {
    title: "maintenance:",
    commands: [
      ["compact", "fold results files into the compacted base"],
      ["prune", "delete folded results files and sent batches past an age"],
      ["watermark", "how far the results reach, and the gaps"],
      ["dump-base", "show the compacted base as JSON lines"],
    ],
  },
];

/** `debci-bridge --help`: the commands by who runs them, a line each, within 80 columns and one screen. */
export function overviewHelp(): string {
  const column = Math.max(...COMMAND_GROUPS.flatMap((g) => g.commands.map(([name]) => name.length))) + 4;
  return [
    "usage: debci-bridge COMMAND [OPTIONS]",
    "",
    ...COMMAND_GROUPS.flatMap((group, i) => [...(i === 0 ? [] : [""]), group.title, ...group.commands.map(([name, purpose]) => `  ${name.padEnd(column)}${purpose}`)]),
    "",
    "debci-bridge help COMMAND     COMMAND's options, settings and exit codes",
    "debci-bridge version          the version (also --version)",
    "JSON on stdout, messages for people on stderr; exit 0 done, 1 bad input,",
    "2 lock held (fetch and submit also 3-7: see debci-bridge help fetch).",
  ].join("\n");
}

/**
 * `debci-bridge NAME --help`: the synopsis, what the command does, every
 * flag (one a line, with its default), settings, exit codes. `width` wraps
 * it for a terminal (each flag's text hanging under its first line); without
 * it, as scripts and tests read it, a flag and its text keep one line.
 */
export function commandHelp(name: string, width?: number): string | undefined {
  const help = helpOf(name);
  if (help === undefined) return undefined;
  const w = width === undefined ? WIDTH : Math.max(40, width - 1);
  const lead = `usage: debci-bridge ${name}`;
  const column = Math.max(...flagsOf(help).map((f) => spec(f).length), ...(help.positionals ?? []).map((p) => p.name.length)) + 2;
  const entry = (left: string, text: string) => (width === undefined || 2 + column + text.length <= w ? [`  ${left.padEnd(column)}${text}`] : wrapText(text, 2 + column, 2 + column, w).map((line, i) => (i === 0 ? `  ${left.padEnd(column)}${line.trimStart()}` : line)));
  const items = synopsisItems(help);
  // Flags aligned after the command's name, unless the longest would then not fit the width.
  const usageIndent = lead.length + 1 + Math.max(...items.map((i) => i.length)) < w ? lead.length + 1 : 4;
  const summary = width === undefined ? help.summary : wrapText(help.summary.join(" "), 0, 0, w);
  const out = [...wrap(lead, items, usageIndent, w), "", ...summary];
  if (help.positionals !== undefined) {
    out.push("", "Arguments:", ...help.positionals.flatMap((p) => entry(p.name, p.text)));
  }
  for (const section of help.sections) {
    out.push("", `${section.title}:`, ...section.flags.flatMap((f) => entry(spec(f), `${f.text} (${f.default === REQUIRED ? REQUIRED : `default ${f.default}`}${f.setting === undefined ? "" : `; setting ${f.setting}`})`)));
  }
  if (help.settings !== undefined) out.push("", ...wrapText(help.settings, 0, 0, w));
  out.push("", "Exit codes:", ...help.exitCodes.flatMap((c) => wrapText(c, 2, 5, w)));
  return out.join("\n");
}
