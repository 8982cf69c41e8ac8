import { compareDebianVersions } from "./debian-version.js";

/**
 * The two britney2 hints the autopkgtest policy reads, from britney2's hints
 * files: `force-badtest PKG/VERSION` (a failure of PKG's test, at VERSION or
 * older, or `all`, is ignored: IGNORE-FAIL; `PKG/ARCH/VERSION` for one arch)
 * and `force-skiptest SOURCE/VERSION` (the upload migrates without waiting
 * for its tests).
 */
export interface Hint {
  type: "force-badtest" | "force-skiptest";
  package: string;
  /** `source` (every arch) or one arch. */
  arch: string;
  /** A version, or `all`. */
  version: string;
  /** Who gave it: britney2 names a hint by its hints file. */
  user: string;
}

export const NO_HINTS: readonly Hint[] = [];

const TYPES = new Set(["force-badtest", "force-skiptest"]);

/**
 * Parses hints-file lines as britney2 does (britney2/hints.py): blank lines
 * and `#` comments skipped, `finished` ends the file, one hint per package
 * argument; other hint types are not this policy's and are passed over.
 */
export function parseHints(text: string, user: string): { hints: Hint[]; problems: string[] } {
  const hints: Hint[] = [];
  const problems: string[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const words = lines[i]!.trim().split(/\s+/).filter((w) => w !== "");
    if (words.length === 0 || words[0]!.startsWith("#")) continue;
    if (words[0] === "finished") break;
    const type = words[0]!;
    if (!TYPES.has(type)) continue;
    if (words.length < 2) {
      problems.push(`${user} line ${i + 1}: ${type} needs at least one package`);
      continue;
    }
    for (const item of words.slice(1)) {
      const parts = item.replace(/^-/, "").split("/");
      const pkg = parts[0]!.split("_")[0]!; // a `_suite` suffix names the suite; the policy looks at the package
      if (parts.length < 2 || parts.length > 3 || pkg === "" || parts.some((p) => p === "")) {
        problems.push(`${user} line ${i + 1}: ${JSON.stringify(item)} is not PACKAGE/VERSION or PACKAGE/ARCH/VERSION`);
        continue;
      }
      const [arch, version] = parts.length === 3 ? [parts[1]!.split("_")[0]!, parts[2]!] : ["source", parts[1]!];
      hints.push({ type: type as Hint["type"], package: pkg, arch, version, user });
    }
  }
  return { hints, problems };
}

/** britney2's has_force_badtest: a hint for the package, on its arch or all, at this version or a later one (or `all`). */
export function hasForceBadtest(hints: readonly Hint[], pkg: string, version: string | null | undefined, arch: string): boolean {
  return hints.some(
    (h) => h.type === "force-badtest" && h.package === pkg && (h.arch === "source" || h.arch === arch) && (h.version === "all" || (version != null && compareDebianVersions(version, h.version) <= 0)),
  );
}

/** The force-skiptest hint for exactly this upload, if any (britney2 matches the version as given). */
export function forceSkiptest(hints: readonly Hint[], source: string, version: string): Hint | undefined {
  return hints.find((h) => h.type === "force-skiptest" && h.package === source && h.version === version);
}

export type Verdict = "PASS" | "PASS_HINTED" | "REJECTED_TEMPORARILY" | "REJECTED_PERMANENTLY";

/**
 * The autopkgtest policy's verdict for an upload from its tests' labels
 * (apply_src_policy_impl): any REGRESSION rejects it for now and for good,
 * RUNNING or RUNNING-REFERENCE holds it; force-skiptest lets a rejected
 * upload pass, hinted.
 */
export function verdictFor(labels: Iterable<string | null>, skiptest: Hint | undefined): { verdict: Verdict; hintedBy?: string } {
  const seen = new Set(labels);
  let verdict: Verdict = "PASS";
  if (seen.has("REGRESSION")) verdict = "REJECTED_PERMANENTLY";
  else if (seen.has("RUNNING") || seen.has("RUNNING-REFERENCE")) verdict = "REJECTED_TEMPORARILY";
  if (verdict !== "PASS" && skiptest !== undefined) return { verdict: "PASS_HINTED", hintedBy: skiptest.user };
  return { verdict };
}
