/**
 * What answering costs on this host at the least, in the shape issue 25
 * describes: needs already placed as integer keys (their group and trigger
 * found before the clock starts, as a byte reader would place them), each
 * (suite, arch, package) group's runs side by side in trigger order, and a
 * line written as bytes. Per need it finds the key's runs by binary search,
 * takes the latest finished one, and writes state, version, run id and
 * time. It applies no rule beyond that: no baseline, label, in-flight
 * evidence, overtaking, request or reference run, all of which the
 * answering target includes. So it is a floor, not an answerer, and it is
 * built here beside the product, on the product's own run store, so that
 * the figure can be measured again on any host.
 *
 * Two orders: the needs' own, and the issue's group order (each group's
 * needs together, their lines put back in input order afterwards).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { RunStore } from "../dist/core/run-store.js";
import { readBase } from "../dist/store/base-file.js";
import { isoTime } from "../dist/core/iso-time.js";

interface NeedNames {
  suite?: string;
  arch: string;
  package: string;
  trigger: string;
}

/** Runs by group, in trigger order within each: group g is [groupStart[g], groupStart[g+1]). */
interface Grouped {
  groupStart: Uint32Array;
  rowsByGroup: Uint32Array;
  triggerByGroup: Uint32Array;
  groupOf: Map<number, number>;
  arches: number;
  packages: number;
}

function groupNumber(suite: number, arch: number, pkg: number, arches: number, packages: number): number {
  return (suite * arches + arch) * packages + pkg;
}

/** Two stable counting passes: rows by trigger, then by group. Outside the clock. */
function groupRuns(store: RunStore, suites: Uint32Array, arches: Uint32Array, packages: Uint32Array, triggers: Uint32Array): Grouped {
  const archCount = store.tables().arches.length + 1;
  const packageCount = store.tables().packages.length + 1;
  const groupOf = new Map<number, number>();
  const groupOfRow = new Uint32Array(store.size);
  const counts: number[] = [];
  for (let row = 0; row < store.size; row++) {
    const number = groupNumber(suites[row]!, arches[row]!, packages[row]!, archCount, packageCount);
    let group = groupOf.get(number);
    if (group === undefined) {
      group = counts.length;
      groupOf.set(number, group);
      counts.push(0);
    }
    groupOfRow[row] = group;
    counts[group]!++;
  }
  let maxTrigger = 0;
  for (let row = 0; row < store.size; row++) maxTrigger = Math.max(maxTrigger, triggers[row]!);
  const byTrigger = new Uint32Array(maxTrigger + 2);
  for (let row = 0; row < store.size; row++) byTrigger[triggers[row]! + 1]!++;
  for (let t = 1; t < byTrigger.length; t++) byTrigger[t]! += byTrigger[t - 1]!;
  const triggerOrder = new Uint32Array(store.size);
  for (let row = 0; row < store.size; row++) triggerOrder[byTrigger[triggers[row]!]!++] = row;
  const groupStart = new Uint32Array(counts.length + 1);
  for (let g = 0; g < counts.length; g++) groupStart[g + 1] = groupStart[g]! + counts[g]!;
  const fill = groupStart.slice(0, counts.length);
  const rowsByGroup = new Uint32Array(store.size);
  const triggerByGroup = new Uint32Array(store.size);
  for (const row of triggerOrder) {
    const at = fill[groupOfRow[row]!]!++;
    rowsByGroup[at] = row;
    triggerByGroup[at] = triggers[row]!;
  }
  return { groupStart, rowsByGroup, triggerByGroup, groupOf, arches: archCount, packages: packageCount };
}

function writeAscii(out: Buffer, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[at + i] = text.charCodeAt(i);
  return at + text.length;
}

export async function answerKernel(stateDir: string, needsFile: string, rounds: number): Promise<Record<string, unknown>> {
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
  // Placed before the clock: a need's group (groups for none) and trigger id (0 for none).
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
  /** Need i's line into `out` at `at`; returns where it ends. */
  function answerInto(i: number, out: Buffer, at: number): number {
    const group = groupOfNeed[i]!;
    const trigger = triggerOfNeed[i]!;
    let best = -1;
    if (group < groups && trigger > 0) {
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
        if (statuses[row] !== 0 && (best < 0 || updated[row]! > updated[best]! || (updated[row] === updated[best] && runIds[row]! > runIds[best]!))) best = row;
      }
    }
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
    at = writeAscii(out, at, statuses[best] === 2 ? '","state":"fail","version":"' : '","state":"pass","version":"');
    at = writeAscii(out, at, versionNames[versions[best]! - 1] ?? "");
    at = writeAscii(out, at, '","runId":');
    at = writeAscii(out, at, String(runIds[best]));
    at = writeAscii(out, at, ',"updatedAt":"');
    at = writeAscii(out, at, isoTime(updated[best]!));
    return writeAscii(out, at, '"}\n');
  }
  const chunk = Buffer.allocUnsafe(1 << 16);
  function inInputOrder(): number {
    let at = 0;
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      if (at + 4096 > chunk.length) {
        bytes += at;
        at = 0;
      }
      at = answerInto(i, chunk, at);
    }
    return bytes + at;
  }
  // Group order: every line kept where it was written, then copied out in input order.
  const lines = Buffer.allocUnsafe(n * 512);
  const starts = new Uint32Array(n);
  const ends = new Uint32Array(n);
  function inGroupOrder(): number {
    let at = 0;
    for (let k = 0; k < n; k++) {
      const i = groupOrder[k]!;
      starts[i] = at;
      at = answerInto(i, lines, at);
      ends[i] = at;
    }
    let used = 0;
    let bytes = 0;
    for (let i = 0; i < n; i++) {
      if (used + 4096 > chunk.length) {
        bytes += used;
        used = 0;
      }
      used += lines.copy(chunk, used, starts[i]!, ends[i]!);
    }
    return bytes + used;
  }
  const input: number[] = [];
  const grouping: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let t = performance.now();
    const a = inInputOrder();
    input.push(((performance.now() - t) * 1000) / n);
    t = performance.now();
    const b = inGroupOrder();
    grouping.push(((performance.now() - t) * 1000) / n);
    if (a !== b) throw new Error(`the two orders wrote ${a} and ${b} bytes`);
  }
  const median = (xs: number[]) => Math.round([...xs].sort((x, y) => x - y)[xs.length >> 1]! * 100) / 100;
  // The first round runs cold, as a plan's single pass does; the median is warm.
  return { needs: n, inputOrderMicrosPerNeed: median(input), groupOrderMicrosPerNeed: median(grouping), firstRound: { inputOrder: Math.round(input[0]! * 100) / 100, groupOrder: Math.round(grouping[0]! * 100) / 100 } };
}
