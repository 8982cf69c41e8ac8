/**
 * britney2's configuration file (britney.conf), read the way britney2 reads
 * it, so debci-bridge and britney2 cannot disagree about a rule. Mirrors
 * `Britney.__parse_arguments` in britney.py (Debian's britney2 as merged in
 * threatcode/britney2 at 53b88ee), read, not copied:
 *
 * - the file is opened as UTF-8 text (a byte that is not UTF-8 stops
 *   britney2 with UnicodeDecodeError) and iterated by line, Python's
 *   universal newlines splitting at \n, \r\n and a lone \r;
 * - a line counts when it holds `=` and, stripped, does not start with `#`:
 *   a comment after a value is part of the value;
 * - it is split at its first `=`, key and value stripped of Python's
 *   whitespace (str.strip: not the byte-order mark, which stays in a key);
 * - `HINTS_*` keys (that exact case) are hint permissions, not options;
 * - any other key sets the option named by its lower case, unless the
 *   option already holds a non-empty value: the FIRST non-empty value of a
 *   key wins, and an empty one is replaced by a later one.
 */

/** One option as britney2 keeps it: its value and the line that set it (1-based). */
export interface ConfEntry {
  /** The key as written on that line. */
  key: string;
  value: string;
  line: number;
}

export interface BritneyConf {
  path: string;
  /** By option name: the key in lower case, as britney2's `options` attribute. */
  options: ReadonlyMap<string, ConfEntry>;
}

/** Python's str.isspace() characters, which str.strip() removes; unlike JavaScript's trim, not U+FEFF. */
const PY_SPACE = "[\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]";
const PY_STRIP = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, "g");
const pyStrip = (s: string) => s.replace(PY_STRIP, "");

/** Parses britney.conf's text as britney.py does (see above). */
export function parseBritneyConf(text: string, path: string): BritneyConf {
  const options = new Map<string, ConfEntry>();
  text.split(/\r\n|\r|\n/).forEach((line, i) => {
    if (!line.includes("=") || pyStrip(line).startsWith("#")) return;
    const eq = line.indexOf("=");
    const key = pyStrip(line.slice(0, eq));
    const value = pyStrip(line.slice(eq + 1));
    if (key.startsWith("HINTS_")) return;
    const name = key.toLowerCase();
    const held = options.get(name);
    if (held === undefined || held.value === "") options.set(name, { key, value, line: i + 1 });
  });
  return { path, options };
}

/** A URL's password, never echoed: ADT_AMQP may be amqp://user:password@host. */
const redacted = (value: string) => value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i, "$1:***@");

/** Where a value came from, for messages: `/etc/britney.conf line 98 (ADT_BASELINE = reference)`. */
export function placeOf(conf: BritneyConf, entry: ConfEntry): string {
  return `${conf.path} line ${entry.line} (${entry.key} = ${redacted(entry.value)})`;
}
