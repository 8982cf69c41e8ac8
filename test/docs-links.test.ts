import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";

/**
 * The documents stay true to each other: every relative link in the README
 * and the guides under docs/ names a file that exists, and every #anchor a
 * heading of the page it points into (as GitHub and most renderers make
 * them: lower case, punctuation dropped, spaces as dashes). Each guide says
 * whom it is for in its first line.
 */
const ROOT = new URL("..", import.meta.url).pathname;
const PAGES = ["README.md", ...readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`)];

function anchorsOf(markdown: string): Set<string> {
  const slugs = new Set<string>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (line.startsWith("```")) fenced = !fenced;
    const heading = fenced ? null : /^#{1,6} (.*)$/.exec(line);
    if (heading !== null) slugs.add(heading[1]!.toLowerCase().replace(/[^\p{L}\p{N}\- ]/gu, "").replace(/ /g, "-"));
  }
  return slugs;
}

/** The links of a page outside its fenced blocks: [text](target). */
function linksOf(markdown: string): string[] {
  const prose = markdown.replace(/^```[\s\S]*?^```/gm, "");
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
}

describe("the README and the guides", () => {
  it.each(PAGES)("%s: every relative link and anchor resolves", (page) => {
    const text = readFileSync(join(ROOT, page), "utf8");
    for (const link of linksOf(text)) {
      if (/^[a-z]+:/.test(link)) continue; // https:, file:, man: are not the repository's to check
      const [path, anchor] = link.split("#") as [string, string | undefined];
      const target = path === "" ? join(ROOT, page) : join(ROOT, dirname(page), path);
      expect(existsSync(target), `${page} links to ${link}: no such file`).toBe(true);
      if (anchor !== undefined) expect(anchorsOf(readFileSync(target, "utf8")).has(anchor), `${page} links to ${link}: no such heading`).toBe(true);
    }
  });

  it("the README is the front door: at most 250 lines, and it routes each reader to a guide on its first screen", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(readme.split("\n").length).toBeLessThanOrEqual(250);
    for (const guide of ["docs/britney2.md", "docs/admin.md", "docs/reference.md", "docs/hacking.md"]) expect(readme).toContain(`](${guide})`);
  });

  it.each(["docs/britney2.md", "docs/admin.md", "docs/reference.md", "docs/hacking.md", "docs/performance.md", "docs/design.md", "docs/debci-3.6-measured.md"])("%s says whom it is for in its first line", (page) => {
    expect(readFileSync(join(ROOT, page), "utf8").split("\n")[0]).toMatch(/^For /);
  });
});
