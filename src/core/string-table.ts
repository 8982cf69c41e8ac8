/**
 * Interned strings: the few thousand package, arch, suite, version and
 * trigger names are stored once, and runs refer to them by number.
 * Id 0 stands for null.
 */
export class StringTable {
  private readonly ids = new Map<string, number>();
  private readonly values: string[] = [""];

  intern(value: string | null): number {
    if (value === null) return 0;
    let id = this.ids.get(value);
    if (id === undefined) {
      id = this.values.length;
      this.values.push(value);
      this.ids.set(value, id);
    }
    return id;
  }

  /** The id of a string already interned, without interning it. */
  find(value: string): number | undefined {
    return this.ids.get(value);
  }

  get(id: number): string | null {
    return id === 0 ? null : this.values[id]!;
  }

  get size(): number {
    return this.values.length - 1;
  }

  /** Every string, in id order (id 1 first), to be written out and read back with `adopt`. */
  all(): readonly string[] {
    return this.values.slice(1);
  }

  /** Appends strings read back from `all()`, keeping their ids. */
  adopt(values: readonly string[]): void {
    for (const value of values) {
      this.ids.set(value, this.values.length);
      this.values.push(value);
    }
  }
}
