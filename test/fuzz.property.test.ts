import fc from "fast-check";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, spawnCliMeasured, type CliResult } from "./support/cli.js";
import { SCENARIOS, TESTDATA, snapshotTree, tempDir } from "./support/temp-state.js";

/**
 * A standing fuzz test: generated garbage thrown at every input the module
 * reads. Whatever comes in: exit 0, 1 or 2, no stack trace, the state byte
 * for byte as it was (every run here is a scratch or read-only one), and
 * (for one sample of each, in a real process) bounded peak memory.
 */

const NOW = "2026-11-25T12:00:00Z";
const NEEDS = join(SCENARIOS, "pass-to-pass", "needs.jsonl");
let samples: Record<string, string>;
let base: string;
let root: string;
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A state with every kind of file in it, valid, to start each case from. */
beforeAll(async () => {
  // Not tempDir(): that is removed after each test, and this state serves them all.
  root = mkdtempSync(join(tmpdir(), "debci-bridge-fuzz-"));
  base = join(root, "state");
  cpSync(join(SCENARIOS, "pass-to-pass", "state"), base, { recursive: true });
  cpSync(join(SCENARIOS, "reject-listed", "state", "reject-list.json"), join(base, "reject-list.json"));
  expect((await runCli(["plan", "--state", base, "--needs", join(SCENARIOS, "new-package", "needs.jsonl"), "--now", NOW])).code).toBe(0);
  const results = readdirSync(join(base, "results"))[0]!;
  expect((await runCli(["compact", "--state", base, "--now", NOW])).code).toBe(0);
  // The raw file stays beside the base under another name, so both are read.
  cpSync(join(SCENARIOS, "pass-to-pass", "state", "results", results), join(base, "results", "late.json"));
  writeFileSync(join(base, "debci-bridge.json"), JSON.stringify({ graceMinutes: 30, baseline: "reference" }));
  const outbox = readdirSync(join(base, "outbox")).find((n) => n.endsWith(".json"))!;
  samples = {
    needs: readFileSync(NEEDS, "utf8"),
    results: readFileSync(join(base, "results", "late.json"), "utf8"),
    pending: readFileSync(join(base, "pending.json"), "utf8"),
    ledger: readFileSync(join(base, "requested.json"), "utf8"),
    "reject-list": readFileSync(join(base, "reject-list.json"), "utf8"),
    settings: readFileSync(join(base, "debci-bridge.json"), "utf8"),
    // Bytes carried in a string one char per byte (latin1), so garbage can be spliced into the binary base.
    base: readFileSync(join(base, "compacted.base"), "latin1"),
    "legacy-base": readFileSync(join(TESTDATA, "legacy-base", "compacted.jsonl"), "utf8"),
    outbox: readFileSync(join(base, "outbox", outbox), "utf8"),
    amqp: readFileSync(join(TESTDATA, "britney2-files", "debci.input"), "utf8"),
    serve: '{"id":1,"method":"status","params":{"package":"baz","trigger":"glibc/2.41-7","arch":"amd64"}}\n{"id":2,"method":"need","params":{"package":"baz","trigger":"glibc/2.41-7","arch":"arm64"}}\n{"id":3,"method":"report"}\n',
  };
});

/** Garbage shaped from a valid sample: cut, spliced, bytes flipped; or any JSON; or any text; or a known trap. */
const garbage = (sample: () => string) =>
  fc.oneof(
    fc.nat().map((n) => sample().slice(0, n % (sample().length + 1))),
    fc.tuple(fc.nat(), fc.nat({ max: 40 }), fc.string({ unit: "binary", maxLength: 20 })).map(([at, cut, insert]) => {
      const s = sample();
      const i = at % (s.length + 1);
      return s.slice(0, i) + insert + s.slice(i + cut);
    }),
    fc.tuple(fc.nat(), fc.constantFrom("-1", "1e400", "null", '"x"', "[]", "{}", '"__proto__"', "99999999999999999999", '"9999-99-99T99:99:99Z"', '"+275760-09-13T00:00:00Z"', "true")).map(([at, token]) => {
      // Replace one value of the sample by a hostile one.
      const s = sample();
      const values = [...s.matchAll(/:\s*("[^"]*"|-?\d[\d.eE+-]*|null|true|false)/g)];
      if (values.length === 0) return s;
      const m = values[at % values.length]!;
      const start = m.index! + m[0].indexOf(m[1]!);
      return s.slice(0, start) + token + s.slice(start + m[1]!.length);
    }),
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
    fc.string({ unit: "binary", maxLength: 200 }),
    fc.constantFrom('{"id":1,"method":"__proto__"}', '{"id":2,"method":"constructor","params":{}}', '{"id":3,"method":"hasOwnProperty"}', '{"id":4,"method":"status","params":{"__proto__":{"package":"x"}}}'),
    fc.constantFrom('{"__proto__": {"polluted": 1}, "results": []}', '{"constructor": {"prototype": {"x": 1}}}', `${"[".repeat(20_000)}${"]".repeat(20_000)}`, '{"results": [{"run_id": 1e400}]}', "\u0000\u0001\u0002", "\uFEFF{}", '{"results": null}', '{"until": 1e300, "results": []}'),
  );

type Target = keyof typeof placements;

/** Where each input goes, and the command that reads it. Every command is scratch or read-only. */
const placements = {
  needs: (state: string, text: string) => (writeFileSync(join(state, "..", "needs.jsonl"), text), ["plan", "--needs", join(state, "..", "needs.jsonl")]),
  results: (state: string, text: string) => (writeFileSync(join(state, "results", "fuzz.json"), text), ["plan", "--needs", NEEDS]),
  "results.gz": (state: string, text: string) => (writeFileSync(join(state, "results", "fuzz.json.gz"), text.length % 3 === 0 ? text : gzipSync(text)), ["plan", "--needs", NEEDS]),
  pending: (state: string, text: string) => (writeFileSync(join(state, "pending.json"), text), ["plan", "--needs", NEEDS]),
  ledger: (state: string, text: string) => (writeFileSync(join(state, "requested.json"), text), ["plan", "--needs", NEEDS]),
  "reject-list": (state: string, text: string) => (writeFileSync(join(state, "reject-list.json"), text), ["plan", "--needs", NEEDS]),
  settings: (state: string, text: string) => (writeFileSync(join(state, "debci-bridge.json"), text), ["report"]),
  base: (state: string, text: string) => (writeFileSync(join(state, "compacted.base"), Buffer.from(text, "latin1")), ["plan", "--needs", NEEDS]),
  "legacy-base": (state: string, text: string) => (rmSync(join(state, "compacted.base")), writeFileSync(join(state, "compacted.jsonl"), text), ["plan", "--needs", NEEDS]),
  outbox: (state: string, text: string) => (writeFileSync(join(state, "outbox", "20261125T110000Z-fuzz0000.json"), text), ["plan", "--needs", NEEDS]),
  amqp: (state: string, text: string) => (writeFileSync(join(state, "..", "debci.input"), text), ["import-amqp", join(state, "..", "debci.input")]),
  serve: (_state: string, _text: string) => ["serve"],
} as const;

const SAMPLE_OF: Record<Target, string> = { needs: "needs", results: "results", "results.gz": "results", pending: "pending", ledger: "ledger", "reject-list": "reject-list", settings: "settings", base: "base", "legacy-base": "legacy-base", outbox: "outbox", amqp: "amqp", serve: "serve" };

/** A fresh copy of the base state with the garbage in place, and the full command line. */
function prepare(target: Target, text: string): { state: string; args: string[]; stdin: string } {
  const root = tempDir("debci-bridge-fuzz-case-");
  const state = join(root, "state");
  cpSync(base, state, { recursive: true });
  const [command, ...rest] = placements[target](state, text);
  const scratch = command === "report" ? [] : ["--scratch", join(root, "scratch")];
  return { state, args: [command!, "--state", state, "--now", NOW, ...scratch, ...rest], stdin: target === "serve" ? text : "" };
}

function check(run: CliResult, before: Record<string, string>, state: string): void {
  expect([0, 1, 2], run.stderr).toContain(run.code);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(snapshotTree(state)).toEqual(before);
}

describe("garbage in any input: a clear exit, no stack trace, nothing changed", () => {
  const targets = Object.keys(placements) as Target[];
  it.each(targets)("%s", async (target) => {
    await fc.assert(
      fc.asyncProperty(garbage(() => samples[SAMPLE_OF[target]]!), async (text) => {
        const { state, args, stdin } = prepare(target, text);
        const before = snapshotTree(state);
        const run = await runCli(args, stdin);
        check(run, before, state);
        if (target === "serve") {
          expect(run.code).toBe(0);
          // Every line of input that is not blank gets exactly one answer, in JSON.
          const asked = text.split("\n").filter((l, i, all) => l.trim() !== "" && (i < all.length - 1 || l.trim() !== "")).length;
          const answered = run.stdout.split("\n").filter((l) => l !== "");
          for (const line of answered) JSON.parse(line);
          expect(answered.length).toBe(asked);
        }
        rmSync(join(state, ".."), { recursive: true, force: true });
      }),
      { numRuns: 30 },
    );
  });

  it("results reusing a run id as another run: exit 0, a warning naming the run, the answers of the state without them; --strict refuses", async () => {
    // The late file again, each record kept, dropped, or given to another run (another suite, arch, package or trigger string, null included).
    const another = fc.oneof(fc.constant({ suite: "unstable" }), fc.constantFrom("arm64", "i386").map((arch) => ({ arch })), fc.constant({ package: "qux" }), fc.constantFrom(null, "gcc-14/14.2.0-5", "glibc/2.41-7 gcc-14/14.2.0-5").map((trigger) => ({ trigger })));
    const changes = fc.array(fc.oneof(fc.constant("keep" as const), fc.constant("drop" as const), another), { minLength: 2, maxLength: 2 });
    const { results } = JSON.parse(samples.results!) as { results: Array<Record<string, unknown>> };
    // The same records again change nothing: the answers every case must give.
    const expected = await runCli(prepare("results", JSON.stringify({ results })).args);
    expect(expected.code, expected.stderr).toBe(0);
    await fc.assert(
      fc.asyncProperty(changes, async (change) => {
        const records = results.flatMap((r, i) => (change[i] === "drop" ? [] : change[i] === "keep" ? [r] : [{ ...r, ...(change[i] as object), status: "fail", updated_at: "2026-11-25T11:00:00Z" }]));
        const reused = results.filter((r, i) => typeof change[i] === "object" && Object.entries(change[i] as object).some(([k, v]) => r[k] !== v));
        const { state, args } = prepare("results", JSON.stringify({ results: records }));
        const before = snapshotTree(state);
        const run = await runCli(args);
        check(run, before, state);
        expect(run.code, run.stderr).toBe(0);
        // The base's runs stand: every answer as without the file.
        expect(run.stdout).toBe(expected.stdout);
        // One line for the file: the first record of another run named, all of them counted.
        const counted = reused.length === 1 ? "" : `${reused.length} records skipped, their run ids known as other runs; first: `;
        if (reused.length > 0) expect(run.stderr).toMatch(new RegExp(`fuzz\\.json: ${counted}results\\[\\d\\]: run ${reused[0]!.run_id} is .* in the compacted base \\(debci never reuses a run id\\)`));
        if (reused.length === 0) expect(run.stderr).not.toContain("debci never reuses a run id");
        else expect((await runCli([...args, "--strict"])).code).toBe(1);
        rmSync(join(state, ".."), { recursive: true, force: true });
      }),
      { numRuns: 20 },
    );
  });

  it("one real process per input: peak memory stays bounded", async () => {
    for (const target of targets) {
      const [text] = fc.sample(garbage(() => samples[SAMPLE_OF[target]]!), { numRuns: 1, seed: 42 });
      const { state, args } = prepare(target, text!);
      const before = snapshotTree(state);
      const run = await spawnCliMeasured(args);
      check(run, before, state);
      expect(run.peakRssBytes, target).toBeLessThan(512 * 2 ** 20);
    }
  });
});
