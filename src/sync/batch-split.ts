import type { BatchBody, BatchTest } from "../core/types.js";

/** One test request of a batch: one suite, one arch, one test. */
export interface BatchEntry {
  suite: string;
  arch: string;
  test: BatchTest;
}

export interface Refusal {
  entry: BatchEntry;
  message: string;
}

/**
 * What the service said of a batch's entries so far. Filled in as answers
 * arrive, so what a 201 confirmed is known even when a later POST fails.
 */
export interface Delivery {
  accepted: BatchEntry[];
  refused: Refusal[];
  posts: number;
}

export const newDelivery = (): Delivery => ({ accepted: [], refused: [], posts: 0 });

/** A batch body as single entries, in order (groups, then arches, then tests: as debci walks it). */
export function entriesOf(body: BatchBody): BatchEntry[] {
  const out: BatchEntry[] = [];
  for (const group of body) for (const arch of group.arch) for (const test of group.tests) out.push({ suite: group.suite, arch, test });
  return out;
}

/** Entries back into a batch body, one group per suite and arch, in first-seen order. */
export function bodyOf(entries: readonly BatchEntry[]): BatchBody {
  const groups = new Map<string, BatchBody[number]>();
  for (const e of entries) {
    const id = `${e.suite}\u0000${e.arch}`;
    let group = groups.get(id);
    if (group === undefined) {
      group = { suite: e.suite, arch: [e.arch], tests: [] };
      groups.set(id, group);
    }
    group.tests.push(e.test);
  }
  return [...groups.values()];
}

/** debci's own package-name rule (`lib/debci/test_handler.rb`, valid_package_name?), applied to the whole name. */
const DEBCI_PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;

/**
 * A suite or arch name that can stand as one segment of a URL path: the
 * per-suite route puts both there (`POST /api/v1/test/SUITE/ARCH`), and a
 * name like `..` or `a/b` would address another route.
 */
const PATH_SEGMENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._+~-]*$/;

/** What the service would refuse, found before sending: a bad package name, or a suite or arch it does not run (when configured). */
export function localProblem(entry: BatchEntry, suites: readonly string[] | null, arches: readonly string[] | null): string | null {
  if (!DEBCI_PACKAGE_NAME.test(entry.test.package)) return `refused before sending: invalid package name ${JSON.stringify(entry.test.package)} (debci accepts ${DEBCI_PACKAGE_NAME.source})`;
  if (!PATH_SEGMENT_NAME.test(entry.suite)) return `refused before sending: suite ${JSON.stringify(entry.suite)} is not a suite name (${PATH_SEGMENT_NAME.source})`;
  if (!PATH_SEGMENT_NAME.test(entry.arch)) return `refused before sending: arch ${JSON.stringify(entry.arch)} is not an arch name (${PATH_SEGMENT_NAME.source})`;
  if (suites !== null && !suites.includes(entry.suite)) return `refused before sending: suite ${JSON.stringify(entry.suite)} is not one the service runs (serviceSuites in debci-bridge.json: ${suites.join(", ")})`;
  if (arches !== null && !arches.includes(entry.arch)) return `refused before sending: arch ${JSON.stringify(entry.arch)} is not one the service runs (serviceArches in debci-bridge.json: ${arches.join(", ")})`;
  return null;
}

/**
 * A refusal that names the part's suite or arch rather than one entry. On
 * the per-suite route (`lib/debci/api.rb`, `before '/test/:suite/:arch*'`)
 * every entry of a POST shares them, so the whole part is refused at once:
 * "Invalid architecture: X" / "Invalid suite: X". On the batch route
 * (`lib/debci/test_handler.rb`, validate_batch_test) the message names a
 * request index: "Wrong suite (X) at request index N" / "Wrong archs (...)".
 */
function suiteOrArchRefusal(message: string): "suite" | "arch" | null {
  if (/Wrong suite \(/.test(message) || /No suite at/.test(message) || /Invalid suite: /.test(message)) return "suite";
  if (/Wrong archs \(/.test(message) || /No archs/.test(message) || /Invalid architecture: /.test(message)) return "arch";
  return null;
}

/**
 * Sends `entries`, and where the service refuses a part (debci refuses a
 * whole POST for one bad entry: `lib/debci/api.rb`, POST /test/batch and
 * POST /test/:suite/:arch), sends its halves, down to single entries, so
 * every acceptable entry is delivered and only the refused ones are left.
 * A refusal for a suite or arch refuses the other entries of that suite or
 * arch without asking again; on the per-suite route (`samePlace`: every
 * entry of a part has one suite and arch) it refuses the part whole.
 */
export async function sendSplitting(entries: readonly BatchEntry[], post: (part: readonly BatchEntry[]) => Promise<string | null>, samePlace = false, into: Delivery = newDelivery()): Promise<Delivery> {
  const { accepted, refused } = into;
  const badSuites = new Map<string, string>();
  const badArches = new Map<string, string>();
  const known = (e: BatchEntry) => badSuites.get(e.suite) ?? badArches.get(e.arch);
  async function send(part: readonly BatchEntry[]): Promise<void> {
    const live: BatchEntry[] = [];
    for (const e of part) {
      const message = known(e);
      if (message === undefined) live.push(e);
      else refused.push({ entry: e, message });
    }
    if (live.length === 0) return;
    into.posts++;
    const message = await post(live);
    if (message === null) {
      accepted.push(...live);
      return;
    }
    const about = suiteOrArchRefusal(message);
    if (live.length === 1 || (samePlace && about !== null)) {
      for (const e of live) refused.push({ entry: e, message });
      const e = live[0]!;
      if (about === "suite") badSuites.set(e.suite, message);
      else if (about === "arch") badArches.set(e.arch, message);
      return;
    }
    const mid = Math.ceil(live.length / 2);
    await send(live.slice(0, mid));
    await send(live.slice(mid));
  }
  await send(entries);
  return into;
}
