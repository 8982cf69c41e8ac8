import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * debci-bridge's version, from its package.json: the nearest one named
 * debci-bridge above this module, so it is found from src/cli/ (tests),
 * dist/cli/ (a checkout) and node_modules/debci-bridge/dist/cli/ alike.
 * Undefined when there is none (a copy of the files without it).
 */
export function packageVersion(moduleUrl: string = import.meta.url): string | undefined {
  let dir = dirname(fileURLToPath(moduleUrl));
  for (;;) {
    let text: string | undefined;
    try {
      text = readFileSync(join(dir, "package.json"), "utf8");
    } catch {
      text = undefined;
    }
    if (text !== undefined) {
      try {
        const pkg = JSON.parse(text) as { name?: unknown; version?: unknown };
        if (pkg.name === "debci-bridge" && typeof pkg.version === "string") return pkg.version;
      } catch {
        // Not ours, or not JSON: keep looking further up.
      }
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}
