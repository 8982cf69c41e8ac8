import { open, rename, unlink, type FileHandle } from "node:fs/promises";
import { join } from "node:path";
import { tempPathFor } from "../store/atomic-write.js";
import { InputError, WriteError } from "../store/errors.js";
import { shareNewFile } from "../store/shared-mode.js";

/**
 * Writes one fetched response into results/ as one or more files ("slices")
 * of at most `maxSliceBytes` each, record texts copied as received, so no
 * file is ever too large to load and no response is held whole. Each slice
 * is `{"since": S, "results": [...], "until": U}`: every slice says it
 * covers from S, only the last says how far (U), the others until S. The
 * last is renamed into place last, so the watermark moves on only once the
 * whole response is on disk; a crash before leaves results that still
 * count and a watermark that asks again.
 */
export class ResultsSlices {
  private readonly temps: string[] = [];
  private handle: FileHandle | null = null;
  private sliceBytes = 0;
  private inSlice = 0;
  private buffered: string[] = [];

  constructor(
    private readonly dir: string,
    private readonly since: number,
    /** The fetch's time, `20261125T120000Z`: two fetches never share a name. */
    private readonly stamp: string,
    private readonly maxSliceBytes: number,
  ) {}

  /** Queues a record's text; `flush` writes what is queued. */
  add(text: string): void {
    this.buffered.push(text);
  }

  /**
   * Writes what is queued. A slice this side cannot write (no permission, a
   * full disk) is this side's trouble, not the network's: it leaves as an
   * error naming the file, which the HTTP layer does not retry (it retries
   * errors carrying an errno code) and the CLI shows as one line, exit 1.
   */
  async flush(): Promise<void> {
    await this.local(() => this.writeQueued());
  }

  private async local(work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (error instanceof InputError || typeof (error as NodeJS.ErrnoException).code !== "string") throw error;
      throw new InputError(new WriteError(this.temps.at(-1) ?? this.dir, error).message);
    }
  }

  private async writeQueued(): Promise<void> {
    if (this.buffered.length === 0) return;
    const records = this.buffered;
    this.buffered = [];
    let out = "";
    for (const text of records) {
      if (this.handle === null || this.sliceBytes >= this.maxSliceBytes) {
        if (out !== "") await this.handle!.write(out);
        out = "";
        await this.closeSlice(this.since);
        await this.openSlice();
      }
      const piece = this.inSlice === 0 ? text : `,${text}`;
      out += piece;
      this.sliceBytes += piece.length;
      this.inSlice++;
      if (out.length > 1 << 20) {
        await this.handle!.write(out);
        out = "";
      }
    }
    if (out !== "") await this.handle!.write(out);
  }

  /** Closes the last slice with `until` and renames every slice into place, the last one last. Returns the files. */
  async finish(until: number): Promise<string[]> {
    await this.flush();
    await this.local(async () => {
      if (this.handle === null) await this.openSlice(); // an empty answer is a file too: it records the window asked
      await this.closeSlice(until);
    });
    const base = `debci-${this.since}-${until}-${this.stamp}`;
    const names = this.temps.map((_, i) => (this.temps.length === 1 ? `${base}.json` : `${base}-${i + 1}.json`));
    for (let i = 0; i < this.temps.length; i++) await rename(this.temps[i]!, join(this.dir, names[i]!));
    this.temps.length = 0;
    await syncDir(this.dir);
    return names.map((name) => join(this.dir, name));
  }

  /** Removes every temporary slice: a failed attempt leaves nothing behind. */
  async abort(): Promise<void> {
    await this.handle?.close().catch(() => undefined);
    this.handle = null;
    this.buffered = [];
    for (const temp of this.temps) await unlink(temp).catch(() => undefined);
    this.temps.length = 0;
  }

  private async openSlice(): Promise<void> {
    const temp = tempPathFor(join(this.dir, `debci-${this.since}-slice${this.temps.length + 1}.json`));
    this.temps.push(temp);
    this.handle = await open(temp, "wx");
    await shareNewFile(temp, this.handle); // in a shared state, group-writable before it is ever renamed into place
    await this.handle.write(`{"since":${this.since},"results":[`);
    this.sliceBytes = 0;
    this.inSlice = 0;
  }

  private async closeSlice(until: number): Promise<void> {
    if (this.handle === null) return;
    await this.handle.write(`],"until":${until}}\n`);
    await this.handle.sync();
    await this.handle.close();
    this.handle = null;
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r").catch(() => null);
  await handle?.sync().catch(() => undefined);
  await handle?.close();
}
