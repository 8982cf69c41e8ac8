import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Report } from "../src/core/report.js";
import { renderReportHtml } from "../src/report/html.js";
import { count, text } from "../src/report/escape.js";
import { runCli } from "./support/cli.js";
import { HOSTILE_ARCH, HOSTILE_MESSAGE, HOSTILE_PACKAGE, NOW, copyDemoState, makeLostState, type LostStateFacts } from "./report-html/states.js";

let root: string;
let lost: LostStateFacts;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "debci-bridge-page-"));
  lost = makeLostState(join(root, "lost"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function page(state: string, extra: string[] = [], now = NOW): Promise<{ html: string; report: Report; dir: string }> {
  const dir = mkdtempSync(join(root, "out-"));
  const file = join(dir, "report.html");
  const run = await runCli(["report", "--state", state, "--now", now, "--html", file, ...extra]);
  expect(run.code, run.stderr).toBe(0);
  expect(run.stderr).toContain(`page written to ${file}`);
  return { html: readFileSync(file, "utf8"), report: JSON.parse(run.stdout) as Report, dir };
}

/** The body rows of the tables in a section, by its id. */
function rowsIn(html: string, section: string): string[] {
  const start = html.indexOf(`<section id="${section}">`);
  const body = html.slice(start, html.indexOf("</section>", start));
  return (body.match(/<tbody>.*?<\/tbody>/gs) ?? []).flatMap((t) => t.match(/<tr[ >]/g) ?? []);
}

/** Anything in the page that could make a browser fetch: an address in src/href/xmlns, a CSS url() or @import. */
const FETCHES = /\b(?:src|href|xlink:href|action|srcset|poster|data)\s*=\s*["']?\s*(?:https?:|\/\/|ftp:|file:)|url\(|@import/i;

describe("escaping", () => {
  it("escapes the five characters markup needs, and nothing else", () => {
    expect(text(`<script>alert("x" & 'y')</script>`)).toBe("&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;");
    expect(text("pkg+1.0~rc-é")).toBe("pkg+1.0~rc-é");
    expect(text(null)).toBe("");
    expect(count(19_932)).toBe("19,932");
    expect(count(1_234_567)).toBe("1,234,567");
    expect(count(12)).toBe("12");
  });
});

describe("the report page", () => {
  it("renders hostile names as text: no markup of theirs reaches the page", async () => {
    const { html } = await page(lost.state);
    // The page's only markup is its own: no script element, no image, no event handler attribute.
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<b[\s>]/i);
    expect(html).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
    expect(html).toContain(text(HOSTILE_PACKAGE));
    expect(html).toContain(text(HOSTILE_ARCH));
    expect(html).toContain(text(HOSTILE_MESSAGE));
    expect(html).toContain("&lt;script&gt;document.body.setAttribute(&quot;data-pwned&quot;");
  });

  it("is self-contained: inline style, no script, nothing to fetch, a policy that forbids fetching", async () => {
    const { html } = await page(lost.state);
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'/);
    expect(html).not.toMatch(FETCHES);
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).not.toMatch(/<link|<iframe|<object|<embed/i);
    // In-page anchors only.
    for (const href of html.match(/href="[^"]*"/g) ?? []) expect(href).toMatch(/^href="#[a-z-]+"$/);
  });

  it("caps the lists as the JSON does, with the counts beside them; --full shows all", async () => {
    const { html, report } = await page(lost.state);
    expect(rowsIn(html, "lost")).toHaveLength(20);
    expect(html).toContain("showing the 20 oldest of <strong>20,000</strong>");
    expect(html).toContain(`id="count-lost" data-count="20000"><div class="v">20,000</div>`);
    expect(html).toContain(`id="count-in-flight" data-count="5"`);
    expect(rowsIn(html, "in-flight")).toHaveLength(5 + 5); // the age buckets, then the keys
    expect(report.requests.lost.shown).toBe(20);
    const full = await page(lost.state, ["--full"]);
    expect(rowsIn(full.html, "lost")).toHaveLength(20_000);
    expect(full.html).not.toMatch(/<script/i);
  });

  it("has a row per arch and a total", async () => {
    const { html } = await page(lost.state);
    const arches = html.slice(html.indexOf('<section id="arches">'), html.indexOf("</section>", html.indexOf('<section id="arches">')));
    expect(arches.match(/<tr class="arch">/g)).toHaveLength(7);
    expect(arches).toContain('<tr class="arch"><td class="wrap">testing</td><td class="wrap">amd64</td><td class="n">3,340</td>');
    expect(arches).toMatch(/<tr class="total"><td>all<\/td><td><\/td><td class="n">20,010<\/td>/);
  });

  it("warns when the data is stale, and says it is fresh when it is not", async () => {
    const state = copyDemoState(mkdtempSync(join(root, "demo-")));
    const fresh = await page(state);
    expect(fresh.html).toContain('id="fresh"');
    expect(fresh.html).not.toContain('id="stale-warning"');
    const stale = await page(state, [], "2026-11-28T12:00:00Z");
    expect(stale.report.ages.stale).toBe(true);
    expect(stale.html).toContain('<div class="banner stale" id="stale-warning" role="alert"><strong>Stale data: answers may be out of date</strong>');
    expect(stale.html).toContain(text(stale.report.ages.warning!));
    expect(stale.html).toMatch(/<title>debci-bridge report 2026-11-28T12:00:00\.000Z \(stale\)<\/title>/);
  });

  it("draws the coverage timeline with its gap", async () => {
    const { html } = await page(lost.state);
    const svg = html.match(/<svg class="timeline".*?<\/svg>/s)?.[0] ?? "";
    expect(svg.match(/<rect class="gap"/g)).toHaveLength(1);
    expect(svg).toContain("<title>gap 2026-11-24T06:00:00.000Z to 2026-11-24T09:00:00.000Z</title>");
    expect(svg).toContain('<rect class="covered"');
    expect(svg).toContain('<rect class="unfetched"');
  });

  it("is written atomically: nothing else is left beside it; an unwritable path is exit 1", async () => {
    const { dir } = await page(lost.state);
    expect(readdirSync(dir)).toEqual(["report.html"]);
    const blocker = join(dir, "a-file");
    writeFileSync(blocker, "");
    const bad = await runCli(["report", "--state", lost.state, "--now", NOW, "--html", join(blocker, "report.html")]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/cannot write .*a-file\/report\.html/);
    expect((await runCli(["report", "--state", lost.state, "--html", ""])).code).toBe(1);
  });

  it("is a pure function of the report", async () => {
    const { report, html } = await page(lost.state);
    expect(renderReportHtml(report)).toBe(renderReportHtml(structuredClone(report)));
    expect(renderReportHtml(report).replace(/<section id="warnings">.*?<\/section>\n/s, "")).toBe(html.replace(/<section id="warnings">.*?<\/section>\n/s, ""));
  });
});
