import { AGE_BUCKETS, type Capped, type Report } from "../core/report.js";
import { humanAge } from "../core/staleness.js";
import { attr, count, text } from "./escape.js";
import { coverageTimeline } from "./timeline.js";

export interface HtmlOptions {
  /** The run's warnings (Session.warnings); the stale warning, shown at the top already, is not repeated. */
  warnings?: readonly string[];
}

/**
 * Nothing may load: no script, font, style sheet or image from anywhere,
 * the page's own inline styles only. The page needs no JavaScript, and
 * with this policy none could run even if a name slipped through unescaped.
 */
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; base-uri 'none'; form-action 'none'";

const STYLE = `
:root { color-scheme: light; --ok: #1a7f37; --bad: #c62828; --warn: #9a6700; --muted: #57606a; --line: #d0d7de; --soft: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1160px; padding: 16px 24px 40px; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #1f2328; background: #fff; }
h1 { font-size: 24px; margin: 4px 0 2px; }
h2 { font-size: 19px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 16px 0 6px; }
p { margin: 6px 0; }
.sub { color: var(--muted); margin: 0 0 12px; }
nav { font-size: 14px; margin: 8px 0 4px; }
nav a { color: #0969da; margin-right: 12px; text-decoration: none; }
code, .mono { font-family: "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; font-size: 13px; }
.banner { border-radius: 6px; padding: 12px 16px; margin: 12px 0; border: 2px solid; }
.banner.stale { background: #ffebe9; border-color: var(--bad); color: #82071e; }
.banner.stale strong { font-size: 18px; display: block; margin-bottom: 4px; }
.banner.fresh { background: #dafbe1; border-color: var(--ok); color: #0f5323; }
.banner.unknown { background: #fff8c5; border-color: #d4a72c; color: #4d2d00; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 4px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; font-size: 14px; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.key, td.wrap { overflow-wrap: anywhere; }
td.t { white-space: nowrap; }
table.arches { width: auto; min-width: 70%; }
table.arches td.wrap { min-width: 6ch; }
table.facts { width: auto; }
table.facts th { background: none; font-weight: normal; color: var(--muted); }
tr.total td { font-weight: 600; border-top: 2px solid var(--line); }
td.hot { color: var(--bad); font-weight: 600; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(130px, 1fr)); gap: 8px; margin: 8px 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; background: var(--soft); }
.card .v { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .l { font-size: 13px; color: var(--muted); }
.card.bad { border-color: var(--bad); background: #fff5f5; }
.card.bad .v { color: var(--bad); }
.cap { color: var(--muted); font-size: 14px; margin: 2px 0 10px; }
.none { color: var(--muted); font-style: italic; }
.bar { height: 14px; background: #0969da; border-radius: 2px; min-width: 1px; }
.bar.old { background: var(--bad); }
td.barcell { width: 60%; }
svg.timeline { display: block; margin: 4px 0; max-width: 100%; }
svg.timeline .covered { fill: #2da44e; }
svg.timeline .unfetched { fill: #d0d7de; }
svg.timeline .gap { fill: var(--bad); }
svg.timeline .tick { stroke: #8c959f; stroke-width: 1; }
svg.timeline .snapshot { stroke: #0550ae; stroke-width: 2; }
svg.timeline text { font-size: 12px; fill: #1f2328; }
svg.timeline .tick-label { fill: var(--muted); }
svg.timeline .snapshot-label { fill: #0550ae; }
.legend span { display: inline-block; margin-right: 14px; font-size: 13px; color: var(--muted); }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px; vertical-align: -1px; border-radius: 2px; }
footer { margin-top: 32px; color: var(--muted); font-size: 13px; }
`;

const iso = (t: string | null | undefined) => (t === null || t === undefined ? '<span class="none">none</span>' : `<time>${text(t)}</time>`);

/** How long ago an ISO time was, from the report's now. */
function ago(now: string, t: string | null): string {
  if (t === null) return "";
  const ms = Date.parse(now) - Date.parse(t);
  return Number.isFinite(ms) ? humanAge(Math.max(0, ms)) : "";
}

function cell(value: string, cls = ""): string {
  return `<td${cls === "" ? "" : ` class="${cls}"`}>${value}</td>`;
}

function num(n: number, hotWhenNonZero = false): string {
  return cell(count(n), hotWhenNonZero && n > 0 ? "n hot" : "n");
}

/** A capped list's caption: how many, and how many shown. */
function capNote<T>(list: Capped<T>, what: string): string {
  if (list.count === 0) return `<p class="none">${text(what)}: none.</p>`;
  if (list.shown === list.count) return `<p class="cap">${text(what)}: ${count(list.count)}${list.count > 1 ? ", oldest first" : ""}.</p>`;
  return `<p class="cap">${text(what)}: showing the ${count(list.shown)} oldest of <strong>${count(list.count)}</strong>; <code>debci-bridge report --full</code> lists every one.</p>`;
}

function table(headers: ReadonlyArray<string | [string, string]>, rows: readonly string[], cls = ""): string {
  const head = headers.map((h) => (typeof h === "string" ? `<th>${text(h)}</th>` : `<th class="${h[1]}">${text(h[0])}</th>`)).join("");
  return `<table${cls === "" ? "" : ` class="${cls}"`}><thead><tr>${head}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function facts(rows: ReadonlyArray<[string, string]>, id = ""): string {
  return `<table class="facts"${id === "" ? "" : ` id="${id}"`}><tbody>${rows.map(([k, v]) => `<tr><th scope="row">${text(k)}</th><td>${v}</td></tr>`).join("")}</tbody></table>`;
}

function agesSection(r: Report): string {
  const a = r.ages;
  let banner: string;
  if (a.stale) {
    banner = `<div class="banner stale" id="stale-warning" role="alert"><strong>Stale data: answers may be out of date</strong>${text(a.warning ?? "")}</div>`;
  } else if (a.snapshotAt === null && a.resultsUntil === null) {
    banner = `<div class="banner unknown" id="no-data">No pending snapshot and no results fetched yet: every key is missing until <code>debci-bridge fetch</code> runs.</div>`;
  } else {
    banner = `<div class="banner fresh" id="fresh">Data is fresh: nothing is older than ${text(a.staleAfterHours)} hours${a.snapshotAt === null ? " (but there is no pending snapshot)" : ""}${a.resultsUntil === null ? " (but no results were fetched)" : ""}.</div>`;
  }
  const rows: Array<[string, string]> = [
    ["Pending snapshot taken", a.snapshotAt === null ? '<span class="none">no pending snapshot</span>' : `${iso(a.snapshotAt)}, ${text(a.snapshotAge)} ago`],
    ["Newest results up to", a.resultsUntil === null ? '<span class="none">no results fetched</span>' : `${iso(a.resultsUntil)}, ${text(a.resultsAge)} ago`],
    ["Stale after", `${text(a.staleAfterHours)} hours (<code>staleAfterHours</code>)`],
  ];
  return `<section id="ages"><h2>Data ages</h2>${banner}${facts(rows)}</section>`;
}

function summarySection(r: Report): string {
  const s = r.summary;
  const cards: Array<[string, number, string, boolean]> = [
    ["keys", s.keys, "keys known", false],
    ["pass", s.pass, "pass", false],
    ["fail", s.fail, "fail", false],
    ["pending", s.pending, "pending", false],
    ["missing", s.missing, "missing", false],
    ["in-flight", s.inFlight, "in flight", false],
    ["lost", s.lost, "requests lost", true],
    ["refused", s.refused, "refused by the service", true],
    ["unsent", s.unsentBatches, "batches unsent", false],
    ["rejected", s.rejectedBatches, "batches rejected", true],
    ["skipped", s.skippedFiles, "files skipped", true],
    ["gaps", s.coverageGaps, "coverage gaps", true],
    ["runs", s.runs, "runs", false],
  ];
  const html = cards
    .map(([id, n, label, bad]) => `<div class="card${bad && n > 0 ? " bad" : ""}" id="count-${id}" data-count="${n}"><div class="v">${count(n)}</div><div class="l">${text(label)}</div></div>`)
    .join("");
  return `<section id="summary"><h2>Counts</h2><div class="cards">${html}</div></section>`;
}

function coverageSection(r: Report): string {
  const c = r.coverage;
  const parts = [`<section id="coverage"><h2>Coverage of the results</h2>`];
  if (c.from === null) {
    parts.push('<p class="none">No results file says which window it answers (none has <code>since</code> and <code>until</code>).</p>');
  } else {
    parts.push(coverageTimeline({ from: c.from, to: c.to, now: r.now, gaps: c.gaps.oldest, snapshotAt: r.pending?.generatedAt ?? null }));
    parts.push('<p class="legend"><span><i style="background:#2da44e"></i>covered</span><span><i style="background:#c62828"></i>gap: no file covers it</span><span><i style="background:#d0d7de"></i>not fetched yet</span><span><i style="background:#0550ae"></i>pending snapshot</span></p>');
    parts.push(facts([
      ["Windows", count(c.windows)],
      ["From", iso(c.from)],
      ["To", `${iso(c.to)}${c.to === null ? "" : `, ${text(ago(r.now, c.to))} ago`}`],
    ]));
    parts.push("<h3>Gaps</h3>");
    parts.push(capNote(c.gaps, "Gaps"));
    if (c.gaps.shown > 0) {
      const rows = c.gaps.oldest.map((g) => `<tr>${cell(iso(g.from), "t")}${cell(iso(g.to), "t")}${cell(text(humanAge(Math.max(0, Date.parse(g.to) - Date.parse(g.from)))))}</tr>`);
      parts.push(table(["from", "to", "length"], rows));
      if (c.gaps.shown < c.gaps.count) parts.push(`<p class="cap">The bar shows the ${count(c.gaps.shown)} gaps listed only.</p>`);
    }
  }
  parts.push("</section>");
  return parts.join("");
}

function inFlightSection(r: Report): string {
  const f = r.inFlight;
  const parts = [`<section id="in-flight"><h2>In flight, by age</h2>`];
  parts.push(`<p>${count(f.count)} key(s) with a run or request under way, by how long since they went in flight.</p>`);
  const max = Math.max(1, ...Object.values(f.byAge));
  const names = [...AGE_BUCKETS.map((b) => b.name), "unknown"] as const;
  const rows = names
    .filter((name) => name !== "unknown" || f.byAge.unknown > 0)
    .map((name) => {
      const n = f.byAge[name];
      const width = ((n / max) * 100).toFixed(1);
      const old = name === "1-3d" || name === ">3d";
      return `<tr data-bucket="${attr(name)}">${cell(text(name))}${num(n)}<td class="barcell">${n === 0 ? "" : `<div class="bar${old ? " old" : ""}" style="width:${width}%"></div>`}</td></tr>`;
    });
  parts.push(table(["age", ["keys", "n"], ""], rows, "buckets"));
  parts.push("<h3>Longest in flight</h3>");
  parts.push(capNote({ count: f.count, shown: f.shown, oldest: f.oldest }, "Keys in flight"));
  if (f.shown > 0) {
    const list = f.oldest.map((k) => `<tr>${cell(text(k.key), "key")}${cell(iso(k.since), "t")}${cell(text(k.age ?? "unknown"), "t")}${cell(text(k.evidence.join(", ")))}${cell(k.runId === null ? "" : text(k.runId), "n")}</tr>`);
    parts.push(table(["key", "in flight since", "for", "evidence", ["run", "n"]], list));
  }
  parts.push("</section>");
  return parts.join("");
}

function archSection(r: Report): string {
  const parts = [`<section id="arches"><h2>Per architecture</h2>`];
  if (r.arches.length === 0) {
    parts.push('<p class="none">No keys known.</p></section>');
    return parts.join("");
  }
  const total = { keys: 0, pass: 0, fail: 0, pending: 0, missing: 0, inFlight: 0, lost: 0, refused: 0, rejectListed: 0 };
  const rows = r.arches.map((a) => {
    for (const k of Object.keys(total) as Array<keyof typeof total>) total[k] += a[k];
    return `<tr class="arch">${cell(text(a.suite), "wrap")}${cell(text(a.arch), "wrap")}${num(a.keys)}${num(a.pass)}${num(a.fail)}${num(a.pending)}${num(a.missing)}${num(a.inFlight)}${num(a.lost, true)}${num(a.refused, true)}${num(a.rejectListed)}</tr>`;
  });
  if (r.arches.length > 1) {
    rows.push(`<tr class="total">${cell("all")}${cell("")}${num(total.keys)}${num(total.pass)}${num(total.fail)}${num(total.pending)}${num(total.missing)}${num(total.inFlight)}${num(total.lost, true)}${num(total.refused, true)}${num(total.rejectListed)}</tr>`);
  }
  parts.push(table(["suite", "arch", ["keys", "n"], ["pass", "n"], ["fail", "n"], ["pending", "n"], ["missing", "n"], ["in flight", "n"], ["lost", "n"], ["refused", "n"], ["reject-listed", "n"]], rows, "arches"));
  parts.push('<p class="cap">Keys are every test key the runs, the pending snapshot, the ledger, the outbox or a refusal mention, answered as <code>plan</code> answers them; in flight counts pass and fail keys re-running too.</p>');
  parts.push("</section>");
  return parts.join("");
}

function requestsSection(r: Report): string {
  const q = r.requests;
  const parts = [`<section id="lost"><h2>Lost requests</h2>`];
  parts.push("<p>Requested, but the CI service no longer knows them and no result came: <code>plan</code> asks for them again.</p>");
  parts.push(capNote(q.lost, "Lost requests"));
  if (q.lost.shown > 0) {
    parts.push(table(["key", "requested at", "ago", "batch"], q.lost.oldest.map((l) => `<tr>${cell(text(l.key), "key")}${cell(iso(l.requestedAt), "t")}${cell(text(ago(r.now, l.requestedAt)), "t")}${cell(text([l.batch ?? "", l.overtaken === undefined ? "" : `(run ${l.overtaken} overtaken)`].join(" ").trim()), "mono wrap")}</tr>`)));
  }
  parts.push("</section>");
  parts.push(`<section id="refused"><h2>Refused by the CI service</h2>`);
  parts.push(capNote(q.refused, "Refusals standing"));
  if (q.refused.shown > 0) {
    parts.push(table(["key", "refused at", "message", "batch"], q.refused.oldest.map((f) => `<tr>${cell(text(f.key), "key")}${cell(iso(f.refusedAt), "t")}${cell(text(f.message), "wrap")}${cell(text(f.batch), "mono wrap")}</tr>`)));
  }
  parts.push("</section>");
  return parts.join("");
}

function outboxSection(r: Report): string {
  const o = r.outbox;
  const parts = [`<section id="outbox"><h2>Outbox</h2>`, "<h3>Unsent batches</h3>", capNote(o.unsent, "Unsent batches")];
  if (o.unsent.shown > 0) {
    parts.push(table(["batch", "huge", ["tests", "n"]], o.unsent.oldest.map((b) => `<tr>${cell(text(b.name), "mono wrap")}${cell(b.huge ? "yes" : "no")}${cell(b.tests === null ? "unreadable" : count(b.tests), "n")}</tr>`)));
  }
  parts.push('<h3 id="rejected">Rejected batches</h3>', capNote(o.rejected, "Rejected batches (outbox/rejected/)"));
  if (o.rejected.shown > 0) parts.push(table(["batch"], o.rejected.oldest.map((name) => `<tr>${cell(text(name), "mono wrap")}</tr>`)));
  parts.push("<h3>Batches the ledger was repaired from</h3>", capNote(r.requests.repairedBatches, "Repaired batches"));
  if (r.requests.repairedBatches.shown > 0) parts.push(table(["batch"], r.requests.repairedBatches.oldest.map((name) => `<tr>${cell(text(name), "mono wrap")}</tr>`)));
  parts.push("</section>");
  return parts.join("");
}

function stateSection(r: Report): string {
  const parts = [`<section id="state"><h2>Files, runs and the snapshot</h2>`];
  const runs = r.runs;
  parts.push(facts([
    ["Results files read", count(r.files.results)],
    ["Files skipped", count(r.files.skipped.count)],
    ["Records skipped (malformed, or a run id known as another run)", count(r.files.skippedRecords)],
    ["Runs", `${count(runs.total)}: ${count(runs.pass)} pass, ${count(runs.fail)} fail, ${count(runs.neutral)} neutral, ${count(runs.tmpfail)} tmpfail, ${count(runs.running)} unfinished; ${count(runs.withoutTrigger)} without a trigger`],
    ["Keys the runs answer", count(r.keys.withRuns)],
    ["Keys known", `${count(r.keys.known)} (${count(r.keys.rejectListed)} reject-listed)`],
    [
      "Compacted base",
      r.base === null ? '<span class="none">none</span>' : `<span class="mono">${text(r.base.path)}</span>, ${count(r.base.runs)} runs, compacted ${iso(r.base.compactedAt)}, ${count(r.base.folded)} files folded (${count(r.base.foldedOnDisk)} still on disk)`,
    ],
    [
      "Pending snapshot",
      r.pending === null
        ? '<span class="none">none</span>'
        : `taken ${iso(r.pending.generatedAt)}, window since ${iso(r.pending.since)}, ${count(r.pending.count)} entries, oldest created ${iso(r.pending.oldestCreatedAt)}`,
    ],
    ["Ledger entries", count(r.requests.ledgerEntries)],
  ]));
  parts.push("<h3>Files skipped</h3>", capNote(r.files.skipped, "Files skipped"));
  if (r.files.skipped.shown > 0) parts.push(table(["file", "kind", "why"], r.files.skipped.oldest.map((f) => `<tr>${cell(text(f.path), "mono wrap")}${cell(text(f.kind))}${cell(text(f.problem), "wrap")}</tr>`)));
  parts.push("<h3>Files with skipped records</h3>", capNote(r.files.withSkippedRecords, "Files with skipped records"));
  if (r.files.withSkippedRecords.shown > 0) {
    parts.push(table(["file", ["records skipped", "n"], "first problem"], r.files.withSkippedRecords.oldest.map((f) => `<tr>${cell(text(f.path), "mono wrap")}${num(f.skippedRecords ?? 0)}${cell(text(f.firstProblem), "wrap")}</tr>`)));
  }
  parts.push("</section>");
  return parts.join("");
}

function warningsSection(r: Report, warnings: readonly string[]): string {
  const other = warnings.filter((w) => w !== r.ages.warning);
  if (other.length === 0) return "";
  const shown = r.limit === null ? other : other.slice(0, r.limit);
  const note = shown.length < other.length ? `<p class="cap">Showing ${count(shown.length)} of ${count(other.length)} warnings.</p>` : "";
  return `<section id="warnings"><h2>Warnings</h2>${note}<ul>${shown.map((w) => `<li class="wrap">${text(w)}</li>`).join("")}</ul></section>`;
}

/**
 * The report as one self-contained HTML page: inline CSS and SVG, no
 * script, nothing fetched (a Content-Security-Policy says so to the
 * browser). Every name from the data is escaped. Pure: report in, page out.
 */
export function renderReportHtml(report: Report, options: HtmlOptions = {}): string {
  const nav = [
    ["ages", "data ages"],
    ["summary", "counts"],
    ["coverage", "coverage"],
    ["in-flight", "in flight"],
    ["arches", "per arch"],
    ["lost", "lost"],
    ["refused", "refused"],
    ["outbox", "outbox"],
    ["state", "files"],
  ]
    .map(([id, label]) => `<a href="#${id}">${label}</a>`)
    .join("");
  return [
    "<!DOCTYPE html>",
    '<html lang="en"><head><meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${CSP}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>debci-bridge report ${text(report.now)}${report.ages.stale ? " (stale)" : ""}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<header><h1>debci-bridge report</h1><p class="sub">The state as of <time>${text(report.now)}</time>. Every time is UTC, ISO 8601. Lists are capped${report.limit === null ? " (here: not, <code>--full</code>)" : ` at ${count(report.limit)} entries, oldest first`}.</p><nav>${nav}</nav></header>`,
    "<main>",
    agesSection(report),
    summarySection(report),
    coverageSection(report),
    inFlightSection(report),
    archSection(report),
    requestsSection(report),
    outboxSection(report),
    stateSection(report),
    warningsSection(report, options.warnings ?? []),
    "</main>",
    "<footer>Written by <code>debci-bridge report --html</code>; the same facts as its JSON on stdout.</footer>",
    "</body></html>",
    "",
  ].join("\n");
}
