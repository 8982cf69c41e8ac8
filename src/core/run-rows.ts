/**
 * The row of each run id met in results files: a direct-address table over
 * a window of run ids, with a Map only for ids far outside it. debci
 * numbers its runs in one increasing sequence, so the ids a state holds are
 * dense (a million runs span about a million ids): one typed-array read per
 * record instead of a Map probe, and 4 bytes a run instead of a Map entry.
 * The window grows only while it stays within a few times the rows it
 * holds, so a hostile spread of ids (0 and 9e15) costs a Map entry each,
 * never a huge table.
 */
const MIN_WINDOW = 1 << 16;
/** The window may span this many ids per row held (and MIN_WINDOW at least). */
const SPAN_PER_ROW = 8;

export class RunRows {
  /** The run id window[0] stands for. */
  private low = 0;
  /** row + 1 by run id - low; 0 for none. */
  private window = new Int32Array(0);
  private readonly outside = new Map<number, number>();
  private held = 0;

  get(runId: number): number | undefined {
    const at = runId - this.low;
    if (at >= 0 && at < this.window.length) {
      const row = this.window[at]! - 1;
      return row < 0 ? undefined : row;
    }
    return this.outside.size === 0 ? undefined : this.outside.get(runId);
  }

  /** Notes a run id new to the table (get returned undefined). */
  set(runId: number, row: number): void {
    this.held++;
    const at = runId - this.low;
    if (at >= 0 && at < this.window.length) {
      this.window[at] = row + 1;
      return;
    }
    if (this.widen(runId)) this.window[runId - this.low] = row + 1;
    else this.outside.set(runId, row);
  }

  /** Grows the window to hold runId when the span stays bounded; false when it would not. */
  private widen(runId: number): boolean {
    const limit = Math.max(MIN_WINDOW, this.held * SPAN_PER_ROW);
    if (this.window.length === 0) {
      // Ids mostly rise (files are read oldest first): room above, a little below.
      this.low = Math.max(0, runId - 1024);
      this.window = new Int32Array(MIN_WINDOW);
      return true;
    }
    const low = Math.min(this.low, runId);
    const high = Math.max(this.low + this.window.length, runId + 1);
    if (high - low > limit) return false;
    const size = Math.min(limit, Math.max(high - low, this.window.length * 2));
    const newLow = runId < this.low ? Math.max(0, high - size) : this.low;
    const next = new Int32Array(size);
    next.set(this.window, this.low - newLow);
    this.low = newLow;
    this.window = next;
    return true;
  }
}
