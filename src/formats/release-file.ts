/**
 * What britney2 takes from the `Release` file in the directory britney.conf's
 * TESTING names, when britney.conf leaves it there: the target suite's name
 * (britney2's series while SERIES is unset) and the architectures (while
 * ARCHITECTURES is unset). Mirrors britney2/utils.py `read_release_file`
 * (apt_pkg.TagFile: the first paragraph, and a second one is an error) and
 * britney2/inputs/suiteloader.py `_get_suite_name` (the `Suite` field, else
 * `Codename`, else KeyError) and `_check_release_file` (`Components`, which
 * it always reads, and `Architectures`, `all` left out, sorted), in
 * threatcode/britney2 at 53b88ee.
 */

/** A field britney2 reads from the file: its value, or what britney2 would stop on instead. */
export type ReleaseField<T> = T | { problem: string };

/** What britney2 takes from TESTING's Release file, each field only when britney.conf leaves it to the file. */
export interface ReleaseFacts {
  path: string;
  /** The target suite's name (`_get_suite_name`): the series while SERIES is unset. */
  suite: ReleaseField<{ name: string; field: "Suite" | "Codename" }>;
  /** `_check_release_file`: the architectures, `all` left out, while ARCHITECTURES is unset. */
  architectures: ReleaseField<string[]>;
}

/** A field's value and where it was written, for messages. */
export const releaseSource = (release: ReleaseFacts, field: string, value: string) => `${release.path} (${field}: ${value})`;

/** A field's fate, as a problem or the value. */
export function isReleaseProblem<T>(field: ReleaseField<T>): field is { problem: string } {
  return typeof field === "object" && field !== null && "problem" in field;
}

/** A paragraph's fields by lower-case name (apt finds a field whatever its case), values stripped, continuation lines joined. */
function paragraphs(text: string): Array<Map<string, string>> {
  const out: Array<Map<string, string>> = [];
  let fields: Map<string, string> | null = null;
  let last: string | null = null;
  for (const line of text.split("\n")) {
    if (line.trim() === "") {
      fields = null;
      last = null;
      continue;
    }
    if (fields === null) {
      fields = new Map();
      out.push(fields);
    }
    if ((line.startsWith(" ") || line.startsWith("\t")) && last !== null) {
      fields.set(last, `${fields.get(last)!}\n${line.trim()}`);
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) return [];
    last = line.slice(0, colon).trim().toLowerCase();
    fields.set(last, line.slice(colon + 1).trim());
  }
  return out;
}

/** What britney2 reads from a Release file's text (see ReleaseFacts); a file britney2 cannot read at all is a problem. `path` names the file. */
export function readRelease(text: string, path: string): ReleaseFacts | { problem: string } {
  const found = paragraphs(text);
  if (found.length === 0) return { problem: `${path}: not a Release file (no "Field: value" paragraph); britney2 stops on it` };
  if (found.length > 1) return { problem: `${path}: more than one paragraph; britney2 stops with TypeError on it` };
  const fields = found[0]!;
  // _check_release_file reads Components whatever britney.conf says.
  if (!fields.has("components")) return { problem: `${path}: no Components field; britney2 stops with KeyError on it` };
  const suiteName = fields.get("suite");
  const codename = fields.get("codename");
  const suite: ReleaseFacts["suite"] =
    suiteName !== undefined ? { name: suiteName, field: "Suite" } : codename !== undefined ? { name: codename, field: "Codename" } : { problem: `${path}: neither a Suite nor a Codename field; britney2 stops with KeyError on it` };
  const arches = fields.get("architectures");
  const architectures = arches === undefined ? { problem: `${path}: no Architectures field, and britney.conf sets no ARCHITECTURES; britney2 stops with KeyError on it` } : arches.split(/\s+/).filter((a) => a !== "" && a !== "all").sort();
  return { path, suite, architectures };
}
