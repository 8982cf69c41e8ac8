/**
 * Names as Debian writes them, so a typo in a need ("testnig", "amd 64",
 * "Baz_2", "glibc 2.41-7") is an error naming the field instead of a request
 * the CI service refuses or, worse, runs for nothing.
 */

/** A source package name (Debian Policy 5.6.1): lowercase letters, digits, + - ., at least two, starting alphanumeric. */
export const SOURCE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;
/** An architecture as dpkg names it (amd64, arm64, hurd-i386): lowercase letters, digits and hyphens. */
export const ARCH_NAME = /^[a-z0-9][a-z0-9-]*$/;
/** A suite as debci takes it (testing, unstable, testing-proposed-updates, bookworm-backports). */
export const SUITE_NAME = /^[a-z0-9][a-z0-9.-]*$/;
/** A Debian version (Debian Policy 5.6.12): [epoch:]upstream[-revision], the upstream starting with a digit. */
export const DEBIAN_VERSION = /^(?:[0-9]+:)?[0-9][A-Za-z0-9.+~:-]*$/;

const REFERENCE_TRIGGER = "migration-reference/0";

/**
 * SOURCE_NAME, a slash, DEBIAN_VERSION, in one pattern: neither part may
 * hold a slash, so this is the word split at its first slash and each side
 * tested, without making the two slices (every need's trigger is tested).
 */
const TRIGGER_WORD = new RegExp(`^${SOURCE_NAME.source.slice(1, -1)}/${DEBIAN_VERSION.source.slice(1, -1)}$`);

/** One trigger: `source/version`, or britney2's reference trigger. */
export function isTriggerWord(word: string): boolean {
  return word === REFERENCE_TRIGGER || TRIGGER_WORD.test(word);
}

/** A full trigger string: one or more triggers separated by spaces (the first is the key's). */
export function isTriggerString(text: string): boolean {
  // One trigger, the common case: no split.
  if (text.length > 0 && !text.includes(" ")) return isTriggerWord(text);
  let words = 0;
  for (const word of text.split(" ")) {
    if (word === "") continue;
    if (!isTriggerWord(word)) return false;
    words++;
  }
  return words > 0;
}

export const NAME_RULES = {
  package: { test: (v: string) => SOURCE_NAME.test(v), message: "not a Debian source package name (Debian Policy 5.6.1: lowercase letters, digits, + - and ., at least two, starting with a letter or digit)" },
  arch: { test: (v: string) => ARCH_NAME.test(v), message: "not a Debian architecture name (lowercase letters, digits and hyphens, such as amd64 or hurd-i386)" },
  suite: { test: (v: string) => SUITE_NAME.test(v), message: "not a suite name (lowercase letters, digits, . and -, such as testing or unstable)" },
  trigger: { test: isTriggerString, message: "not a trigger string: one or more source/version (or migration-reference/0), separated by spaces" },
} as const;
