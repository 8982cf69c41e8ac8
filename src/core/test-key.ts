import type { TestKey } from "./types.js";

/** A test key as one string, unambiguous whatever its names hold (a need may name anything, spaces included). */
export function keyId(key: TestKey): string {
  return JSON.stringify([key.suite, key.arch, key.package, key.trigger]);
}

export function formatKey(key: TestKey): string {
  return `${key.package} ${key.trigger} on ${key.suite}/${key.arch}`;
}
