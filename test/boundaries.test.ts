import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = new URL("../src/", import.meta.url).pathname;

/** Every file reachable by static imports from an entry (dynamic import() is not followed). */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/^(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"/gms)) {
      visit(resolve(dirname(file), m[1]!.replace(/\.js$/, ".ts")));
    }
  };
  visit(entry);
  return seen;
}

describe("the network stays outside the module", () => {
  it.each(["index.ts", "cli/main.ts", "serve/dispatch.ts"])("nothing %s imports reaches src/sync or uses fetch", (entry) => {
    const files = [...reachable(join(SRC, entry))];
    expect(files.length).toBeGreaterThan(entry === "cli/main.ts" ? 3 : 5);
    expect(files.filter((f) => f.includes("/src/sync/"))).toEqual([]);
    for (const file of files) expect(readFileSync(file, "utf8"), file).not.toMatch(/\bfetch\(|node:http|node:net\b/);
  });
});

describe("start-up loads only what a command needs", () => {
  it("the CLI's entry statically loads no command module, no zod and no file globbing", () => {
    const files = [...reachable(join(SRC, "cli/main.ts"))];
    expect(files.filter((f) => /-command|maintenance-commands|session|formats/.test(f))).toEqual([]);
    for (const file of files) expect(readFileSync(file, "utf8"), file).not.toMatch(/from "zod"|from "fast-glob"/);
  });
});

describe("imports flow one way", () => {
  /** The files a file imports (types included: a type import is a dependency of the design too). */
  const importsOf = (file: string) => [...readFileSync(file, "utf8").matchAll(/^(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"/gms)].map((m) => resolve(dirname(file), m[1]!.replace(/\.js$/, ".ts")));

  it("no file of src/ reaches itself again through its imports", () => {
    const files = [...reachable(join(SRC, "index.ts")), ...reachable(join(SRC, "cli/main.ts")), ...reachable(join(SRC, "sync/cli.ts"))];
    const state = new Map<string, "open" | "done">();
    const cycles: string[] = [];
    const path: string[] = [];
    const visit = (file: string) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "open") return void cycles.push([...path.slice(path.indexOf(file)), file].map((f) => f.slice(SRC.length)).join(" -> "));
      state.set(file, "open");
      path.push(file);
      for (const next of importsOf(file)) visit(next);
      path.pop();
      state.set(file, "done");
    };
    for (const file of new Set(files)) visit(file);
    expect(cycles).toEqual([]);
  });
});
