/**
 * npm run bench: builds a synthetic workload and prints what each part
 * costs, as one JSON line. Flags: --results N (default 1000000),
 * --files N (100), --needs N (200000).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { measureServe } from "./serve-protocol.js";
import { makeWorkload } from "./workload.js";

const { values } = parseArgs({ options: { results: { type: "string" }, files: { type: "string" }, needs: { type: "string" } } });
const dir = mkdtempSync(join(tmpdir(), "debci-bridge-bench-"));
try {
  const workload = makeWorkload(join(dir, "state"), {
    results: Number(values.results ?? 1_000_000),
    files: Number(values.files ?? 100),
    needs: Number(values.needs ?? 200_000),
  });
  const serve = await measureServe(workload.stateDir, workload.needs, "2026-11-25T12:00:00Z");
  console.log(JSON.stringify({ results: workload.results, files: workload.files, serve }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
