import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { RunStore } from "../src/core/run-store.js";
import { foldResultsFile, loadSequentially } from "../src/store/load-results.js";
import { AlternateBuffers, DEFAULT_MAX_FILE_BYTES, parseJsonBytes } from "../src/store/read-json.js";
import { readFileSync } from "node:fs";
import { tempDir } from "./support/temp-state.js";

/**
 * Results files are read into two buffers taken in turn (read-json.ts,
 * AlternateBuffers): one holds the file being folded while the next is read
 * into the other. Were the two ever the same memory, a read would write
 * over the file being scanned.
 */
describe("reading results files into two buffers in turn", () => {
  it("lends two different buffers in turn, each reused, a larger one grown alone", () => {
    const buffers = new AlternateBuffers();
    const a = buffers.take(100);
    const b = buffers.take(100);
    a.fill(1);
    b.fill(2);
    expect(a.every((x) => x === 1)).toBe(true);
    const c = buffers.take(50);
    expect(c.buffer).toBe(a.buffer);
    const d = buffers.take(10_000);
    expect(d.buffer).not.toBe(b.buffer);
    expect(d.buffer).not.toBe(c.buffer);
    d.fill(3);
    expect(c.every((x) => x === 1)).toBe(true);
    expect([a.length, b.length, c.length, d.length]).toEqual([100, 100, 50, 10_000]);
  });

  it("loads many files of different sizes, each read while the one before is folded, as JSON.parse reads them one by one", async () => {
    const dir = tempDir();
    const paths: string[] = [];
    for (let f = 0; f < 12; f++) {
      // Sizes up and down, so buffers are grown and reused with room to spare.
      const records = Array.from({ length: 1 + ((f * 37) % 90) }, (_, i) => ({
        run_id: f * 1000 + i,
        trigger: `src${f}/1.${i}-1`,
        package: `pkg${f}-${i % 7}`,
        arch: ["amd64", "arm64", "i386"][i % 3],
        suite: "testing",
        version: `${f}.${i}-1`,
        status: ["pass", "fail", "neutral"][i % 3],
        created_at: new Date(Date.UTC(2026, 10, 1, f, i % 60)).toISOString(),
        updated_at: new Date(Date.UTC(2026, 10, 1, f + 1, i % 60)).toISOString(),
        message: "x".repeat((f * 131) % 400),
      }));
      const path = join(dir, `debci-${String(f).padStart(2, "0")}.json`);
      writeFileSync(path, JSON.stringify({ since: f, until: f + 1, results: records }));
      paths.push(path);
    }
    const loaded = new RunStore();
    await loadSequentially(paths, loaded, "testing", DEFAULT_MAX_FILE_BYTES);
    const exact = new RunStore();
    paths.forEach((path, i) => foldResultsFile(path, parseJsonBytes(readFileSync(path)), exact, "testing", i + 1));
    expect([...loaded.values()]).toEqual([...exact.values()]);
    expect(loaded.size).toBeGreaterThan(400);
  });
});
