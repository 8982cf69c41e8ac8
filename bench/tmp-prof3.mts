import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { openSession } from "../src/index.js";
import { toNeed } from "../src/formats/needs-input.js";
const needs = (JSON.parse(readFileSync("/tmp/b1000000/needs.json", "utf8")) as any[]).map((n) => toNeed(n, "testing"));
const session = await openSession({ stateDir: "/tmp/b1000000/state", mode: "read-only", now: Date.parse("2026-11-25T12:00:00Z") });
const idx = session.index as any;
const store = idx.knowledge.runs;
for (let rep = 0; rep < 3; rep++) {
  let t = performance.now();
  let c = 0;
  for (const n of needs) { const [a, b] = idx.span(n.suite, n.arch, n.package); c += b - a; }
  console.log("span", (performance.now() - t).toFixed(0), c);
  t = performance.now();
  c = 0;
  for (const n of needs) { const [a, b] = idx.span(n.suite, n.arch, n.package); const w = store.triggerId(n.trigger); for (let at = a; at < b; at++) { const id = idx.triggerByGroup[at]; if (id === w || store.isMultiTrigger(id)) c++; } }
  console.log("scan", (performance.now() - t).toFixed(0), c);
  t = performance.now();
  for (const n of needs) idx.runsFor(n);
  console.log("runsFor", (performance.now() - t).toFixed(0));
}
