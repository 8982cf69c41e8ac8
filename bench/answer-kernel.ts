/**
 * What answering costs on this host at the least, in the shape issue 25
 * describes: needs already placed as integer keys (their group and trigger
 * found before the clock starts, as a byte reader would place them), each
 * (suite, arch, package) group's runs side by side, and a line written as
 * bytes. Per need it finds the key's runs and takes the latest finished
 * one (a tmpfail is no result, as in core/answer.ts), then writes state,
 * version, run id and time. It applies no other rule: no best-of ranking,
 * baseline, label, in-flight evidence, overtaking, request or reference
 * run, all of which the answering target includes. So it is a floor, not
 * an answerer, built here beside the product on the product's own run
 * store, so that the figure can be measured again on any host.
 *
 * A run may carry several triggers (one debci request for an upload and
 * what migrates with it) and then counts for each of them: here it is
 * indexed under each, before the clock, so that every key's runs are one
 * binary search whatever the group holds.
 *
 * Two orders, each measured in its own process (the first pass is cold,
 * as in a plan, which answers each need once): the needs' own, and the
 * issue's group order (each group's needs together, their lines put back
 * in input order afterwards, that copy timed on its own).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { RunStore } from "../dist/core/run-store.js";
import { readBase } from "../dist/store/base-file.js";
import { isoTime } from "../dist/core/iso-time.js";

export type KernelOrder = "input" | "group";

interface NeedNames {
  suite?: string;
  arch: string;
  package: string;
  trigger: string;
}

/** Group g's entries are [groupStart[g], groupStart[g+1]), in trigger order: a run under each trigger it counts for. */
interface Grouped {
  groupStart: Uint32Array;
  rowsByGroup: Uint32Array;
  triggerByGroup: Uint32Array;
  groupOf: Map<number, number>;
  arches: number;
  packages: number;
}

/** Statuses as run-store.ts codes them: 0 unfinished, 1 pass, 2 fail, 3 neutral, 4 tmpfail. */
const FAIL = 2;
const TMPFAIL = 4;

function groupNumber(suite: number, arch: number, pkg: number, arches: number, packages: number): number {
  return (suite * arches + arch) * packages + pkg;
}

/** The single triggers a run's trigger id counts for, each once (as knowledge.ts triggerIndex takes them). */
function triggersCounted(store: RunStore, id: number): readonly number[] {
  if (!store.isMultiTrigger(id)) return [id];
  const parts = store.triggerPartsOf(id);
  const out: number[] = [];
  for (let k = 0; k < parts.length; k++) if (parts[k]! >= 0 && !out.includes(parts[k]!)) out.push(parts[k]!);
  return out;
}

/**
 * Each run as one entry per trigger it counts for, by trigger (a counting
 * pass), then into their groups: an index the design would store in the
 * base, so every key's runs are one binary search. Outside the clock.
 */
function groupRuns(store: RunStore, suites: Uint32Array, arches: Uint32Array, packages: Uint32Array, triggers: Uint32Array): Grouped {
  const archCount = store.tables().arches.length + 1;
  const packageCount = store.tables().packages.length + 1;
  const groupOf = new Map<number, number>();
  const entryRows: number[] = [];
  const entryTriggers: number[] = [];
  const entryGroups: number[] = [];
  const counts: number[] = [];
  let maxTrigger = 0;
  for (let row = 0; row < store.size; row++) {
    const number = groupNumber(suites[row]!, arches[row]!, packages[row]!, archCount, packageCount);
    let group = groupOf.get(number);
    if (group === undefined) {
      group = counts.length;
      groupOf.set(number, group);
      counts.push(0);
    }
    for (const trigger of triggersCounted(store, triggers[row]!)) {
      entryRows.push(row);
      entryTriggers.push(trigger);
      entryGroups.push(group);
      counts[group]!++;
      maxTrigger = Math.max(maxTrigger, trigger);
    }
  }
  const entries = entryRows.length;
  const byTrigger = new Uint32Array(maxTrigger + 2);
  for (let e = 0; e < entries; e++) byTrigger[entryTriggers[e]! + 1]!++;
  for (let t = 1; t < byTrigger.length; t++) byTrigger[t]! += byTrigger[t - 1]!;
  const triggerOrder = new Uint32Array(entries);
  for (let e = 0; e < entries; e++) triggerOrder[byTrigger[entryTriggers[e]!]!++] = e;
  const groupStart = new Uint32Array(counts.length + 1);
  for (let g = 0; g < counts.length; g++) groupStart[g + 1] = groupStart[g]! + counts[g]!;
  const fill = groupStart.slice(0, counts.length);
  const rowsByGroup = new Uint32Array(entries);
  const triggerByGroup = new Uint32Array(entries);
  for (const e of triggerOrder) {
    const at = fill[entryGroups[e]!]!++;
    rowsByGroup[at] = entryRows[e]!;
    triggerByGroup[at] = entryTriggers[e]!;
  }
  return { groupStart, rowsByGroup, triggerByGroup, groupOf, arches: archCount, packages: packageCount };
}

function writeAscii(out: Buffer, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
  return at + text.length;
}

export async function answerKernel(stateDir: string, needsFile: string, order: KernelOrder, rounds: number): Promise<Record<string, unknown>> {
  const store = new RunStore();
  await readBase(join(stateDir, "compacted.base"), store);
  const identity = new Uint32Array(store.size);
  for (let i = 0; i < identity.length; i++) identity[i] = i;
  const c = store.columnsInOrder(identity);
  const grouped = groupRuns(store, c.suites, c.arches, c.packages, c.triggers);
  const versionNames = store.tables().versions;
  const needs = JSON.parse(readFileSync(needsFile, "utf8")) as NeedNames[];
  const n = needs.length;
  const groups = grouped.groupStart.length - 1;
  // Placed before the clock: a need's group (`groups` for none) and trigger id (0 for none).
  const groupOfNeed = new Int32Array(n);
  const triggerOfNeed = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const need = needs[i]!;
    const suite = store.suiteId(need.suite ?? "testing");
    const arch = store.archId(need.arch);
    const pkg = store.packageId(need.package);
    const number = suite === undefined || arch === undefined || pkg === undefined ? -1 : groupNumber(suite, arch, pkg, grouped.arches, grouped.packages);
    groupOfNeed[i] = grouped.groupOf.get(number) ?? groups;
    triggerOfNeed[i] = Math.max(0, store.triggerId(need.trigger));
  }
  const counts = new Uint32Array(groups + 2);
  for (let i = 0; i < n; i++) counts[groupOfNeed[i]! + 1]!++;
  for (let g = 1; g < counts.length; g++) counts[g]! += counts[g - 1]!;
  const groupOrder = new Uint32Array(n);
  for (let i = 0; i < n; i++) groupOrder[counts[groupOfNeed[i]!]!++] = i;

  const { groupStart, rowsByGroup, triggerByGroup } = grouped;
  const { statuses, updated, versions, runIds } = c;
  /** Whether row `row` finished after row `best` (an unknown time counts as earliest; then the higher run id). */
  function later(row: number, best: number): boolean {
    const a = updated[row]!;
    const b = updated[best]!;
    if (a === b || (a !== a && b !== b)) return runIds[row]! > runIds[best]!;
    return b !== b || a > b;
  }
  /** The latest finished run counting for need i's trigger, or -1. */
  function latestRun(i: number): number {
    const group = groupOfNeed[i]!;
    const trigger = triggerOfNeed[i]!;
    if (group >= groups || trigger === 0) return -1;
    let best = -1;
    let lo = groupStart[group]!;
    let hi = groupStart[group + 1]!;
    const end = hi;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (triggerByGroup[mid]! < trigger) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < end && triggerByGroup[k] === trigger; k++) {
      const row = rowsByGroup[k]!;
      const status = statuses[row]!;
      if (status !== 0 && status !== TMPFAIL && (best < 0 || later(row, best))) best = row;
    }
    return best;
  }
  /** Need i's line into `out` at `at`; returns where it ends. */
  function answerInto(i: number, out: Buffer, at: number): number {
    const best = latestRun(i);
    const need = needs[i]!;
    at = writeAscii(out, at, '{"suite":"');
    at = writeAscii(out, at, need.suite ?? "testing");
    at = writeAscii(out, at, '","arch":"');
    at = writeAscii(out, at, need.arch);
    at = writeAscii(out, at, '","package":"');
    at = writeAscii(out, at, need.package);
    at = writeAscii(out, at, '","trigger":"');
    at = writeAscii(out, at, need.trigger);
    if (best < 0) return writeAscii(out, at, '","state":"missing"}\n');
    at = writeAscii(out, at, statuses[best] === FAIL ? '","state":"fail","version":' : '","state":"pass","version":');
    const version = versions[best]!;
    at = version === 0 ? writeAscii(out, at, "null") : writeAscii(out, writeAscii(out, writeAscii(out, at, '"'), versionNames[version - 1]!), '"');
    at = writeAscii(out, at, ',"runId":');
    at = writeAscii(out, at, String(runIds[best]));
    at = writeAscii(out, at, ',"updatedAt":');
    const time = updated[best]!;
    at = time !== time ? writeAscii(out, at, "null") : writeAscii(out, writeAscii(out, writeAscii(out, at, '"'), isoTime(time)), '"');
    return writeAscii(out, at, "}\n");
  }
  const chunk = Buffer.allocUnsafe(1 << 16);
  /** Line i of every need, in input order, into 64 KiB chunks handed on (here: counted) as a plan's output buffer is; the bytes written. */
  function inChunks(line: (i: number, out: Buffer, at: number) => number): number {
    let at = 0;
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      if (at + 4096 > chunk.length) {
        bytes += at;
        at = 0;
      }
      at = line(i, chunk, at);
    }
    return bytes + at;
  }
  // Group order: each line kept where it was written, then copied out in input order.
  const lines = Buffer.allocUnsafe(n * 512);
  const starts = new Uint32Array(n);
  const ends = new Uint32Array(n);
  function answerInGroupOrder(): void {
    let at = 0;
    for (let k = 0; k < n; k++) {
      const i = groupOrder[k]!;
      starts[i] = at;
      at = answerInto(i, lines, at);
      ends[i] = at;
    }
  }
  const copiedBack = (i: number, out: Buffer, at: number) => at + lines.copy(out, at, starts[i]!, ends[i]!);

  const answering: number[] = [];
  const copying: number[] = [];
  let written = 0;
  for (let r = 0; r < rounds; r++) {
    let t = performance.now();
    if (order === "input") written = inChunks(answerInto);
    else answerInGroupOrder();
    answering.push(((performance.now() - t) * 1000) / n);
    if (order === "group") {
      t = performance.now();
      written = inChunks(copiedBack);
      copying.push(((performance.now() - t) * 1000) / n);
    }
  }
  const us = (x: number) => Math.round(x * 100) / 100;
  const median = (xs: number[]) => us([...xs].sort((x, y) => x - y)[xs.length >> 1]!);
  // After the clock: both orders write the same bytes, line for line.
  const inputLines: string[] = [];
  for (let i = 0; i < n; i++) inputLines.push(chunk.toString("latin1", 0, answerInto(i, chunk, 0)));
  answerInGroupOrder();
  for (let i = 0; i < n; i++) if (lines.toString("latin1", starts[i]!, ends[i]!) !== inputLines[i]) throw new Error(`need ${i}: the two orders wrote different lines`);
  let found = 0;
  for (let i = 0; i < n; i++) if (latestRun(i) >= 0) found++;
  return {
    order,
    needs: n,
    withRun: found,
    bytes: written,
    // The first pass is how a plan answers (each need once); warm is the median of the passes after it.
    coldMicrosPerNeed: us(answering[0]!),
    warmMicrosPerNeed: median(answering.slice(1)),
    ...(order === "group" ? { copyBackColdMicrosPerNeed: us(copying[0]!), copyBackWarmMicrosPerNeed: median(copying.slice(1)) } : {}),
  };
}
