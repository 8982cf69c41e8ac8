export { COMPACT_USAGE, PRUNE_USAGE, WATERMARK_USAGE } from "./usage.js";
import { isoTime } from "../core/iso-time.js";
import { DEFAULT_SETTINGS, applySettings } from "../core/settings.js";
import { compact, prune, watermark, type MaintenanceOptions } from "../session/maintenance.js";
import { loadSettingsFile } from "../store/load-settings.js";
import { refuseShippedDemo } from "./shipped-demo.js";
import { watermarkText } from "./report-text.js";
import { requireStateDir, statePaths } from "../store/state-paths.js";
import { RunStore } from "../core/run-store.js";
import { readStateBase } from "../store/base-file.js";
import { InputError } from "../store/errors.js";
import { dataAges, stalenessWarning } from "../core/staleness.js";
import { pendingSnapshotReader } from "../formats/pending-snapshot.js";
import { readJsonFile } from "../store/read-json.js";
import { EXIT_OK, isTerminal, writeLine, type CliIO } from "./io.js";
import { commitOptions, flagNumber, parseCommand, parseNow, pathsFromFlags, required, settingsFromFlags, stateOptions } from "./options.js";


type Values = Record<string, string | boolean | undefined>;

async function maintenanceOptions(command: string, values: Values): Promise<MaintenanceOptions & { staleAfterMs: number }> {
  const stateDir = required(command, values, "state");
  const paths = pathsFromFlags(values);
  const settings = applySettings(applySettings(DEFAULT_SETTINGS, await loadSettingsFile(statePaths(stateDir, paths).settings)), settingsFromFlags(values));
  return { stateDir, paths, now: parseNow(values.now as string | undefined), suite: settings.suite, maxFileBytes: settings.maxFileBytes, waitMs: settings.waitMs, strict: values.strict === true, command: `debci-bridge ${command}`, staleAfterMs: settings.staleAfterMs };
}

/**
 * The stale-data warning every command gives (core/staleness.ts), for the
 * commands that do not load the runs: the snapshot's time from pending.json
 * and the newest `until` from the watermark, which reads file headers only.
 */
async function staleWarning(options: MaintenanceOptions & { staleAfterMs: number }, io: CliIO, until?: number | null): Promise<void> {
  const resultsUntil = until !== undefined ? until : (await watermark({ ...options, overlapMinutes: 0 })).until;
  const read = await readJsonFile(statePaths(options.stateDir, options.paths).pending, options.maxFileBytes);
  const snapshotAt = read.ok ? (pendingSnapshotReader.safeParse(read.value).data?.generatedAt ?? null) : null;
  const warning = stalenessWarning(dataAges(snapshotAt, resultsUntil === null ? null : resultsUntil * 1000, options.now, options.staleAfterMs));
  if (warning !== null) writeLine(io.stderr, `warning: ${warning}`);
}

/** Folds the results files into the compacted base. */
export async function compactCommand(argv: string[], io: CliIO): Promise<number> {
  const values = parseCommand(argv, { ...stateOptions, ...commitOptions });
  const options = await maintenanceOptions("compact", values);
  refuseShippedDemo("compact", options.stateDir, false);
  const result = await compact(options);
  await staleWarning(options, io);
  for (const warning of result.warnings) writeLine(io.stderr, `warning: ${warning} (not folded)`);
  writeLine(io.stdout, JSON.stringify({ base: result.base, runs: result.runs, folded: result.folded.length, foldedTotal: result.foldedTotal }));
  writeLine(io.stderr, `debci-bridge compact: ${result.folded.length} file(s) folded, ${result.runs} run(s) in ${result.base}`);
  return EXIT_OK;
}

/** Deletes folded results files older than --older-than DAYS. */
export async function pruneCommand(argv: string[], io: CliIO): Promise<number> {
  const values = parseCommand(argv, { ...stateOptions, ...commitOptions, "older-than": { type: "string" } });
  const olderThanDays = flagNumber("older-than", required("prune", values, "older-than"));
  const options = await maintenanceOptions("prune", values);
  refuseShippedDemo("prune", options.stateDir, false);
  const result = await prune({ ...options, olderThanDays });
  await staleWarning(options, io);
  writeLine(io.stdout, JSON.stringify(result));
  writeLine(io.stderr, `debci-bridge prune: ${result.deleted.length} results file(s) deleted, ${result.kept} kept; ${result.deletedSent.length} sent batch(es) deleted`);
  return EXIT_OK;
}

/** Prints the `since` for the next fetch, and any coverage gap needing a wider replay. */
export async function watermarkCommand(argv: string[], io: CliIO): Promise<number> {
  const values = parseCommand(argv, { ...stateOptions, overlap: { type: "string" }, json: { type: "boolean" } });
  const overlapMinutes = values.overlap === undefined ? 60 : flagNumber("overlap", values.overlap);
  const options = await maintenanceOptions("watermark", values);
  const result = await watermark({ ...options, overlapMinutes });
  await staleWarning(options, io, result.until);
  // One time format for people: ISO 8601, which `fetch --since` takes as it is.
  const iso = (seconds: number | null) => (seconds === null ? null : isoTime(seconds * 1000));
  const shown = {
    since: iso(result.since),
    until: iso(result.until),
    gaps: result.gaps.map((g) => ({ from: new Date(g.from).toISOString(), to: new Date(g.to).toISOString() })),
    replayFrom: iso(result.replayFrom),
    ignoredUntils: result.ignoredUntils,
  };
  writeLine(io.stdout, values.json === true || !isTerminal(io.stdout) ? JSON.stringify(shown) : watermarkText(result, options.now));
  if (result.ignoredUntils > 0) writeLine(io.stderr, `debci-bridge watermark: ${result.ignoredUntils} file(s) claim an until after now; not believed`);
  if (result.replayFrom !== null) writeLine(io.stderr, `debci-bridge watermark: coverage has ${result.gaps.length} gap(s); replay them with: debci-bridge fetch --since ${shown.replayFrom} ...`);
  return EXIT_OK;
}

/** Shows the compacted base as JSON lines: its header, then one run per line as debci names the fields. */
export async function dumpBaseCommand(argv: string[], io: CliIO): Promise<number> {
  const values = parseCommand(argv, { state: stateOptions.state, base: stateOptions.base });
  const paths = statePaths(required("dump-base", values, "state"), pathsFromFlags(values));
  await requireStateDir(paths.stateDir);
  const store = new RunStore();
  const header = await readStateBase(paths, store);
  if (header === null) throw new InputError(`${paths.base}: no compacted base (run debci-bridge compact)`);
  writeLine(io.stdout, JSON.stringify(header));
  let lines: string[] = [];
  for (const run of store.values()) {
    const time = (t: number | null) => (t === null ? null : new Date(t).toISOString());
    lines.push(JSON.stringify({ run_id: run.runId, suite: run.suite, arch: run.arch, package: run.package, version: run.version, status: run.status, trigger: run.trigger, created_at: time(run.createdAt), updated_at: time(run.updatedAt) }));
    if (lines.length === 10_000) {
      io.stdout.write(`${lines.join("\n")}\n`);
      lines = [];
    }
  }
  if (lines.length > 0) io.stdout.write(`${lines.join("\n")}\n`);
  return EXIT_OK;
}
