import { NO_HINTS, forceSkiptest, verdictFor, type Hint } from "../core/hints.js";
import { keyTrigger, parseTrigger } from "../core/trigger.js";
import { addPackageFacts, normalTriggers } from "../formats/needs-input.js";
import { randomBytes } from "node:crypto";
import { dirname, resolve } from "node:path";
import { answerKey, factsFor } from "../core/answer.js";
import type { BaselineAnswer } from "../core/baseline.js";
import { planBatches } from "../core/batches.js";
import { KnowledgeIndex } from "../core/knowledge.js";
import { Planner, type PlannedAnswer } from "../core/plan.js";
import { buildReport, type Report } from "../core/report.js";
import { combineSettings, type SettingsOverrides } from "../core/settings.js";
import type { BritneyRules } from "../formats/britney-rules.js";
import { loadBritneyConf } from "../store/load-britney-conf.js";
import { firstOfProblems } from "../formats/problems.js";
import { pruneLedger } from "../core/ledger.js";
import { stalenessWarning, stateAges, type DataAges } from "../core/staleness.js";
import { exportForBritney } from "../core/britney-export.js";
import type { LabelledAnswer } from "../core/label.js";
import type { Answer, KeyQuery, Ledger, LedgerEntry, Need, Settings, TestKey } from "../core/types.js";
import { commitToScratch, commitToState, type WrittenBatch } from "../store/commit.js";
import { InputError } from "../store/errors.js";
import { loadSettingsFile } from "../store/load-settings.js";
import { loadState, type LoadedState } from "../store/load-state.js";
import { acquireLock, type HeldLock } from "../store/lock.js";
import { removeStaleTemps } from "../store/stale-temps.js";
import { timed } from "../store/phase-times.js";
import { checkScratchDir, requireStateDir, statePaths, type StatePaths } from "../store/state-paths.js";
import { incompleteWarning, inputProblems, unreadableKnowledge } from "./warnings.js";

/**
 * - `commit`: britney2's run. Takes the state directory's lock, writes the
 *   outbox batch and the ledger at commit.
 * - `scratch`: an ad-hoc run. No lock; the batch goes to `scratchDir`, and
 *   nothing in the state directory changes.
 * - `read-only`: answers only; commit is refused.
 */
export type SessionMode = "commit" | "scratch" | "read-only";

export interface SessionOptions {
  stateDir: string;
  paths?: Partial<Omit<StatePaths, "stateDir">>;
  mode: SessionMode;
  scratchDir?: string;
  /** The run's time: every time rule is judged against it. */
  now: number;
  /** Overrides on top of debci-bridge.json, which is on top of britney2's rules (britneyConf) or the defaults. */
  settings?: SettingsOverrides;
  /**
   * britney2's configuration (britney.conf): its ADT_* rules become this
   * run's, a rule also set to another value in debci-bridge.json or
   * `settings` is an error. Overrides `britneyConf` in debci-bridge.json.
   */
  britneyConf?: string;
  /** Make any malformed input file or record an error instead of a warning. */
  strict?: boolean;
  /** Names the holder in the lock file, for the message another run shows. */
  command?: string;
  /** britney2's force-badtest and force-skiptest hints (see parseHints), so the labels are final. */
  hints?: readonly Hint[];
}

export interface CommitResult {
  requests: number;
  batches: WrittenBatch[];
  /** Where the batches went: the state's outbox or the scratch directory. */
  outbox: string;
}

export class Session {
  private readonly planner: Planner;
  private closed = false;

  constructor(
    readonly options: SessionOptions,
    readonly paths: StatePaths,
    readonly settings: Settings,
    readonly loaded: LoadedState,
    readonly index: KnowledgeIndex,
    readonly warnings: string[],
    private readonly lock: HeldLock | null,
    /** britney2's configuration as read, when the run has one: its rules are in `settings`, its places here. */
    readonly britney: BritneyRules | null = null,
  ) {
    this.planner = new Planner(index, settings, options.now, options.hints ?? NO_HINTS, this.holdsForIncomplete);
  }

  /**
   * The files this run could not read in full (see unreadableKnowledge), and
   * whether it therefore holds requests: a committing run does unless
   * allowIncomplete; a scratch run shows what would have been requested.
   */
  get unreadable(): string[] {
    return unreadableKnowledge(this.loaded);
  }

  get holdsForIncomplete(): boolean {
    return this.options.mode === "commit" && !this.settings.allowIncomplete && unreadableKnowledge(this.loaded).length > 0;
  }

  /** Fills in the default suite; `trigger` may be a full trigger string, its first word the key's trigger. */
  key(key: Omit<TestKey, "suite"> & { suite?: string }): TestKey {
    return { suite: key.suite ?? this.settings.suite, arch: key.arch, package: key.package, trigger: keyTrigger(key.trigger) ?? key.trigger };
  }

  /** A key as asked, with the default suite filled in. */
  private query(key: Omit<KeyQuery, "suite"> & { suite?: string }): KeyQuery {
    return addPackageFacts<KeyQuery>(this.key(key), key);
  }

  answer(key: Omit<KeyQuery, "suite"> & { suite?: string }): Answer {
    return withTrigger(answerKey(this.index, this.query(key), this.settings, this.options.now), key.trigger);
  }

  /** The answer with its baseline and britney2's label; a key this run requests counts as running. */
  describe(key: Omit<KeyQuery, "suite"> & { suite?: string }): LabelledAnswer {
    return withTrigger(this.planner.describe(this.query(key)), key.trigger);
  }

  /** What `need` would answer and request, registering nothing. */
  preview(need: Need): PlannedAnswer {
    return withTrigger(this.planner.preview(need), need.triggers);
  }

  baseline(arch: string, pkg: string, suite?: string, versions?: readonly string[]): BaselineAnswer {
    return this.planner.baseline(suite ?? this.settings.suite, arch, pkg, versions);
  }

  /**
   * The autopkgtest verdict of an upload (`source/version`) from its tests'
   * labels, with its force-skiptest hint applied: the client decides nothing.
   */
  verdict(upload: string, labels: Iterable<string | null>) {
    const parsed = parseTrigger(keyTrigger(upload) ?? upload);
    const skiptest = parsed === null ? undefined : forceSkiptest(this.options.hints ?? NO_HINTS, parsed.source, parsed.version);
    return verdictFor(labels, skiptest);
  }

  /** Registers a need for this run and answers it, saying whether the commit will request it. */
  need(need: Need): PlannedAnswer {
    return withTrigger(this.planner.add(need), need.triggers);
  }

  /** Registers a request decided elsewhere (britney2's AMQP output); see Planner.addDecided. */
  needDecided(need: Need): PlannedAnswer {
    return withTrigger(this.planner.addDecided(need), need.triggers);
  }

  get requests(): readonly Need[] {
    return this.planner.requests;
  }

  /** The state in britney2's own files (autopkgtest-results.cache, autopkgtest-pending.json, debci.json); `versionsOf` judges old results as britney2 does. */
  exportForBritney(versionsOf?: (pkg: string) => string[] | undefined) {
    return exportForBritney(this.index, this.settings, this.options.now, versionsOf);
  }

  /** How old the newest data is (the snapshot, the results), and whether that is stale. */
  get ages(): DataAges {
    return agesOf(this.loaded, this.settings, this.options.now);
  }

  report(): Report {
    const { base, foldedOnDisk } = this.loaded;
    const baseSummary = base === null ? null : { path: this.paths.base, compactedAt: base.compactedAt, runs: base.runs, folded: base.folded.length, foldedOnDisk: foldedOnDisk.length };
    return buildReport(this.index, this.settings, this.options.now, this.loaded.files, this.loaded.coverage, this.loaded.repairedBatches, baseSummary);
  }

  /** Writes the requests the registered needs call for (nothing when there are none), then ends the session. */
  async commit(): Promise<CommitResult> {
    if (this.closed) throw new Error("session already closed");
    if (this.options.mode === "read-only") throw new Error("a read-only session cannot commit");
    try {
      const batches = planBatches(this.planner.requests, this.options.now, randomBytes(4).toString("hex"));
      if (this.options.mode === "scratch") {
        const dir = resolve(this.options.scratchDir!);
        return { requests: this.planner.requests.length, batches: await commitToScratch(dir, batches), outbox: dir };
      }
      const ledger = timed("prune ledger", () => this.prunedLedger());
      const before = this.loaded.knowledge.ledger;
      // A ledger that let requests go is written even with no new batch: fetch reads it as the list of requests still open.
      const shrunk = ledger.entries.length !== before.entries.length || ledger.batches.length !== before.batches.length;
      const written = await commitToState(this.paths.outbox, this.paths.ledger, ledger, batches, this.options.now, this.loaded.repairedBatches.length > 0 || shrunk);
      return { requests: this.planner.requests.length, batches: written, outbox: this.paths.outbox };
    } finally {
      await this.close();
    }
  }

  /**
   * The ledger as the next commit writes it: a request that a run answered
   * has done its work, and one lost longer than the maximum pending age has
   * been reported long enough (if still needed, the key is missing and asked
   * for again either way).
   */
  private prunedLedger(): Ledger {
    const { now } = this.options;
    const keep = (entry: LedgerEntry) => {
      const status = factsFor(this.index, entry, this.settings, this.index.place(entry), now).ledgerRequest;
      if (status === "answered") return false;
      return !(status === "lost" && now - entry.requestedAt > this.settings.pendingMaxAgeMs);
    };
    return pruneLedger(this.loaded.knowledge.ledger, keep, new Set(this.loaded.knowledge.outbox.map((b) => b.name)));
  }

  /** Ends the session without writing anything. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.lock?.release();
  }
}

/** One meaning of `trigger` everywhere: an answer names the full trigger string it was asked with. */
function withTrigger<A extends Answer>(answer: A, trigger: string): A {
  answer.trigger = normalTriggers(trigger);
  return answer;
}

function agesOf(loaded: LoadedState, settings: Settings, now: number): DataAges {
  return stateAges(loaded.knowledge.pending, loaded.coverage, now, settings.staleAfterMs);
}

/** Opens a state directory for one run: lock (when committing), load, validate, index. */
export async function openSession(options: SessionOptions): Promise<Session> {
  if (options.mode === "scratch" && options.scratchDir === undefined) throw new InputError("scratch mode needs a scratch directory");
  if (!Number.isFinite(options.now)) throw new InputError("now must be a valid time");
  const paths = statePaths(options.stateDir, options.paths);
  await requireStateDir(paths.stateDir);
  if (options.mode === "scratch") await checkScratchDir(options.scratchDir!, paths);
  const { britneyConf, ...file } = await loadSettingsFile(paths.settings);
  const confPath = options.britneyConf ?? britneyConf;
  const britney = confPath === undefined ? null : await loadBritneyConf(resolve(confPath));
  const combined = combineSettings(britney, file, paths.settings, options.settings ?? {});
  if ("conflict" in combined) throw new InputError(combined.conflict);
  const { settings } = combined;
  const lock = options.mode === "commit" ? await acquireLock(paths.lock, options.command ?? "debci-bridge", options.now, settings.waitMs) : null;
  try {
    if (lock !== null) await removeStaleTemps([paths.stateDir, paths.outbox, dirname(paths.ledger)]);
    const loaded = await loadState(paths, settings.suite, settings.maxFileBytes);
    const problems = inputProblems(loaded);
    if (options.strict && problems.length > 0) throw new InputError(`strict mode: ${firstOfProblems(problems)}`);
    if (!loaded.ledgerUsable && options.mode === "commit") {
      throw new InputError(`${problems.find((p) => p.startsWith(paths.ledger)) ?? paths.ledger}; a committing run will not overwrite it (fix or move it; scratch runs still work)`);
    }
    // A failed worker thread is no input's fault and lost nothing: a warning even under --strict.
    const warnings = [...(britney?.warnings ?? []), ...problems, ...loaded.loadProblems];
    const unreadable = unreadableKnowledge(loaded);
    if (unreadable.length > 0) warnings.push(incompleteWarning(unreadable, options.mode === "commit" && !settings.allowIncomplete));
    const stale = stalenessWarning(agesOf(loaded, settings, options.now));
    if (stale !== null) warnings.push(stale);
    if (loaded.repairedBatches.length > 0) {
      warnings.push(`ledger did not record ${loaded.repairedBatches.length} batch(es) (an earlier run stopped between batch and ledger); folded in: ${loaded.repairedBatches.join(", ")}`);
    }
    return new Session(options, paths, settings, loaded, timed("index", () => new KnowledgeIndex(loaded.knowledge)), warnings, lock, britney);
  } catch (error) {
    await lock?.release();
    throw error;
  }
}
