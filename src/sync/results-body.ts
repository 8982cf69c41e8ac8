import { BadBody, ResponseTooLarge } from "./http.js";

/**
 * Splits a body of `GET /api/v1/test` — `{"until": N, "results": [...]}`,
 * keys in any order, others ignored (debci `lib/debci/api.rb` renders
 * exactly these two) — into its result records as the bytes arrive, so a
 * body of any size is never held whole. It works on bytes: every JSON
 * structural character is ASCII and no byte of a multi-byte UTF-8
 * character is, so a character split across chunks is never cut. Each
 * record's text is handed over whole; JSON.parse then checks it fully.
 */
export class ResultsBodySplitter {
  private state: "start" | "first-key" | "key" | "colon" | "value" | "after-value" | "next-key" | "first-element" | "element" | "after-element" | "end" = "start";
  private capture: ValueCapture | null = null;
  private key = "";
  private sawResults = false;
  /** The body's `until` as sent (unchecked: the caller decides whether to trust it). */
  until: unknown = undefined;
  records = 0;

  constructor(
    private readonly onRecord: (text: string) => void,
    private readonly maxRecordBytes: number,
  ) {}

  push(chunk: Uint8Array): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.capture !== null) {
        const end = this.capture.feed(chunk, i);
        if (end === -1) return;
        i = end;
        this.captured(this.capture.text());
        this.capture = null;
        continue;
      }
      const c = chunk[i]!;
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
        i++;
        continue;
      }
      switch (this.state) {
        case "start":
          this.expect(c, 0x7b, "the body does not start with '{' (not JSON, or an error page?)");
          this.state = "first-key";
          i++;
          break;
        case "first-key":
        case "next-key":
          if (c === 0x7d && this.state === "first-key") {
            this.state = "end";
            i++;
            break;
          }
          this.expect(c, 0x22, "expected a key");
          this.begin(this.maxRecordBytes);
          this.state = "key";
          break;
        case "colon":
          this.expect(c, 0x3a, "expected ':'");
          this.state = "value";
          i++;
          break;
        case "value":
          if (this.key === "results") {
            if (this.sawResults) throw new BadBody("the body has two `results`");
            this.sawResults = true;
            this.expect(c, 0x5b, "`results` is not an array");
            this.state = "first-element";
            i++;
          } else this.begin(this.maxRecordBytes);
          break;
        case "after-value":
          this.state = after(c, 0x7d, "next-key", "end", "expected ',' or '}' after a value");
          i++;
          break;
        case "first-element":
          if (c === 0x5d) {
            this.state = "after-value";
            i++;
          } else this.begin(this.maxRecordBytes);
          break;
        case "element":
          this.begin(this.maxRecordBytes);
          break;
        case "after-element":
          this.state = after(c, 0x5d, "element", "after-value", "expected ',' or ']' between results");
          i++;
          break;
        case "end":
          throw new BadBody("text after the end of the JSON body");
        default:
          throw new BadBody(`unexpected input in state ${this.state}`);
      }
    }
  }

  /** The body ended: anything short of a complete object with `results` is a body cut off. */
  finish(): void {
    if (this.state !== "end" || this.capture !== null) throw new BadBody("the response is not complete JSON (cut off?)");
    if (!this.sawResults) throw new BadBody("no results array in the response");
  }

  private expect(c: number, wanted: number, problem: string): void {
    if (c !== wanted) throw new BadBody(problem);
  }

  private begin(max: number): void {
    this.capture = new ValueCapture(max);
  }

  private captured(text: string): void {
    switch (this.state) {
      case "key":
        this.key = JSON.parse(text) as string;
        this.state = "colon";
        return;
      case "value":
        // Only `until` is kept; other keys are ignored, never assigned by name.
        if (this.key === "until") this.until = parseOrBad(text, "`until`");
        else parseOrBad(text, `\`${this.key}\``);
        this.state = "after-value";
        return;
      default:
        this.records++;
        this.onRecord(text);
        this.state = "after-element";
    }
  }
}

/** After a value inside an object or array: a comma leads to the next one, the closing bracket out. */
function after<S>(c: number, close: number, next: S, out: S, problem: string): S {
  if (c === 0x2c) return next;
  if (c === close) return out;
  throw new BadBody(problem);
}

function parseOrBad(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BadBody(`${what} is not valid JSON: ${(error as Error).message}`);
  }
}

/** One JSON value's bytes, found by tracking strings and nesting; scalars end at the next delimiter. */
class ValueCapture {
  private readonly parts: Uint8Array[] = [];
  private size = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private kind: "unknown" | "string" | "nested" | "scalar" = "unknown";

  constructor(private readonly max: number) {}

  /** Consumes from `from`; returns where the value ended (exclusive), or -1 when it needs more bytes. */
  feed(chunk: Uint8Array, from: number): number {
    let i = from;
    const n = chunk.length;
    for (; i < n; i++) {
      const c = chunk[i]!;
      if (this.kind === "unknown") {
        this.kind = c === 0x22 ? "string" : c === 0x7b || c === 0x5b ? "nested" : "scalar";
        if (this.kind === "string") this.inString = true;
        else if (this.kind === "nested") this.depth = 1;
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) {
          this.inString = false;
          if (this.kind === "string") return this.keep(chunk, from, i + 1);
        }
        continue;
      }
      if (this.kind === "scalar") {
        if (c === 0x2c || c === 0x5d || c === 0x7d || c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) return this.keep(chunk, from, i);
        continue;
      }
      if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) this.depth++;
      else if (c === 0x7d || c === 0x5d) {
        if (--this.depth === 0) return this.keep(chunk, from, i + 1);
      }
    }
    this.keep(chunk, from, n);
    return -1;
  }

  text(): string {
    return Buffer.concat(this.parts).toString("utf8");
  }

  private keep(chunk: Uint8Array, from: number, to: number): number {
    this.size += to - from;
    if (this.size > this.max) throw new ResponseTooLarge(`one value of the response is over ${this.max} bytes: not a debci result record`);
    // A copy: the chunk's memory belongs to the stream and may be reused.
    this.parts.push(chunk.slice(from, to));
    return to;
  }
}
