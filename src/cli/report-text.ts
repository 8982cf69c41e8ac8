import type { Report } from "../core/report.js";
import type { Watermark } from "../core/retention.js";
import { ageOf, dayAndMinute } from "./status-text.js";

/**
 * `report` and `watermark` for a person at a terminal: a short summary of
 * what the JSON holds, the counts and the oldest of each list. Programs
 * read the JSON (`--json`, or any stdout that is not a terminal).
 */

/** An ISO time as a person reads it. */
function at(iso: string | null | undefined): string {
  return iso === null || iso === undefined ? "unknown" : dayAndMinute(iso);
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function reportText(r: Report, colour: boolean): string {
  const paint = (text: string, code: string) => (colour ? `\u001b[${code}m${text}\u001b[0m` : text);
  const now = Date.parse(r.now);
  const a = r.ages;
  const fresh = a.stale ? paint("STALE", "31") : "fresh";
  const lines = [
    `debci-bridge report at ${at(r.now)}`,
    `  snapshot:  ${a.snapshotAt === null ? "none" : `of ${at(a.snapshotAt)} (${a.snapshotAge} old)`}`,
    `  results:   ${a.resultsUntil === null ? "none" : `up to ${at(a.resultsUntil)} (${a.resultsAge} old)`}: ${fresh}, stale after ${a.staleAfterHours} hours`,
    `  runs:      ${r.runs.total} (${r.runs.pass} pass, ${r.runs.fail} fail, ${r.runs.neutral} neutral, ${r.runs.tmpfail} tmpfail, ${r.runs.running} not finished)`,
    `  keys:      ${r.keys.known} known: ${r.keys.pass} pass, ${r.keys.fail} fail, ${r.keys.pending} pending, ${r.keys.missing} missing${r.keys.rejectListed > 0 ? `, ${r.keys.rejectListed} reject-listed` : ""}`,
  ];
  const oldestInFlight = r.inFlight.oldest[0];
  lines.push(`  in flight: ${r.inFlight.count}${oldestInFlight === undefined ? "" : `; the oldest ${oldestInFlight.key}, since ${oldestInFlight.since === null ? "an unknown time" : `${at(oldestInFlight.since)} (${ageOf(Date.parse(oldestInFlight.since), now)})`}`}`);
  const lost = r.requests.lost;
  const oldestLost = lost.oldest[0];
  lines.push(`  lost:      ${lost.count === 0 ? "0" : paint(String(lost.count), "33")}${oldestLost === undefined ? "" : `; the oldest ${oldestLost.key}, asked ${at(oldestLost.requestedAt)}${oldestLost.overtaken === undefined ? "" : ` (run ${oldestLost.overtaken} overtaken)`}`}`);
  const refused = r.requests.refused;
  if (refused.count > 0) lines.push(`  refused:   ${refused.count}; the latest reason: ${refused.oldest.at(-1)?.message ?? ""}`);
  lines.push(`  outbox:    ${plural(r.outbox.unsent.count, "batch", "batches")} unsent, ${r.outbox.rejected.count} rejected`);
  const skipped = r.files.skipped.count + r.files.withSkippedRecords.count;
  lines.push(`  files:     ${plural(r.files.results, "results file")}${skipped > 0 ? paint(`, ${r.files.skipped.count} skipped, ${r.files.skippedRecords} records skipped`, "31") : ", none skipped"}`);
  lines.push(`  coverage:  ${r.coverage.windows === 0 ? "none" : `${at(r.coverage.from)} to ${at(r.coverage.to)}, ${r.coverage.gaps.count === 0 ? "no gaps" : paint(plural(r.coverage.gaps.count, "gap"), "31")}`}`);
  if (r.base !== null) lines.push(`  base:      ${plural(r.base.runs, "run")}, compacted ${at(new Date(r.base.compactedAt).toISOString())}, folding ${plural(r.base.folded, "file")}`);
  if (r.arches.length > 0) {
    lines.push("  by suite and arch:");
    const width = Math.max(...r.arches.map((row) => `${row.suite}/${row.arch}`.length));
    for (const row of r.arches) {
      lines.push(`    ${`${row.suite}/${row.arch}`.padEnd(width)}  ${row.keys} keys: ${row.pass} pass, ${row.fail} fail, ${row.pending} pending, ${row.missing} missing; ${row.inFlight} in flight, ${row.lost} lost`);
    }
  }
  lines.push("The whole report: debci-bridge report --json (lists of each kind, oldest first), or --html FILE.");
  return lines.join("\n");
}

export function watermarkText(w: Watermark, now: number): string {
  const time = (seconds: number | null) => (seconds === null ? "none" : `${at(new Date(seconds * 1000).toISOString())} (${ageOf(seconds * 1000, now)})`);
  const lines = [`results reach ${time(w.until)}`, `fetch asks from ${w.since === null ? "the beginning (a fresh state)" : time(w.since)} next`];
  if (w.gaps.length === 0) lines.push("no gaps: every stretch since the first file is covered");
  else {
    lines.push(`${plural(w.gaps.length, "gap")} no results file covers:`);
    for (const gap of w.gaps) lines.push(`  ${at(new Date(gap.from).toISOString())} to ${at(new Date(gap.to).toISOString())}`);
    lines.push(`replay them with: debci-bridge fetch --since ${new Date(w.replayFrom! * 1000).toISOString()} ...`);
  }
  return lines.join("\n");
}
