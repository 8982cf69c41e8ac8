/**
 * Splits bytes into lines in linear time: each chunk is searched once for
 * newlines, and a line's bytes are decoded only when it is whole, so a UTF-8
 * character split across reads stays one character. A line longer than
 * `maxBytes` is dropped as it streams (never held) and reported as such.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private overflow = false;

  constructor(private readonly maxBytes: number) {}

  /** The complete lines in this chunk: text, or `null` for a line over the limit. */
  push(chunk: Buffer): Array<string | null> {
    const lines: Array<string | null> = [];
    let from = 0;
    for (let nl = chunk.indexOf(0x0a, from); nl !== -1; nl = chunk.indexOf(0x0a, from)) {
      this.keep(chunk.subarray(from, nl));
      lines.push(this.take());
      from = nl + 1;
    }
    if (from < chunk.length) this.keep(chunk.subarray(from));
    return lines;
  }

  /** What is left after the input ended, if anything. */
  end(): string | null | undefined {
    if (this.size === 0 && !this.overflow) return undefined;
    return this.take();
  }

  private keep(bytes: Buffer): void {
    if (bytes.length === 0) return;
    this.size += bytes.length;
    if (this.size > this.maxBytes) {
      this.overflow = true;
      this.parts = [];
      return;
    }
    if (!this.overflow) this.parts.push(Buffer.from(bytes)); // a copy: the stream may reuse its buffer
  }

  private take(): string | null {
    const line = this.overflow ? null : Buffer.concat(this.parts).toString("utf8");
    this.parts = [];
    this.size = 0;
    this.overflow = false;
    return line;
  }
}
