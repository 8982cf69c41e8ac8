/**
 * A worker thread's share of loading results files: read, parse, validate
 * and merge its files into a run store of its own, then hand back the
 * store's tables and rows (typed arrays, transferred without copying) and
 * what became of each file.
 */
import { parentPort, workerData } from "node:worker_threads";
import { RunStore } from "../core/run-store.js";
import { loadSequentially } from "./load-results.js";

const { paths, suite, maxFileBytes } = workerData as { paths: string[]; suite: string; maxFileBytes: number };
const store = new RunStore();
const outcomes = await loadSequentially(paths, store, suite, maxFileBytes);
const rows = new Float64Array(store.size * 9);
for (let row = 0; row < store.size; row++) {
  const r = store.encodedRow(row);
  for (let i = 0; i < 9; i++) rows[row * 9 + i] = r[i] ?? Number.NaN;
}
parentPort!.postMessage({ outcomes, tables: store.tables(), rows }, [rows.buffer]);
