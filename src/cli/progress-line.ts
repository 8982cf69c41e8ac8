import type { Writable } from "node:stream";
import type { ProgressReporter } from "../store/progress.js";

/**
 * One line of progress on a terminal's stderr, rewritten in place (at most
 * ten times a second), and wiped when the work is done or the command
 * ends, so what the command says after it starts on a clean line.
 */
export function progressLine(stream: Writable, command: string, now: () => number = Date.now): { report: ProgressReporter; end: () => void } {
  let shown = false;
  let last = 0;
  const wipe = () => {
    if (shown) stream.write("\r\u001b[K");
    shown = false;
  };
  const report: ProgressReporter = (what, done, total) => {
    if (total !== null && done >= total) return wipe();
    const t = now();
    if (shown && t - last < 100) return;
    last = t;
    stream.write(`\r\u001b[Kdebci-bridge ${command}: ${what} ${total === null ? done : `${done}/${total}`}`);
    shown = true;
  };
  return { report, end: wipe };
}
