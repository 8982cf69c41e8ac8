import { Readable, PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { Dispatcher } from "../src/serve/dispatch.js";
import { serveLines } from "../src/serve/line-server.js";
import { LineSplitter } from "../src/store/line-splitter.js";
import { openSession } from "../src/session/session.js";
import { jsonLines } from "./support/cli.js";
import { copyScenarioState, tempDir } from "./support/temp-state.js";

const NOW = Date.parse("2026-11-25T12:00:00Z");

/** Serves `chunks` (exact byte boundaries kept) on a scratch session of a scenario; the response lines. */
async function serve(chunks: Array<string | Buffer>, maxLineBytes?: number): Promise<Array<Record<string, unknown>>> {
  const session = await openSession({ stateDir: copyScenarioState("pass-to-pass"), mode: "scratch", scratchDir: tempDir(), now: NOW });
  const output = new PassThrough();
  let text = "";
  output.on("data", (c) => (text += c));
  try {
    await serveLines(Readable.from(chunks.map((c) => (typeof c === "string" ? Buffer.from(c) : c))), output, new Dispatcher(session), maxLineBytes);
  } finally {
    await session.close();
  }
  return jsonLines(text);
}

describe("serve against hostile input", () => {
  it("dispatches only on its own methods: inherited names are unknown methods, and the server goes on", async () => {
    const names = ["__proto__", "hasOwnProperty", "valueOf", "constructor", "toString", "__defineGetter__"];
    const lines = names.map((m, i) => JSON.stringify({ id: i, method: m })).join("\n");
    const out = await serve([`${lines}\n{"id":99,"method":"status","params":{"package":"baz","trigger":"glibc/2.41-7","arch":"amd64"}}\n`]);
    expect(out.slice(0, names.length)).toEqual(names.map((m, i) => ({ id: i, error: { message: `unknown method ${JSON.stringify(m)}` } })));
    expect(out.at(-1)).toMatchObject({ id: 99, result: { state: "pass" } });
  });

  it("keeps a UTF-8 character split across two reads whole", async () => {
    const line = Buffer.from(`{"id":"é—ü","method":"status","params":{"package":"baz","trigger":"glibc/2.41-7","arch":"amd64"}}\n`);
    const cut = line.indexOf(Buffer.from("—")) + 1; // inside the three bytes of the dash
    const out = await serve([line.subarray(0, cut), line.subarray(cut)]);
    expect(out).toEqual([{ id: "é—ü", result: expect.objectContaining({ package: "baz" }) }]);
  });

  it("answers a line over the limit with an error naming it, without reading it, and goes on", async () => {
    const huge = `{"id":1,"method":"status","params":{"package":"${"x".repeat(3 << 20)}"}}\n`;
    const rest = '{"id":2,"method":"status","params":{"package":"baz","trigger":"glibc/2.41-7","arch":"amd64"}}\n';
    // Fed in 64 KiB reads, as a pipe delivers it.
    const bytes = Buffer.from(huge + rest);
    const chunks: Buffer[] = [];
    for (let i = 0; i < bytes.length; i += 65536) chunks.push(bytes.subarray(i, i + 65536));
    const out = await serve(chunks);
    expect(out).toEqual([{ id: null, error: { message: `line 1: longer than ${1 << 20} bytes: not read` } }, expect.objectContaining({ id: 2, result: expect.objectContaining({ state: "pass" }) })]);
  });

  it("splits lines in one pass, holding no more of an over-long line than the limit", () => {
    const splitter = new LineSplitter(100);
    const lines: Array<string | null> = [];
    for (let i = 0; i < 1000; i++) lines.push(...splitter.push(Buffer.from("y".repeat(64))));
    lines.push(...splitter.push(Buffer.from("\nok\n")));
    expect(lines).toEqual([null, "ok"]);
    expect(splitter.end()).toBeUndefined();
    expect(new LineSplitter(10).push(Buffer.from("a\n\nb"))).toEqual(["a", ""]);
  });
});
