import { compareDebianVersions } from "../../src/core/debian-version.js";

/**
 * How an unmodified britney2 reads the files export-britney writes, so the
 * tests can hold the export to it without britney2 itself (CI cannot fetch
 * it). Each step mirrors the behaviour of Debian's britney2 as merged in
 * threatcode/britney2 at 53b88ee (its britney2/policies/autopkgtest.py is
 * that of 15d6868); line numbers are of that file. Written from reading it,
 * not copied; where it raises, this throws, so a file britney2 would crash
 * on fails the test.
 */

/** The Result enum (autopkgtest.py:45-55): ordered, a lower value is a better result. */
export const RESULT_ORDER = { PASS: 1, NEUTRAL: 2, FAIL: 3, OLD_PASS: 4, OLD_NEUTRAL: 5, OLD_FAIL: 6, NONE: 7 } as const;
export type ResultName = keyof typeof RESULT_ORDER;

/** One cached result: [Result, version, run_id, seen] (autopkgtest.py:130-139). */
export type Leaf = [ResultName, string | null, string, number];
export type TestResults = Map<string, Map<string, Map<string, Leaf>>>;
/** trigger -> src -> [arch] (autopkgtest.py:122-124). */
export type PendingTests = Map<string, Map<string, string[]>>;

const REF_TRIG = "migration-reference/0";
const SECPERDAY = 86_400;

export interface BritneyOptions {
  targetSuite: string;
  baseline: "reference" | "any";
  /** ADT_REFERENCE_MAX_AGE in days; null: never too old (autopkgtest.py:184-188). */
  referenceMaxAgeDays: number | null;
  /** britney2's `_now`, UNIX seconds (autopkgtest.py:169). */
  now: number;
  /** The versions of a source in britney2's suites (test_version_in_any_suite, autopkgtest.py:321-346); undefined: not known here. */
  versionsOf: (src: string) => readonly string[] | undefined;
}

export class Britney2Reader {
  testResults: TestResults = new Map();
  pendingTests: PendingTests = new Map();

  constructor(private readonly options: BritneyOptions) {}

  /**
   * read_pending_tests (autopkgtest.py:789-801): json.load as-is, whatever
   * its shape; a list is what the rest of britney2 needs (see
   * requestTestIfNotQueued), checked there.
   */
  readPendingFile(text: string): void {
    const value = JSON.parse(text) as Record<string, Record<string, unknown>>;
    this.pendingTests = new Map(Object.entries(value).map(([trigger, bySrc]) => [trigger, new Map(Object.entries(bySrc).map(([src, arches]) => [src, arches as string[]]))]));
  }

  /**
   * check_and_upgrade_cache (autopkgtest.py:282-300): every leaf's first
   * element becomes a Result by name (a bool from an old cache becomes PASS
   * or FAIL; anything else raises KeyError); a leaf without `seen` gets now.
   */
  readResultsCache(text: string): void {
    const value = JSON.parse(text) as Record<string, Record<string, Record<string, unknown[]>>>;
    this.testResults = new Map();
    for (const [trigger, bySrc] of Object.entries(value)) {
      const srcMap = new Map<string, Map<string, Leaf>>();
      this.testResults.set(trigger, srcMap);
      for (const [src, byArch] of Object.entries(bySrc)) {
        const archMap = new Map<string, Leaf>();
        srcMap.set(src, archMap);
        for (const [arch, leaf] of Object.entries(byArch)) {
          if (!Array.isArray(leaf)) throw new TypeError(`cache leaf ${trigger}/${src}/${arch} is not a list`);
          let result: ResultName;
          if (typeof leaf[0] === "string" && Object.hasOwn(RESULT_ORDER, leaf[0])) result = leaf[0] as ResultName;
          else if (typeof leaf[0] === "boolean") result = leaf[0] ? "PASS" : "FAIL";
          else throw new Error(`KeyError: ${JSON.stringify(leaf[0])} (cache leaf ${trigger}/${src}/${arch})`);
          const seen = leaf.length > 3 ? (leaf[3] as number) : this.options.now;
          archMap.set(arch, [result, leaf[1] as string | null, leaf[2] as string, seen]);
        }
      }
    }
  }

  /**
   * The ADT_SWIFT_URL file, when it exists (autopkgtest.py:204-247): pending
   * tests are reset and rebuilt from it alone. Per record: a null version
   * becomes "blocked-on-ci-infra"; `suite`, `trigger`, `package`, `arch`,
   * `version`, `status`, `run_id` are read by key (a missing one raises);
   * `updated_at` loses its last five characters and must then parse as
   * %Y-%m-%dT%H:%M:%S. Another suite, or no trigger: skipped. For each
   * trigger word: status null adds the arch to pending (sorted), tmpfail is
   * skipped, anything else goes through add_trigger_to_results.
   */
  readDebciFile(text: string): void {
    const value = JSON.parse(text) as { results: Array<Record<string, unknown>> };
    this.pendingTests = new Map();
    for (const res of value.results) {
      for (const field of ["version", "suite", "trigger", "package", "arch", "status", "run_id", "updated_at"]) {
        if (!Object.hasOwn(res, field)) throw new Error(`KeyError: '${field}' in ${JSON.stringify(res).slice(0, 200)}`);
      }
      const version = res.version === null ? "blocked-on-ci-infra" : (res.version as string);
      const updated = res.updated_at;
      if (typeof updated !== "string") throw new TypeError(`'NoneType' object is not subscriptable: updated_at of run ${String(res.run_id)}`);
      const cut = updated.slice(0, -5);
      if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(cut)) throw new Error(`ValueError: time data '${cut}' does not match format '%Y-%m-%dT%H:%M:%S'`);
      const seen = Math.round(Date.parse(`${cut}Z`) / 1000);
      if (res.suite !== this.options.targetSuite) continue;
      if (res.trigger === null) continue;
      const status = res.status as string | null;
      for (const trigger of (res.trigger as string).split(/\s+/).filter((t) => t !== "")) {
        if (status === null) {
          const arches = this.pendingList(trigger, res.package as string);
          if (!arches.includes(res.arch as string)) {
            arches.push(res.arch as string);
            arches.sort();
          }
        } else if (status === "tmpfail") continue;
        else this.addTriggerToResults(trigger, res.package as string, version, res.arch as string, String(res.run_id), seen, status.toUpperCase() as ResultName);
      }
    }
  }

  /** add_trigger_to_results (autopkgtest.py:969-1001). */
  addTriggerToResults(trigger: string, src: string, ver: string, arch: string, runId: string, timestamp: number, status: ResultName): void {
    const slash = trigger.indexOf("/");
    if (slash === -1) return; // "Ignoring invalid test trigger"
    const trigsrc = trigger.slice(0, slash);
    const trigver = trigger.slice(slash + 1);
    if (trigsrc === src && compareDebianVersions(ver, trigver) < 0) return; // a run for an older version of the trigger itself
    let srcMap = this.testResults.get(trigger);
    if (srcMap === undefined) this.testResults.set(trigger, (srcMap = new Map()));
    let archMap = srcMap.get(src);
    if (archMap === undefined) srcMap.set(src, (archMap = new Map()));
    let stored = archMap.get(arch);
    if (stored === undefined) archMap.set(arch, (stored = ["FAIL", null, "", 0]));
    let update = false;
    if (this.options.baseline === "reference" && trigger === REF_TRIG) update = stored[3] < timestamp;
    else if (RESULT_ORDER[status] < RESULT_ORDER[stored[0]]) update = true;
    else if (status === stored[0] && stored[3] < timestamp) update = true;
    if (update) {
      stored[0] = status;
      stored[1] = ver;
      stored[2] = runId;
      stored[3] = timestamp;
    }
  }

  /**
   * filter_old_results (autopkgtest.py:302-319), run only under the
   * reference baseline (244-245): a reference result older than the maximum
   * age, or any result for a version in no suite, is marked old
   * (mark_result_as_old, 102-112: FAIL, PASS, NEUTRAL to their OLD_ names).
   */
  filterOldResults(): void {
    if (this.options.baseline !== "reference") return;
    const maxAge = this.options.referenceMaxAgeDays === null ? Number.POSITIVE_INFINITY : this.options.referenceMaxAgeDays * SECPERDAY;
    for (const [trigger, srcMap] of this.testResults)
      for (const [src, archMap] of srcMap)
        for (const leaf of archMap.values()) {
          if (trigger === REF_TRIG && leaf[3] < this.options.now - maxAge) leaf[0] = markOld(leaf[0]);
          else {
            const versions = this.options.versionsOf(src);
            if (versions !== undefined && !versions.some((v) => leaf[1] !== null && compareDebianVersions(v, leaf[1]) === 0)) leaf[0] = markOld(leaf[0]);
          }
        }
  }

  /**
   * request_test_if_not_queued (autopkgtest.py:1094-1105): the arch list of
   * (trigger, src) is created if absent and appended to, so it must be a
   * list (a dict raises AttributeError: 'dict' object has no attribute
   * 'append'). True when britney2 would send a request.
   */
  requestTestIfNotQueued(src: string, arch: string, trigger: string): boolean {
    const arches = this.pendingList(trigger, src);
    if (arches.includes(arch)) return false;
    arches.push(arch);
    arches.sort();
    return true;
  }

  /** Whether britney2 holds (trigger, src, arch) as pending (pkg_test_result, autopkgtest.py:1231). */
  isPending(trigger: string, src: string, arch: string): boolean {
    const arches = this.pendingTests.get(trigger)?.get(src);
    return arches !== undefined && (Array.isArray(arches) ? arches.includes(arch) : Object.hasOwn(arches as object, arch));
  }

  result(trigger: string, src: string, arch: string): Leaf | undefined {
    return this.testResults.get(trigger)?.get(src)?.get(arch);
  }

  private pendingList(trigger: string, src: string): string[] {
    let srcMap = this.pendingTests.get(trigger);
    if (srcMap === undefined) this.pendingTests.set(trigger, (srcMap = new Map()));
    let arches = srcMap.get(src);
    if (arches === undefined) srcMap.set(src, (arches = []));
    if (!Array.isArray(arches)) throw new TypeError(`AttributeError: '${typeof arches === "object" ? "dict" : typeof arches}' object has no attribute 'append' (pending ${trigger} ${src})`);
    return arches;
  }
}

function markOld(result: ResultName): ResultName {
  if (result === "FAIL") return "OLD_FAIL";
  if (result === "PASS") return "OLD_PASS";
  if (result === "NEUTRAL") return "OLD_NEUTRAL";
  return result;
}

/** The options of britney.conf that say which files britney2 reads at start. */
export interface BritneyFileOptions {
  /** STATE_DIR. */
  stateDir: string;
  /** ADT_SHARED_RESULTS_CACHE as written ("" when empty). */
  sharedResultsCache: string;
  /** ADT_SWIFT_URL as written. */
  swiftUrl: string;
}

/**
 * The files britney2 reads at start, from where its options put them:
 * autopkgtest.py __init__ (140-143) reads the results cache from
 * ADT_SHARED_RESULTS_CACHE when non-empty, else STATE_DIR/
 * autopkgtest-results.cache; initialise (166-245) reads the pending file
 * STATE_DIR/autopkgtest-pending.json (read_pending_tests, 789-801: none is
 * an empty dict), the cache if it exists, then the ADT_SWIFT_URL file when
 * it is a file:// URL (url[7:]) that exists, then filters old results
 * under the reference baseline.
 */
export function readAsBritney2(options: BritneyOptions, files: BritneyFileOptions, read: (path: string) => string | null): Britney2Reader {
  const britney = new Britney2Reader(options);
  const pending = read(`${files.stateDir}/autopkgtest-pending.json`);
  if (pending !== null) britney.readPendingFile(pending);
  const cache = read(files.sharedResultsCache !== "" ? files.sharedResultsCache : `${files.stateDir}/autopkgtest-results.cache`);
  if (cache !== null) britney.readResultsCache(cache);
  if (files.swiftUrl.startsWith("file://")) {
    const debci = read(files.swiftUrl.slice(7));
    if (debci !== null) britney.readDebciFile(debci);
  }
  britney.filterOldResults();
  return britney;
}

/** test_version_in_any_suite's versions, from the needs' `versions` (testing and unstable) or `version`. */
export function versionsFromNeeds(needs: readonly { package: string; version?: string; versions?: readonly string[] }[]): (src: string) => string[] | undefined {
  const map = new Map<string, Set<string>>();
  for (const n of needs) for (const v of n.versions ?? (n.version === undefined ? [] : [n.version])) (map.get(n.package) ?? map.set(n.package, new Set()).get(n.package)!).add(v);
  return (src) => (map.has(src) ? [...map.get(src)!] : undefined);
}
