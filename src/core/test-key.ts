import type { TestKey } from "./types.js";

/**
 * Whether JSON writes a name as it is: no character it escapes (a quote, a
 * backslash, a control character, a lone surrogate) and none at or below
 * the quote. For such names a key's JSON text is the names joined, and
 * ordering those texts orders the keys name by name (see keyId).
 */
function isPlain(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c <= 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}

/**
 * A test key as one string, unambiguous whatever its names hold (a need may
 * name anything, spaces included): the JSON text of [suite, arch, package,
 * trigger], joined by hand when every name is plain (the ledger makes one
 * per request, a hundred thousand a run), by JSON.stringify otherwise.
 */
export function keyId(key: TestKey): string {
  const { suite, arch, package: pkg, trigger } = key;
  if (isPlain(suite) && isPlain(arch) && isPlain(pkg) && isPlain(trigger)) return `["${suite}","${arch}","${pkg}","${trigger}"]`;
  return JSON.stringify([suite, arch, pkg, trigger]);
}

export function formatKey(key: TestKey): string {
  return `${key.package} ${key.trigger} on ${key.suite}/${key.arch}`;
}
