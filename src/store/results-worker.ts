/**
 * A worker thread's share of loading results files: take the next file
 * not yet taken (a counter shared with the main thread), read, parse,
 * validate and merge it into a run store of its own, until none is left;
 * then hand back the store's tables, rows and their sources (typed arrays,
 * transferred without copying) and what became of each file it took.
 */
import { parentPort, workerData } from "node:worker_threads";
import { RunStore } from "../core/run-store.js";
import { crashPoint } from "./faults.js";
import { phaseTimes } from "./phase-times.js";
import { loadClaimed } from "./load-results.js";
import { adoptKnownStates } from "./shared-mode.js";

const { paths, counter, suite, maxFileBytes, states } = workerData as { paths: string[]; counter: SharedArrayBuffer; suite: string; maxFileBytes: number; states?: unknown };
adoptKnownStates(states);
const taken = new Int32Array(counter);
const store = new RunStore();
let claimedCount = 0;
const claimed = await loadClaimed(
  paths,
  () => {
    const index = Atomics.add(taken, 0, 1);
    // A fault test ends this thread right after its first claim: a file it took must not be lost. It ends even when the
    // main thread had taken every file first (as it may on a busy machine), so the test always sees the thread fail.
    if (claimedCount++ === 0) crashPoint("results-worker-midway");
    return index;
  },
  store,
  suite,
  maxFileBytes,
);
const rows = store.encodedRows();
// Where each run was met, so the main thread can tell which of two runs under one run id came first.
const sources = store.encodedSources();
parentPort!.postMessage({ claimed, tables: store.tableParts(), rows, sources, phaseTimes: phaseTimes() }, [rows.buffer, sources.buffer]);
