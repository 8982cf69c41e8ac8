import { globToRegExp, hasGlob } from "./fnmatch.js";
import { parseTrigger } from "./trigger.js";
import type { TestKey } from "./types.js";

/** debci's reject list: package → suite → arch → version → reason, `*` matching any, package names also as globs. */
export type RejectList = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

function levels<T>(map: Record<string, T> | undefined, name: string): T[] {
  if (map === undefined) return [];
  const out: T[] = [];
  if (Object.hasOwn(map, name)) out.push(map[name]!);
  if (name !== "*" && Object.hasOwn(map, "*")) out.push(map["*"]!);
  return out;
}

/** The list's glob entries, compiled once per loaded list: britney2 asks about many keys. */
const compiled = new WeakMap<RejectList, Array<{ pattern: RegExp; entry: RejectList[string] }>>();

function globEntries(list: RejectList): Array<{ pattern: RegExp; entry: RejectList[string] }> {
  let globs = compiled.get(list);
  if (globs === undefined) {
    globs = Object.keys(list)
      .filter(hasGlob)
      .map((name) => ({ pattern: globToRegExp(name), entry: list[name]! }));
    compiled.set(list, globs);
  }
  return globs;
}

/**
 * The entries that speak for a package, as debci finds them
 * (`lib/debci/reject_list.rb`, include?): its own entry when it has one,
 * and only then; otherwise every entry whose name, as a glob, matches it.
 */
function packageEntries(list: RejectList, pkg: string): Array<RejectList[string]> {
  if (Object.hasOwn(list, pkg)) return [list[pkg]!];
  return globEntries(list)
    .filter((g) => g.pattern.test(pkg))
    .map((g) => g.entry);
}

/**
 * Whether a test key is reject-listed. Suite and arch match exactly or
 * through `*`. A listing for any version counts, because the version
 * testing will run is not known here, except when the trigger uploads the
 * package itself: then only that version (or `*`) counts.
 */
export function isRejected(list: RejectList, key: TestKey): boolean {
  const upload = parseTrigger(key.trigger);
  const ownVersion = upload !== null && upload.source === key.package ? upload.version : null;
  for (const bySuite of packageEntries(list, key.package)) {
    for (const byArch of levels(bySuite, key.suite)) {
      for (const byVersion of levels(byArch, key.arch)) {
        const versions = Object.keys(byVersion);
        if (versions.includes("*")) return true;
        if (ownVersion === null ? versions.length > 0 : versions.includes(ownVersion)) return true;
      }
    }
  }
  return false;
}
