import type { RuleName, SettingsOverrides } from "../core/settings.js";
import { NAME_RULES } from "./debian-names.js";
import { parseCiUrl } from "./ci-url.js";
import { placeOf, type BritneyConf, type ConfEntry } from "./britney-conf.js";
import { isReleaseProblem, releaseSource, type ReleaseFacts } from "./release-file.js";

/**
 * What britney2 does with the options of its configuration that debci-bridge
 * must agree with: the rules (SERIES, ADT_BASELINE, ADT_RETRY_OLDER_THAN,
 * ADT_REFERENCE_MAX_AGE, ADT_ARCHES, ADT_CI_URL, ADT_HUGE) and the places it
 * reads and writes (STATE_DIR, ADT_SHARED_RESULTS_CACHE, ADT_SWIFT_URL,
 * ADT_AMQP). Each reading follows britney2's own code (threatcode/britney2
 * at 53b88ee: britney.py `__parse_arguments`; britney2/policies/
 * autopkgtest.py `__init__`, `initialise`, `pkg_test_request`,
 * `result_in_baseline`, `send_test_request`; britney2/policies/policy.py
 * `PolicyLoadRequest.is_enabled`), including the defaults it applies when a
 * key is absent. Where britney2 itself would stop (an exception) or read a
 * value in a way nobody means, the reading is a problem: debci-bridge
 * refuses the file rather than answer by a rule britney2 does not run.
 */

/** A path britney2 reads or writes, and the option that says so; or why there is none to use. */
export type BritneyPlace = { path: string; source: string } | { problem: string };

export interface BritneyPlaces {
  /** STATE_DIR: where britney2 keeps autopkgtest-pending.json (and, unless shared, its results cache). */
  stateDir: BritneyPlace;
  /** The results cache britney2 reads: ADT_SHARED_RESULTS_CACHE when set, else STATE_DIR/autopkgtest-results.cache. */
  resultsCache: BritneyPlace;
  /** Whether that cache is a shared one, which britney2 only reads and never writes back. */
  sharedCache: boolean;
  /** ADT_SWIFT_URL's file (file:// only): the debci.json britney2 reads its new results and queued tests from. */
  debciFile: BritneyPlace;
  /** ADT_AMQP's file (file:// only): where britney2 writes its requests, debci.input. */
  amqpFile: BritneyPlace;
}

export interface BritneyRules {
  conf: BritneyConf;
  /** Every rule as britney2 applies it, an absent key as britney2's default. */
  rules: Required<Pick<SettingsOverrides, RuleName>>;
  /** Where each rule came from, for messages: the line, or the absent key and britney2's default. */
  sources: Record<RuleName, string>;
  /** ADT_HUGE: a source with more tests than this goes to the huge queue; null: no huge queue. */
  hugeAbove: number | null;
  /** ADT_ENABLE: whether britney2 runs its autopkgtest policy at all. */
  enabled: boolean;
  places: BritneyPlaces;
  /** What britney2 would stop on, or read as nobody means: the file is refused. */
  problems: string[];
  /** What britney2 accepts but a person should know. */
  warnings: string[];
}

/** What suiteloader.py load_suites names the target suite when TESTING has no Release file: britney2's series then, while SERIES is unset. */
const TARGET_SUITE_NAME = "testing";

/** A whole number as a britney.conf value must be for Python's int(): digits, an optional sign. */
const WHOLE = /^[+-]?\d+$/;

function entryOf(conf: BritneyConf, option: string): ConfEntry | undefined {
  return conf.options.get(option);
}

/** The ADT_ option's name as a site writes it, for messages about a key that is absent. */
const absent = (conf: BritneyConf, key: string, then?: string) => `${conf.path}: no ${key} line${then === undefined ? "" : ` (${then})`}`;

/** A file:// URL's path as britney2 takes it: `url[7:]`, no decoding; it must be absolute, as britney2 opens it from wherever it was started. */
function fileUrlPlace(conf: BritneyConf, key: string, entry: ConfEntry | undefined, otherwise: string): BritneyPlace {
  if (entry === undefined) return { problem: `${absent(conf, key, "britney2 stops with AttributeError")}; add ${otherwise}` };
  if (!entry.value.startsWith("file://")) {
    return { problem: `${placeOf(conf, entry)}: not a file:// URL, so britney2 does not read a file debci-bridge can write; set it to ${otherwise}` };
  }
  return absolutePlace(conf, entry, entry.value.slice(7));
}

function absolutePlace(conf: BritneyConf, entry: ConfEntry, path: string): BritneyPlace {
  if (!path.startsWith("/")) {
    return { problem: `${placeOf(conf, entry)}: ${JSON.stringify(path)} is relative, so britney2 reads it from whatever directory it is started in; write an absolute path` };
  }
  return { path, source: placeOf(conf, entry) };
}

function places(conf: BritneyConf): BritneyPlaces {
  const stateEntry = entryOf(conf, "state_dir");
  const stateDir: BritneyPlace =
    stateEntry === undefined || stateEntry.value === ""
      ? { problem: `${stateEntry === undefined ? absent(conf, "STATE_DIR", "britney2 stops with AttributeError") : `${placeOf(conf, stateEntry)}: empty`}; set STATE_DIR to britney2's state directory` }
      : absolutePlace(conf, stateEntry, stateEntry.value);
  const shared = entryOf(conf, "adt_shared_results_cache");
  const sharedCache = shared !== undefined && shared.value !== "";
  // autopkgtest.py __init__: the shared cache when the option is non-empty, else STATE_DIR/autopkgtest-results.cache.
  const resultsCache: BritneyPlace = sharedCache
    ? absolutePlace(conf, shared, shared.value)
    : shared === undefined
      ? { problem: `${absent(conf, "ADT_SHARED_RESULTS_CACHE", "britney2 stops with AttributeError when its autopkgtest policy starts")}; add "ADT_SHARED_RESULTS_CACHE =" (the cache in STATE_DIR) or the shared cache's path` }
      : "path" in stateDir
      ? { path: `${stateDir.path.replace(/\/+$/, "")}/autopkgtest-results.cache`, source: `${stateDir.source}, ADT_SHARED_RESULTS_CACHE empty` }
      : stateDir;
  const debciFile = fileUrlPlace(conf, "ADT_SWIFT_URL", entryOf(conf, "adt_swift_url"), "file://STATE_DIR/debci.json, the file export-britney writes");
  const amqp = entryOf(conf, "adt_amqp");
  let amqpFile: BritneyPlace;
  if (amqp !== undefined && amqp.value.startsWith("amqp://")) {
    amqpFile = { problem: `${placeOf(conf, amqp)}: britney2 sends its requests to an AMQP broker, not to a file there is to import; set it to file://STATE_DIR/debci.input` };
  } else amqpFile = fileUrlPlace(conf, "ADT_AMQP", amqp, "file://STATE_DIR/debci.input");
  return { stateDir, resultsCache, sharedCache, debciFile, amqpFile };
}

/** A whole number of days (or a count) from an option, or the problem: britney2 calls int() on it. */
function wholeNumber(conf: BritneyConf, entry: ConfEntry, problems: string[], unit: string): number | undefined {
  if (!WHOLE.test(entry.value)) {
    problems.push(`${placeOf(conf, entry)}: expected a whole number of ${unit}; britney2 stops with ValueError on it (int() of ${JSON.stringify(entry.value)})`);
    return undefined;
  }
  const n = Number(entry.value);
  if (n < 0) {
    problems.push(`${placeOf(conf, entry)}: negative; britney2 would take it, and no site means it (write 0 or more)`);
    return undefined;
  }
  return n;
}

/** TESTING's Release file as read (store/load-britney-conf.ts), or what britney2 would stop on; null when there is none, or no TESTING line. */
export type TestingRelease = ReleaseFacts | { problem: string } | null;

/**
 * The rules and places britney2 takes from its configuration (see the file
 * comment). `release`, TESTING's Release file, matters only for what
 * britney.conf leaves to it: the series while SERIES is unset, the
 * architectures while ARCHITECTURES is.
 */
export function britneyRules(conf: BritneyConf, release: TestingRelease = null): BritneyRules {
  const problems: string[] = [];
  const warnings: string[] = [];
  const line = (e: ConfEntry) => placeOf(conf, e);

  // policy.py is_enabled: absent means enabled; otherwise yes, y, true or t in any case, and anything else (empty too) means off.
  const enable = entryOf(conf, "adt_enable");
  const enabled = enable === undefined || ["yes", "y", "true", "t"].includes(enable.value.toLowerCase());
  if (!enabled) warnings.push(`${line(enable!)}: britney2 runs no autopkgtest policy with this configuration, and asks debci-bridge nothing`);

  // britney.py __parse_arguments: --series defaults to '', a non-empty SERIES fills it, and a series still empty
  // becomes the target suite's name: the Suite (else Codename) of TESTING's Release file (suiteloader.py
  // _update_suite_name), or 'testing' without one. The series names britney2's request queues
  // (autopkgtest.py send_test_request: debci-SERIES-ARCH), so it is the suite asked for.
  const seriesEntry = entryOf(conf, "series");
  const fromSeries = seriesEntry !== undefined && seriesEntry.value !== "";
  const fileProblem = release !== null && isReleaseProblem(release) ? release.problem : null;
  const facts = release !== null && !isReleaseProblem(release) ? release : null;
  let suite = TARGET_SUITE_NAME;
  const noRelease = `britney2's default: the target suite's name, ${TARGET_SUITE_NAME}, as ${entryOf(conf, "testing") === undefined ? "there is no TESTING line" : "TESTING has no Release file"}`;
  let suiteSource = seriesEntry === undefined ? absent(conf, "SERIES", noRelease) : `${line(seriesEntry)}, empty: ${noRelease}`;
  // A Release file britney2 cannot read, or one with no name for its suite, stops britney2 whatever SERIES says (_update_suite_name runs anyway).
  if (fileProblem !== null) problems.push(fileProblem);
  if (facts !== null && isReleaseProblem(facts.suite)) problems.push(facts.suite.problem);
  let named: { name: string; source: string } | null = null;
  if (fromSeries) named = { name: seriesEntry.value, source: line(seriesEntry) };
  else if (facts !== null && !isReleaseProblem(facts.suite)) named = { name: facts.suite.name, source: `${releaseSource(facts, facts.suite.field, facts.suite.name)}, as SERIES is unset` };
  if (named !== null) {
    if (NAME_RULES.suite.test(named.name)) {
      suite = named.name;
      suiteSource = named.source;
    } else problems.push(`${named.source}: ${JSON.stringify(named.name)} is ${NAME_RULES.suite.message}; britney2 would ask debci for it in queues named debci-${named.name}-ARCH${fromSeries ? "" : "; set SERIES to the suite debci tests"}`);
  }

  // autopkgtest.py: `self.options.adt_baseline == 'reference'` is the only test; absent (initialise sets None), empty or any other word is the ever-passed baseline.
  const baselineEntry = entryOf(conf, "adt_baseline");
  const baseline = baselineEntry?.value === "reference" ? "reference" : "any";
  if (baselineEntry !== undefined && !["", "reference"].includes(baselineEntry.value)) {
    warnings.push(`${line(baselineEntry)}: britney2 takes every value but "reference" as the ever-passed baseline (any)`);
  }

  // pkg_test_request: `self.options.adt_retry_older_than and int(...)`: empty is never; absent raises AttributeError at the first failure whose baseline passed.
  const retryEntry = entryOf(conf, "adt_retry_older_than");
  let retryOlderThanDays: number | null = null;
  if (retryEntry === undefined) {
    problems.push(`${absent(conf, "ADT_RETRY_OLDER_THAN", "britney2 stops with AttributeError at the first failing test whose baseline passed")}; add "ADT_RETRY_OLDER_THAN =" (never retry) or a number of days`);
  } else if (retryEntry.value !== "") retryOlderThanDays = wholeNumber(conf, retryEntry, problems, "days") ?? null;

  // initialise: absent is infinity (never too old); present goes through int(), so an empty value stops britney2 at start.
  const maxAgeEntry = entryOf(conf, "adt_reference_max_age");
  const referenceMaxAgeDays = maxAgeEntry === undefined ? null : (wholeNumber(conf, maxAgeEntry, problems, "days") ?? null);

  // __init__: ADT_ARCHES split on white space, each kept only if britney2 runs that architecture (ARCHITECTURES, when the file sets it).
  const archesEntry = entryOf(conf, "adt_arches");
  let serviceArches: string[] = [];
  if (archesEntry === undefined) {
    if (enabled) problems.push(`${absent(conf, "ADT_ARCHES", "britney2 stops with AttributeError when its autopkgtest policy starts")}; add the architectures tests run on`);
  } else {
    const words = archesEntry.value.split(/\s+/).filter((w) => w !== "");
    const bad = words.find((w) => !NAME_RULES.arch.test(w));
    if (bad !== undefined) problems.push(`${line(archesEntry)}: ${JSON.stringify(bad)} is ${NAME_RULES.arch.message}`);
    const all = entryOf(conf, "architectures");
    // suiteloader.py: ARCHITECTURES as written, even empty (no architecture); absent, TESTING's Release file's (_check_release_file),
    // and with neither britney2 stops, which is not refused here: ADT_ARCHES is then taken as written.
    let run: string[] | null = all === undefined ? null : all.value.split(/\s+/).filter((w) => w !== "");
    if (run === null && facts !== null) {
      if (isReleaseProblem(facts.architectures)) problems.push(facts.architectures.problem);
      else run = facts.architectures;
    }
    serviceArches = run === null ? words : words.filter((w) => run.includes(w));
    if (enabled && serviceArches.length === 0) warnings.push(`${line(archesEntry)}: names no architecture britney2 runs, so britney2 asks for no test`);
  }

  // The links britney2 builds are ADT_CI_URL + "packages/...": absent or empty means no links here.
  const ciEntry = entryOf(conf, "adt_ci_url");
  let ciUrl: string | null = null;
  if (ciEntry !== undefined && ciEntry.value !== "") {
    const parsed = parseCiUrl(ciEntry.value);
    if ("problem" in parsed) {
      problems.push(`${line(ciEntry)}: expected the CI service's http(s) address without credentials, such as https://ci.debian.net/`);
    } else {
      ciUrl = parsed.href;
      if (!ciEntry.value.endsWith("/")) warnings.push(`${line(ciEntry)}: does not end in /, so britney2's own links read ${ciEntry.value}packages/...`);
    }
  }

  // apply_src_policy_impl: int(ADT_HUGE) when set (an empty or other value stops britney2); absent: AttributeError caught, nothing is huge.
  const hugeEntry = entryOf(conf, "adt_huge");
  const hugeAbove = hugeEntry === undefined ? null : (wholeNumber(conf, hugeEntry, problems, "tests") ?? null);

  // send_test_request: with ADT_PPAS set, requests go to debci-ppa-* queues with a ppas parameter, which this side does not send on.
  const ppas = entryOf(conf, "adt_ppas");
  if (ppas !== undefined && ppas.value.trim() !== "") warnings.push(`${line(ppas)}: britney2 then writes its requests to debci-ppa-* queues with a "ppas" parameter, which import-amqp refuses`);

  const rules = { suite, baseline, retryOlderThanDays, referenceMaxAgeDays, serviceArches, ciUrl } as const;
  const sources: Record<RuleName, string> = {
    suite: suiteSource,
    baseline: baselineEntry === undefined ? absent(conf, "ADT_BASELINE", 'britney2\'s default: the ever-passed baseline, "any"') : line(baselineEntry),
    retryOlderThanDays: retryEntry === undefined ? absent(conf, "ADT_RETRY_OLDER_THAN") : line(retryEntry),
    referenceMaxAgeDays: maxAgeEntry === undefined ? absent(conf, "ADT_REFERENCE_MAX_AGE", "britney2's default: a reference result is never too old") : line(maxAgeEntry),
    serviceArches: archesEntry === undefined ? absent(conf, "ADT_ARCHES") : line(archesEntry),
    ciUrl: ciEntry === undefined ? absent(conf, "ADT_CI_URL", "no links") : line(ciEntry),
  };
  return { conf, rules, sources, hugeAbove, enabled, places: places(conf), problems, warnings };
}
