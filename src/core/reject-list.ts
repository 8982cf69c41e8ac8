import { parseTrigger } from "./trigger.js";
import type { TestKey } from "./types.js";

/** debci's reject list: package → suite → arch → version → reason, `*` matching any. */
export type RejectList = Record<string, Record<string, Record<string, Record<string, unknown>>>>;

function levels<T>(map: Record<string, T> | undefined, name: string): T[] {
  if (map === undefined) return [];
  const out: T[] = [];
  if (Object.hasOwn(map, name)) out.push(map[name]!);
  if (name !== "*" && Object.hasOwn(map, "*")) out.push(map["*"]!);
  return out;
}

/**
 * Whether a test key is reject-listed. A listing for any version counts,
 * because the version testing will run is not known here, except when the
 * trigger uploads the package itself: then only that version (or `*`) counts.
 */
export function isRejected(list: RejectList, key: TestKey): boolean {
  const upload = parseTrigger(key.trigger);
  const ownVersion = upload !== null && upload.source === key.package ? upload.version : null;
  for (const bySuite of levels(list, key.package)) {
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
