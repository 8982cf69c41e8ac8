import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** The requests in a directory's batch files as "package trigger arch[ huge]" lines, sorted. */
export function requestsIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const name of batchFiles(dir)) {
    const body = JSON.parse(readFileSync(join(dir, name), "utf8")) as Array<{ arch: string[]; tests: Array<{ package: string; trigger: string }> }>;
    for (const group of body) {
      for (const arch of group.arch) {
        for (const t of group.tests) out.push(`${t.package} ${t.trigger} ${arch}${name.endsWith(".huge.json") ? " huge" : ""}`);
      }
    }
  }
  return out.sort();
}

export function batchFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  // Refusal records (NAME.reason.json) sit beside rejected batches; they are not batches.
  return readdirSync(dir).filter((n) => n.endsWith(".json") && !n.endsWith(".reason.json") && !n.startsWith(".")).sort();
}
