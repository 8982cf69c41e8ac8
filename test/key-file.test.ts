import { chmodSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadApiKey } from "../src/sync/credentials.js";
import { runCli } from "./support/cli.js";
import { tempDir } from "./support/temp-state.js";

/** The API key file as a timer's journal shows its problems: one line naming the file and what to put there, never the key. */
describe("the API key file", () => {
  it("a missing key file is one line naming it and what to put in it", async () => {
    const missing = join(tempDir(), "api-key");
    await expect(loadApiKey(missing, {}, () => undefined)).rejects.toThrow(`--key-file ${missing}: no such file; put the API key debci gave you in it, on one line, readable by this user only (chmod 600)`);
    const state = tempDir();
    const run = await runCli(["fetch", "--state", state, "--url", "http://127.0.0.1:9", "--key-file", missing]);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split("\n")).toEqual([`debci-bridge fetch: --key-file ${missing}: no such file; put the API key debci gave you in it, on one line, readable by this user only (chmod 600)`]);
  });

  it("a key file others may read is warned about, without the key", async () => {
    const file = join(tempDir(), "api-key");
    writeFileSync(file, "0f0e0d0c-secret-key\n");
    chmodSync(file, 0o644);
    const warnings: string[] = [];
    expect(await loadApiKey(file, {}, (w) => warnings.push(w))).toEqual({ key: "0f0e0d0c-secret-key", source: `--key-file ${file}` });
    expect(warnings).toEqual([`--key-file ${file} can be read by group or others (mode 644): chmod 600 it`]);
  });
});
