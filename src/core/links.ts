import type { AnswerLinks, LabelledAnswer } from "./answer-shapes.js";

/** What the links need of the baseline (a BaselineAnswer is one). */
interface BaselineRun {
  result: string;
  runId?: number;
  mode: "reference" | "any";
}

/** britney2's srchash: the archive's prefix of a source ("libf" for libfoo, "g" for glibc). */
export function srchash(source: string): string {
  return source.startsWith("lib") ? source.slice(0, 4) : source.slice(0, 1);
}

/**
 * The links britney2 puts on its excuses for a test (apply_src_policy_impl
 * and pkg_test_result in britney2/policies/autopkgtest.py, Debian's file
 * mode, ADT_RETRY_URL_MECH = run_id): the log at
 * `data/autopkgtest/SUITE/ARCH/HASH/SOURCE/RUN/log.gz` (`status/pending`
 * while running), the history at `packages/HASH/SOURCE/SUITE/ARCH`, and for
 * a REGRESSION or NEUTRAL the retry `api/v1/retry/RUN` and the baseline's
 * log and (under the reference baseline) retry. None for a test that will
 * not run (no label).
 */
export function linksFor(ciUrl: string, answer: LabelledAnswer, baseline: BaselineRun): AnswerLinks | undefined {
  if (answer.label === null) return undefined;
  const base = ciUrl.endsWith("/") ? ciUrl : `${ciUrl}/`;
  const [suite, arch, pkg] = [answer.suite, answer.arch, answer.package].map(encodeURIComponent) as [string, string, string];
  const hash = encodeURIComponent(srchash(answer.package));
  const logOf = (runId: number) => `${base}data/autopkgtest/${suite}/${arch}/${hash}/${pkg}/${runId}/log.gz`;
  const links: AnswerLinks = { log: answer.runId === undefined ? `${base}status/pending` : logOf(answer.runId), history: `${base}packages/${hash}/${pkg}/${suite}/${arch}` };
  if ((answer.label === "REGRESSION" || answer.label === "NEUTRAL") && answer.runId !== undefined) {
    links.retry = `${base}api/v1/retry/${answer.runId}`;
    if (baseline.result !== "NONE" && baseline.runId !== undefined) {
      links.referenceLog = logOf(baseline.runId);
      if (baseline.mode === "reference") links.referenceRetry = `${base}api/v1/retry/${baseline.runId}`;
    }
  }
  return links;
}
