import type { TestKey } from "./types.js";

/** A test key as one string; no component holds a space, so this is unambiguous. */
export function keyId(key: TestKey): string {
  return `${key.suite} ${key.arch} ${key.package} ${key.trigger}`;
}

/** `(suite, arch, package)`: the tests of one package on one arch, whatever the trigger. */
export function packageId(suite: string, arch: string, pkg: string): string {
  return `${suite} ${arch} ${pkg}`;
}

export function formatKey(key: TestKey): string {
  return `${key.package} ${key.trigger} on ${key.suite}/${key.arch}`;
}
