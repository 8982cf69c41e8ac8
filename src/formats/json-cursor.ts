/**
 * Reading JSON straight from a file's bytes, for a reader that takes what
 * it keeps without JSON.parse (results-scanner.ts). The cursor moves over
 * the bytes and checks them as
 * JSON.parse would: whitespace, strings (escapes, no raw control
 * character), numbers, literals, nesting. Whatever is not JSON, or not
 * what a reader is sure of, throws NOT_SURE, and the reader hands the input
 * to the exact path (JSON.parse and the schema's checks), which decides and
 * words the problem as it always has.
 */

/** Thrown (one object, made once) when the bytes are not what a reader can read: the exact path takes the input. */
export const NOT_SURE = new Error("not sure of these bytes: the exact path reads them");

const EMPTY = Buffer.alloc(0);

/** Bytes that may stand in a JSON string as themselves and end nothing: all but control characters, the quote and the backslash. */
const PLAIN = new Uint8Array(256).map((_, c) => (c >= 0x20 && c !== 0x22 && c !== 0x5c ? 1 : 0));

// Byte values.
export const QUOTE = 0x22;
export const BACKSLASH = 0x5c;
export const COMMA = 0x2c;
export const COLON = 0x3a;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;
export const LETTER_N = 0x6e;

/** Nesting deeper than this in a value skipped: left to JSON.parse. */
const MAX_DEPTH = 64;

export const LITERAL_NULL = Buffer.from("null");
export const LITERAL_TRUE = Buffer.from("true");
export const LITERAL_FALSE = Buffer.from("false");

export class JsonCursor {
  /** Always a Buffer (never a plain Uint8Array too), so every byte read sees one kind of array. */
  protected b: Buffer = EMPTY;
  protected pos = 0;
  protected end = 0;
  /** Set by keptString when the string held an escape or a non-ASCII byte: valid JSON, but not bytes to take as they are. */
  protected odd = false;

  /** Starts on a new input. */
  begin(bytes: Buffer): void {
    this.b = bytes;
    this.pos = 0;
    this.end = bytes.length;
  }

  /** Lets the input go. */
  release(): void {
    this.b = EMPTY;
  }

  /**
   * A string whose bytes may be kept: past its closing quote, returning
   * where its content ends (it starts one past where the quote was). Sets
   * `odd` when it held an escape or a non-ASCII byte (the string is still
   * checked as JSON).
   */
  protected keptString(): number {
    if (this.peek() !== QUOTE) throw NOT_SURE;
    const b = this.b;
    this.odd = false;
    for (let k = this.pos + 1; k < this.end; k++) {
      const c = b[k]!;
      if (c === QUOTE) {
        this.pos = k + 1;
        return k;
      }
      if (c < 0x20) throw NOT_SURE;
      if (c === BACKSLASH || c > 0x7f) {
        this.odd = true;
        this.skipStringFrom(k);
        return this.pos - 1;
      }
    }
    throw NOT_SURE;
  }

  /** A key and its colon: where the key's content ends (see keptString); `odd` as there. */
  protected keyThenColon(): number {
    const to = this.keptString();
    this.ws();
    this.expect(COLON);
    this.ws();
    return to;
  }

  /** Past the rest of a string from byte k within it, checking its escapes and that no control character is raw. */
  protected skipStringFrom(k: number): void {
    const b = this.b;
    const end = this.end;
    for (;;) {
      // Most bytes of a string are plain: one table read each.
      while (k < end && PLAIN[b[k]!] === 1) k++;
      if (k >= end) throw NOT_SURE;
      const c = b[k]!;
      if (c === QUOTE) {
        this.pos = k + 1;
        return;
      }
      if (c < 0x20) throw NOT_SURE;
      // A backslash: a valid escape, or not JSON.
      const e = b[++k];
      if (e === 0x75 /* u */) {
        for (let h = 1; h <= 4; h++) if (!isHex(b[k + h])) throw NOT_SURE;
        k += 5;
      } else if (e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) k++;
      else throw NOT_SURE;
    }
  }

  /** Past any JSON value, checking it as JSON.parse would. */
  protected skipValue(depth: number): void {
    const c = this.peek();
    if (c === QUOTE) return this.skipStringFrom(this.pos + 1);
    if (c === OPEN_BRACE) return this.skipObject(depth + 1);
    if (c === OPEN_BRACKET) return this.skipArray(depth + 1);
    if (c === 0x74) return this.literal(LITERAL_TRUE);
    if (c === 0x66) return this.literal(LITERAL_FALSE);
    if (c === 0x6e) return this.literal(LITERAL_NULL);
    this.skipNumber();
  }

  protected skipObject(depth: number): void {
    if (depth > MAX_DEPTH) throw NOT_SURE;
    if (this.opened(CLOSE_BRACE)) return;
    for (;;) {
      this.ws();
      if (this.peek() !== QUOTE) throw NOT_SURE;
      this.skipStringFrom(this.pos + 1);
      this.ws();
      this.expect(COLON);
      this.ws();
      this.skipValue(depth);
      if (this.endOfList(CLOSE_BRACE)) return;
    }
  }

  protected skipArray(depth: number): void {
    if (depth > MAX_DEPTH) throw NOT_SURE;
    if (this.opened(CLOSE_BRACKET)) return;
    for (;;) {
      this.ws();
      this.skipValue(depth);
      if (this.endOfList(CLOSE_BRACKET)) return;
    }
  }

  /** Past a JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
  protected skipNumber(): void {
    const b = this.b;
    let k = this.pos;
    if (b[k] === 0x2d) k++;
    if (b[k] === 0x30) k++;
    else if (isDigit(b[k])) while (isDigit(b[k])) k++;
    else throw NOT_SURE;
    if (b[k] === 0x2e) {
      k++;
      if (!isDigit(b[k])) throw NOT_SURE;
      while (isDigit(b[k])) k++;
    }
    if (b[k] === 0x65 || b[k] === 0x45) {
      k++;
      if (b[k] === 0x2b || b[k] === 0x2d) k++;
      if (!isDigit(b[k])) throw NOT_SURE;
      while (isDigit(b[k])) k++;
    }
    if (k > this.end) throw NOT_SURE;
    this.pos = k;
  }

  protected literal(word: Buffer): void {
    const b = this.b;
    if (this.pos + word.length > this.end) throw NOT_SURE;
    for (let k = 0; k < word.length; k++) if (b[this.pos + k] !== word[k]) throw NOT_SURE;
    this.pos += word.length;
  }

  /** JSON's whitespace: space, tab, line feed, carriage return. */
  protected ws(): void {
    const b = this.b;
    let k = this.pos;
    for (;;) {
      const c = b[k];
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) k++;
      else break;
    }
    this.pos = k;
  }

  /** Past the opening byte of an object or array (already seen): true when it closes at once (and past its closing byte). */
  protected opened(close: number): boolean {
    this.pos++;
    this.ws();
    if (this.peek() !== close) return false;
    this.pos++;
    return true;
  }

  /** After an item of an object or array: true at its closing byte, false past a comma; anything else is not JSON. */
  protected endOfList(close: number): boolean {
    this.ws();
    const c = this.take();
    if (c === close) return true;
    if (c !== COMMA) throw NOT_SURE;
    return false;
  }

  protected peek(): number {
    if (this.pos >= this.end) throw NOT_SURE;
    return this.b[this.pos]!;
  }

  protected take(): number {
    if (this.pos >= this.end) throw NOT_SURE;
    return this.b[this.pos++]!;
  }

  protected expect(c: number): void {
    if (this.take() !== c) throw NOT_SURE;
  }
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

function isHex(c: number | undefined): boolean {
  return c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));
}

/** The number of a run id written as debci writes it (digits alone, at most 15: a safe integer), or -1 for any other form of a number. */
export function plainWholeNumber(b: Uint8Array, from: number, to: number): number {
  if (to - from > 15 || to === from) return -1;
  let value = 0;
  for (let k = from; k < to; k++) {
    const d = b[k]! - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}
