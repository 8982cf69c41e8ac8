import { writeFileSync, mkdirSync } from "node:fs";
import { makeWorkload } from "./workload.js";
const n = Number(process.argv[2]);
const dir = `/tmp/b${n}`;
mkdirSync(dir, { recursive: true });
const w = makeWorkload(`${dir}/state`, { results: n, files: 100, needs: 200000 });
writeFileSync(`${dir}/needs.json`, JSON.stringify(w.needs));
