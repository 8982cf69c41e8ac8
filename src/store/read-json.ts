import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";

export type JsonRead = { ok: true; value: unknown } | { ok: false; missing: boolean; problem: string };

/** Reads and parses a JSON file (gzip-compressed when it ends in .gz); never throws for bad content. */
export async function readJsonFile(path: string): Promise<JsonRead> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { ok: false, missing: code === "ENOENT", problem: code === "ENOENT" ? "no such file" : `cannot read: ${(error as Error).message}` };
  }
  if (path.endsWith(".gz")) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      return { ok: false, missing: false, problem: `not valid gzip (truncated download?): ${(error as Error).message}` };
    }
  }
  try {
    return { ok: true, value: JSON.parse(bytes.toString("utf8")) };
  } catch (error) {
    return { ok: false, missing: false, problem: `not valid JSON (truncated download?): ${(error as Error).message}` };
  }
}
