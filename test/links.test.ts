import { describe, expect, it } from "vitest";
import { srchash } from "../src/core/links.js";
import { jsonLines, runCli } from "./support/cli.js";
import { TESTDATA, tempDir } from "./support/temp-state.js";
import { join } from "node:path";

const NOW = "2026-11-25T12:00:00Z";
const NEEDS = join(TESTDATA, "demo", "needs.jsonl");

describe("links, as britney2 puts them on its excuses (britney2/policies/autopkgtest.py, file mode, ADT_RETRY_URL_MECH = run_id)", () => {
  it("with --ci-url: the log and history of each test, a retry (and the baseline's) beside a REGRESSION or NEUTRAL", async () => {
    const run = await runCli(["plan", "--state", join(TESTDATA, "demo", "state"), "--needs", NEEDS, "--now", NOW, "--scratch", tempDir(), "--ci-url", "https://ci.debian.net/"]);
    expect(run.code, run.stderr).toBe(0);
    const answers = jsonLines(run.stdout);
    const of = (pkg: string, arch: string) => answers.find((a) => a.package === pkg && a.arch === arch)!;
    const qux = of("qux", "amd64");
    expect(qux).toMatchObject({ label: "REGRESSION", runId: 5021 });
    expect(qux.links).toEqual({
      log: "https://ci.debian.net/data/autopkgtest/testing/amd64/q/qux/5021/log.gz",
      history: "https://ci.debian.net/packages/q/qux/testing/amd64",
      retry: "https://ci.debian.net/api/v1/retry/5021",
      referenceLog: expect.stringMatching(/^https:\/\/ci\.debian\.net\/data\/autopkgtest\/testing\/amd64\/q\/qux\/\d+\/log\.gz$/),
      referenceRetry: expect.stringMatching(/^https:\/\/ci\.debian\.net\/api\/v1\/retry\/\d+$/),
    });
    // A test still running links to the pending page; a pass has no retry; a reject-listed one, no links at all.
    const running = answers.find((a) => a.label === "RUNNING" && a.runId === undefined)!;
    expect(running.links).toMatchObject({ log: "https://ci.debian.net/status/pending" });
    expect((of("baz", "amd64").links as Record<string, string>).retry).toBeUndefined();
    expect(of("flaky-thing", "amd64").links).toBeUndefined();
    expect(srchash("libfoo")).toBe("libf");
    expect(srchash("glibc")).toBe("g");
  });

  it("without a CI address, answers carry no links; an address with credentials or not http(s) is refused", async () => {
    const run = await runCli(["plan", "--state", join(TESTDATA, "demo", "state"), "--needs", NEEDS, "--now", NOW, "--scratch", tempDir()]);
    expect(jsonLines(run.stdout).every((a) => a.links === undefined)).toBe(true);
    for (const bad of ["https://user:secret@ci.debian.net/", "ftp://ci.debian.net/", "not a url"]) {
      const refused = await runCli(["status", "--state", join(TESTDATA, "demo", "state"), "--package", "qux", "--trigger", "glibc/2.41-7", "--arch", "amd64", "--ci-url", bad]);
      expect(refused.code, bad).toBe(1);
      expect(refused.stderr).toContain("--ci-url");
      expect(refused.stderr).not.toContain("secret");
    }
  });
});
