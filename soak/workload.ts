/**
 * Britney2's side of the soak: uploads arriving over time, each triggering
 * the tests of its reverse dependencies (and often its own) on each arch,
 * and the needs file a run hands to `plan`: the keys of every upload still
 * waiting to migrate. An upload leaves once each of its keys is answered
 * pass or fail, or when it has waited `maxWaitDays`.
 */
import { writeFileSync } from "node:fs";
import { seededRandom, zipf } from "../test/support/random.js";

/** britney2's ADT_HUGE in Debian's britney.conf: an upload with more tests than this asks for them as huge. */
export const ADT_HUGE = 20;

export interface Upload {
  source: string;
  version: string;
  /** `source/version`: the trigger of every key it needs. */
  trigger: string;
  packages: string[];
  huge: boolean;
  arrivedAt: number;
  leftAt: number | null;
  left: "answered" | "expired" | null;
}

const SYLLABLES = ["ba", "ce", "di", "fo", "gu", "ka", "le", "mi", "no", "pu", "ra", "se", "ti", "vo", "xu", "zy", "lin", "tor", "gen", "mal", "pix", "que", "rus", "sol"];
const PREFIXES = ["", "", "", "", "lib", "lib", "python-", "node-", "golang-", "r-cran-", "ruby-", "haskell-", "rust-"];

export interface WorkloadOptions {
  seed: number;
  uploadsPerDay: number;
  maxRdeps: number;
  maxWaitDays: number;
  arches: string[];
}

export class Workload {
  readonly uploads: Upload[] = [];
  readonly packages: string[];
  private readonly random: () => number;
  private readonly pickPackage: () => number;
  private readonly versions = new Map<string, number>();

  constructor(readonly options: WorkloadOptions) {
    this.random = seededRandom(options.seed * 2_654_435_761 + 17);
    const names = new Set<string>();
    const size = 4000;
    while (names.size < size) {
      const n = 2 + Math.floor(this.random() * 2);
      let name = PREFIXES[Math.floor(this.random() * PREFIXES.length)]!;
      for (let i = 0; i < n; i++) name += SYLLABLES[Math.floor(this.random() * SYLLABLES.length)]!;
      if (this.random() < 0.2) name += String(1 + Math.floor(this.random() * 9));
      names.add(name);
    }
    this.packages = [...names];
    this.pickPackage = zipf(this.random, size, 1.0);
  }

  /** Uploads arriving in the simulated hour ending at `now`: a Poisson number of them, at `now`. */
  arrive(now: number): Upload[] {
    const mean = this.options.uploadsPerDay / 24;
    // Knuth's Poisson draw.
    let n = 0;
    for (let p = this.random(), limit = Math.exp(-mean); p > limit; p *= this.random()) n++;
    const made: Upload[] = [];
    for (let i = 0; i < n; i++) made.push(this.upload(now));
    return made;
  }

  private upload(now: number): Upload {
    const source = this.packages[Math.floor(this.random() * this.packages.length)]!;
    const count = (this.versions.get(source) ?? 0) + 1;
    this.versions.set(source, count);
    const version = `${1 + Math.floor(count / 10)}.${count % 10}-1`;
    // Most uploads test a handful of reverse dependencies, some tens, a few hundreds.
    const x = this.random();
    const max = this.options.maxRdeps;
    const want = Math.min(
      max,
      x < 0.6 ? 1 + Math.floor(this.random() * 6) : x < 0.88 ? 7 + Math.floor(this.random() * 14) : Math.round(Math.exp(Math.log(21) + this.random() * (Math.log(Math.max(22, max)) - Math.log(21)))),
    );
    const packages = new Set<string>();
    // Most sources have tests of their own.
    if (this.random() < 0.7) packages.add(source);
    for (let tries = 0; packages.size < want && tries < want * 20; tries++) packages.add(this.packages[this.pickPackage()]!);
    const upload: Upload = { source, version, trigger: `${source}/${version}`, packages: [...packages], huge: packages.size > ADT_HUGE, arrivedAt: now, leftAt: null, left: null };
    this.uploads.push(upload);
    return upload;
  }

  waiting(): Upload[] {
    return this.uploads.filter((u) => u.left === null);
  }

  /** The needs of every waiting upload, one JSON object a line, as `plan --needs` reads them. */
  writeNeeds(file: string): number {
    const lines: string[] = [];
    for (const upload of this.waiting()) {
      for (const pkg of upload.packages) {
        for (const arch of this.options.arches) lines.push(JSON.stringify(upload.huge ? { package: pkg, trigger: upload.trigger, arch, huge: true } : { package: pkg, trigger: upload.trigger, arch }));
      }
    }
    writeFileSync(file, lines.length === 0 ? "" : `${lines.join("\n")}\n`);
    return lines.length;
  }

  /** After a run: uploads whose every key has a pass or fail migrate (leave); those waiting too long leave too. */
  settle(now: number, answers: Map<string, Record<string, unknown>> | null): void {
    for (const upload of this.waiting()) {
      const answered =
        answers !== null &&
        upload.packages.every((pkg) =>
          this.options.arches.every((arch) => {
            const state = answers.get(`${arch} ${pkg} ${upload.trigger}`)?.state;
            return state === "pass" || state === "fail";
          }),
        );
      if (answered) (upload.left = "answered"), (upload.leftAt = now);
      else if (now - upload.arrivedAt >= this.options.maxWaitDays * 86_400_000) (upload.left = "expired"), (upload.leftAt = now);
    }
  }

  /** Every key the needs hold now: `suite/arch package trigger`, as the figures name keys. */
  neededKeys(suite = "testing"): Set<string> {
    const keys = new Set<string>();
    for (const upload of this.waiting()) for (const pkg of upload.packages) for (const arch of this.options.arches) keys.add(`${suite}/${arch} ${pkg} ${upload.trigger}`);
    return keys;
  }
}
