// The report page as headless chromium shows it, on known states.
// Run: npm run test:html. REPORT_PNG=docs/report.png also keeps the demo page's screenshot there.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnCli } from "../support/cli.js";
import { RecordingProxy, chromiumAvailable, dumpDom, screenshot, visibleText } from "./chromium.js";
import { HOSTILE_ARCH, HOSTILE_MESSAGE, HOSTILE_PACKAGE, NOW, copyDemoState, makeLostState } from "./states.js";

const enabled = process.env.REPORT_HTML_TEST === "1";

/**
 * What chromium asks for by itself whatever the page (its component updater,
 * its account check): the proxy refuses them like everything else. Any
 * other request came from the page.
 */
const BROWSER_OWN = /^(?:CONNECT |[A-Z]+ https?:\/\/)(?:update\.googleapis\.com|accounts\.google\.com|clients\d*\.google\.com|optimizationguide-pa\.googleapis\.com|content-autofill\.googleapis\.com|safebrowsing\.googleapis\.com|edgedl\.me\.gvt1\.com|redirector\.gvt1\.com|www\.google\.com)(?:[:/]|$)/;

/** Anything in the page that could make a browser fetch: an address in src/href and the like, a CSS url() or @import. */
const FETCHES = /\b(?:src|href|xlink:href|action|srcset|poster|data)\s*=\s*["']?\s*(?:https?:|\/\/)|url\(|@import/i;

describe.skipIf(!enabled)("the report page in headless chromium", () => {
  let root: string;
  const proxy = new RecordingProxy();
  let port = 0;
  const pages: Record<"fresh" | "stale" | "lost", string> = { fresh: "", stale: "", lost: "" };
  const doms: Partial<Record<keyof typeof pages, string>> = {};

  /** The page's own requests: what reached the proxy, less the browser's own. */
  const pageRequests = () => proxy.requests.filter((r) => !BROWSER_OWN.test(r));

  async function writePage(state: string, now: string, file: string): Promise<string> {
    const run = await spawnCli(["report", "--state", state, "--now", now, "--html", file]);
    expect(run.code, run.stderr).toBe(0);
    return file;
  }

  async function dom(which: keyof typeof pages): Promise<string> {
    doms[which] ??= await dumpDom(pages[which], port);
    return doms[which]!;
  }

  beforeAll(async () => {
    expect(chromiumAvailable(), "chromium is not installed: apt-get install --no-install-recommends chromium").toBe(true);
    root = mkdtempSync(join(tmpdir(), "debci-bridge-html-"));
    port = await proxy.start();
    const demo = copyDemoState(join(root, "demo"));
    const lost = makeLostState(join(root, "lost"));
    pages.fresh = await writePage(demo, NOW, join(root, "fresh.html"));
    pages.stale = await writePage(demo, "2026-11-28T12:00:00Z", join(root, "stale.html"));
    pages.lost = await writePage(lost.state, NOW, join(root, "lost.html"));
  });

  afterAll(async () => {
    await proxy.stop();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it("warns in red when the data is stale, and not when it is fresh", async () => {
    const stale = await dom("stale");
    expect(stale).toMatch(/<div class="banner stale" id="stale-warning" role="alert">/);
    const text = visibleText(stale);
    expect(text).toContain("Stale data: answers may be out of date");
    expect(text).toContain("stale data: the pending snapshot is 3 days old (2026-11-25T11:30:00.000Z), the newest results are 3 days old (up to 2026-11-25T11:00:00.000Z)");
    const fresh = await dom("fresh");
    expect(fresh).not.toContain("stale-warning");
    expect(visibleText(fresh)).toContain("Data is fresh: nothing is older than 6 hours.");
    expect(visibleText(fresh)).toContain("Pending snapshot taken 2026-11-25T11:30:00.000Z , 30 minutes ago");
  });

  it("shows the counts, the queue in flight, the lost request and the per-arch table of the demo state", async () => {
    const text = visibleText(await dom("fresh"));
    for (const card of ["12 keys known", "6 pass", "3 fail", "1 pending", "2 missing", "1 in flight", "1 requests lost", "0 refused by the service", "0 coverage gaps", "9 runs"]) expect(text).toContain(card);
    expect(text).toContain("suite arch keys pass fail pending missing in flight lost refused reject-listed");
    expect(text).toContain("testing amd64 10 5 3 1 1 1 1 0 0");
    expect(text).toContain("testing arm64 2 1 0 0 1 0 0 0 0");
    expect(text).toContain("all 12 6 3 1 2 1 1 0 0");
    expect(text).toContain("glibc glibc/2.41-7 on testing/amd64 2026-11-25T10:45:00.000Z 75 minutes snapshot 5030");
    expect(text).toContain("<1h 0 1-6h 1 6-24h 0 1-3d 0 >3d 0");
    expect(text).toContain("libfoo glibc/2.41-7 on testing/amd64 2026-11-23T09:00:00.000Z 2 days 20261123T090000Z-0d3e0a10.json");
    expect(text).toContain("Gaps: none.");
  });

  it("shows hostile names as text, and runs nothing of theirs", async () => {
    const lost = await dom("lost");
    // No element the names would have made: no script, no image, no <b>, and the body untouched.
    expect(lost).not.toMatch(/<script/i);
    expect(lost).not.toMatch(/<img/i);
    expect(lost).not.toMatch(/<b[\s>]/i);
    expect(lost).not.toMatch(/<body[^>]*data-pwned/i);
    expect(lost).toMatch(/<body>/);
    const text = visibleText(lost);
    expect(text).toContain(`${HOSTILE_PACKAGE} glibc/2.41-7 on testing/${HOSTILE_ARCH}`);
    expect(text).toContain(`testing ${HOSTILE_ARCH} 1 0 0 0 1 0 1 0 0`);
    expect(text).toContain(HOSTILE_MESSAGE);
  });

  it("shows the counts and caps the lists of a state with 20,000 lost requests", async () => {
    const text = visibleText(await dom("lost"));
    expect(text).toContain("20,000 requests lost");
    expect(text).toContain("Lost requests: showing the 20 oldest of 20,000 ; debci-bridge report --full lists every one.");
    expect(text).toContain("all 20,010 2 2 5 20,001 5 20,000 1 0");
    expect(text).toContain("<1h 3 1-6h 1 6-24h 0 1-3d 1 >3d 0");
    expect(text).toContain("1 coverage gaps");
    expect(text).toContain("2026-11-24T06:00:00.000Z 2026-11-24T09:00:00.000Z 3 hours");
    // pkg19 is the 20th oldest; pkg20 is not shown.
    expect(text).toContain("pkg19 src19/1.6-1 on testing/arm64");
    expect(text).not.toContain("pkg20 ");
  });

  it("loads nothing from the network", async () => {
    for (const which of ["fresh", "stale", "lost"] as const) {
      await dom(which);
      expect(readFileSync(pages[which], "utf8")).not.toMatch(FETCHES);
    }
    expect(pageRequests()).toEqual([]);
    // The proxy does see what a page asks for: a page with an image and a style sheet from elsewhere.
    const control = join(root, "control.html");
    writeFileSync(control, '<!DOCTYPE html><html><body><img src="http://example.invalid/x.png"><link rel="stylesheet" href="http://fonts.example.invalid/a.css"></body></html>');
    await dumpDom(control, port);
    expect(pageRequests()).toEqual(expect.arrayContaining(["GET http://example.invalid/x.png"]));
  });

  it("takes a screenshot of the demo state's page", async () => {
    const png = join(root, "report.png");
    await screenshot(pages.fresh, png, port);
    const bytes = readFileSync(png);
    expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    expect(bytes.readUInt32BE(16)).toBe(1200); // IHDR width
    expect(bytes.readUInt32BE(20)).toBe(1600); // IHDR height
    expect(statSync(png).size).toBeGreaterThan(20_000);
    if (process.env.REPORT_PNG) copyFileSync(png, resolve(process.env.REPORT_PNG));
  });
});
