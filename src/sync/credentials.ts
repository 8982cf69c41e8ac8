import { readFile, stat } from "node:fs/promises";
import { InputError } from "../store/errors.js";
import { processUser } from "../store/process-user.js";
import { shownUrl } from "./http.js";

/** The API key and where it came from; messages name the source, never the key. */
export interface ApiKey {
  key: string;
  source: string;
}

/** The longest a key file may be: debci's keys are UUIDs. */
const MAX_KEY_FILE_BYTES = 4096;

/**
 * The API key: `--key-file F`, else `$DEBCI_API_KEY`, else none. A key with
 * a control character (a CR or LF inside it) would be refused by the HTTP
 * layer with the key in the message, so it is refused here without it. A
 * key file that group or others may read gets a warning.
 */
export async function loadApiKey(file: string | undefined, env: NodeJS.ProcessEnv, warn: (line: string) => void): Promise<ApiKey | undefined> {
  let key: string;
  let source: string;
  if (file !== undefined) {
    source = `--key-file ${file}`;
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new InputError(`${source}: not a regular file`);
      if (info.size > MAX_KEY_FILE_BYTES) throw new InputError(`${source}: ${info.size} bytes, too large for an API key`);
      if ((info.mode & 0o077) !== 0) warn(`${source} can be read by group or others (mode ${(info.mode & 0o777).toString(8)}): chmod 600 it`);
      key = await readFile(file, "utf8");
    } catch (error) {
      if (error instanceof InputError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      // One line naming the file and what to do, never a bare errno: this is what a timer's journal shows.
      if (code === "ENOENT") throw new InputError(`${source}: no such file; put the API key debci gave you in it, on one line, readable by this user only (chmod 600)`);
      if (code === "EACCES" || code === "EPERM") throw new InputError(`${source}: cannot be read by ${processUser()}; make it this user's and mode 600 (chown ${processUser()} ${file}; chmod 600 ${file})`);
      throw new InputError(`${source}: cannot be read (${code ?? (error as Error).message})`);
    }
  } else {
    const fromEnv = env.DEBCI_API_KEY;
    if (fromEnv === undefined || fromEnv === "") return undefined;
    source = "$DEBCI_API_KEY";
    key = fromEnv;
  }
  // One trailing line break is how files end; anything else is part of the key.
  key = key.replace(/\r?\n$/, "").trim();
  if (key === "") throw new InputError(`${source}: the API key is empty`);
  if (/[\u0000-\u001f\u007f]/.test(key)) throw new InputError(`${source}: the API key contains a control character (a line break inside it?); not sent`);
  return { key, source };
}

/** `--url`: http or https, no credentials (the key goes in a header, and a URL is printed in messages). */
export function serviceUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError("--url: not a URL (expected e.g. https://ci.debian.net)");
  }
  if (url.username !== "" || url.password !== "") throw new InputError(`--url: credentials in the URL are refused (${shownUrl(url)} without them; the API key goes in --key-file)`);
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new InputError(`--url: expected http or https, got ${url.protocol}`);
  if (url.search !== "" || url.hash !== "") throw new InputError(`--url: expected the service's base URL, without a query or fragment: ${shownUrl(url)}`);
  return url;
}

/** Removes the key from a line before it is shown anywhere: a server that echoes it back must not make us print it. */
export function redactor(key: string | undefined): (line: string) => string {
  if (key === undefined || key.length < 4) return (line) => line;
  return (line) => line.split(key).join("[API key]");
}
