import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { bypassesProxy, parseNoProxy, proxyFor, proxySettings } from "../src/sync/proxy.js";
import { EXIT_TLS } from "../src/sync/cli.js";
import { T0, at, syncWorld } from "./support/sync-harness.js";
import { makeCa, makeServerCert, serveHttps, startProxy, type Ca } from "./support/tls-fixtures.js";

/**
 * Issue 18: a trust store of its own (--ca-file / $DEBCI_CA_FILE replaces
 * Node's default CA list), https_proxy/http_proxy/no_proxy as curl reads
 * them through a CONNECT tunnel, and a certificate not accepted is one
 * line naming the host and the CA source, exit 7, never retried.
 */

const w = syncWorld();
let dir = "";
let ca: Ca;
let otherCa: Ca;
let good: { cert: string; key: string };
let wrongName: { cert: string; key: string };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "debci-bridge-tls-"));
  ca = makeCa(dir, "ca");
  otherCa = makeCa(dir, "other-ca");
  good = makeServerCert(dir, ca, "server", "IP:127.0.0.1");
  wrongName = makeServerCert(dir, ca, "elsewhere", "DNS:elsewhere.example");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ENV_NAMES = ["https_proxy", "HTTPS_PROXY", "http_proxy", "no_proxy", "NO_PROXY", "DEBCI_CA_FILE"] as const;

/** The CLI in this process with exactly these proxy/CA variables set (the others unset), restored after. */
async function withEnv<T>(vars: Partial<Record<(typeof ENV_NAMES)[number], string>>, fn: () => Promise<T>): Promise<T> {
  const saved = ENV_NAMES.map((n) => [n, process.env[n]] as const);
  for (const n of ENV_NAMES) delete process.env[n];
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [n, v] of saved) {
      if (v === undefined) delete process.env[n];
      else process.env[n] = v;
    }
  }
}

let https: Awaited<ReturnType<typeof serveHttps>>;
let proxy: Awaited<ReturnType<typeof startProxy>>;
beforeEach(async () => {
  https = await serveHttps(w.fake, good);
  proxy = await startProxy();
  w.fake.now = T0;
});
afterEach(async () => {
  await https.close();
  await proxy.close();
});

const port = () => new URL(https.url).port;
const args = (url: string, extra: string[] = []) => ["--url", url, "--key-file", w.keyFile, "--now", at(0), "--timeout", "2", "--retries", "2", "--backoff", "5", ...extra];
const fetchWith = (extra: string[] = [], env: Parameters<typeof withEnv>[0] = {}, url = https.url) => withEnv(env, () => w.cli(["fetch", "--state", w.state, ...args(url, extra)]));

function expectOneCleanLine(stderr: string): void {
  expect(stderr).not.toMatch(/^\s+at /m); // no stack trace
  expect(stderr).not.toContain("retrying"); // a certificate is not retried
  expect(stderr.trim().split("\n").filter((l) => l.includes("TLS:"))).toHaveLength(1);
}

describe("--ca-file: the CAs trusted, instead of Node's default list", () => {
  it("with the right CA file, fetch works over https", async () => {
    const run = await fetchWith(["--ca-file", ca.cert]);
    expect(run.code, run.stderr).toBe(0);
    expect(w.fake.log.map((l) => l.line)).toEqual([expect.stringMatching(/^GET \/api\/v1\/test\?since=/), "GET /api/v1/reject_list"]);
    expect(w.fake.log.every((l) => l.authKey === w.fake.apiKey)).toBe(true);
  });

  it("without one, Node's default CA list does not know the throw-away CA: exit 7, one line naming the host and the CA source, not retried", async () => {
    const run = await fetchWith();
    expect(run.code).toBe(EXIT_TLS);
    expect(run.code).toBe(7);
    expect(run.stderr).toContain(`127.0.0.1:${port()}`);
    expect(run.stderr).toContain("Node's default CA list");
    expectOneCleanLine(run.stderr);
    expect(w.fake.log).toEqual([]); // nothing reached the service
  });

  it("a CA file of another CA: exit 7 naming the file", async () => {
    const run = await fetchWith(["--ca-file", otherCa.cert]);
    expect(run.code, run.stderr).toBe(7);
    expect(run.stderr).toContain(`--ca-file ${otherCa.cert}`);
    expect(run.stderr).toContain(`127.0.0.1:${port()}`);
    expectOneCleanLine(run.stderr);
  });

  it("a certificate for another host name, from the trusted CA: exit 7", async () => {
    await https.close();
    https = await serveHttps(w.fake, wrongName);
    const run = await fetchWith(["--ca-file", ca.cert]);
    expect(run.code, run.stderr).toBe(7);
    expect(run.stderr).toContain("ERR_TLS_CERT_ALTNAME_INVALID");
    expectOneCleanLine(run.stderr);
  });

  it("$DEBCI_CA_FILE when the flag is absent; the flag wins over it", async () => {
    expect((await fetchWith([], { DEBCI_CA_FILE: ca.cert })).code).toBe(0);
    const wrong = await fetchWith([], { DEBCI_CA_FILE: otherCa.cert });
    expect(wrong.code).toBe(7);
    expect(wrong.stderr).toContain(`$DEBCI_CA_FILE (${otherCa.cert})`);
    expect((await fetchWith(["--ca-file", ca.cert], { DEBCI_CA_FILE: otherCa.cert })).code).toBe(0);
  });

  it("a file that is not PEM, holds no certificate, is too large or missing: exit 1 naming it, nothing sent", async () => {
    const notPem = join(dir, "not.pem");
    writeFileSync(notPem, "this is not a certificate\n");
    const broken = join(dir, "broken.pem");
    writeFileSync(broken, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    const huge = join(dir, "huge.pem");
    writeFileSync(huge, "x".repeat(1024 * 1024 + 1));
    for (const [file, why] of [
      [notPem, "no PEM certificate"],
      [ca.key, "no PEM certificate"],
      [broken, "does not parse"],
      [huge, "too large"],
      [join(dir, "absent.pem"), "no such file"],
    ] as const) {
      const run = await fetchWith(["--ca-file", file]);
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toContain(`--ca-file ${file}`);
      expect(run.stderr).toContain(why);
      expect(run.stderr).not.toMatch(/^\s+at /m);
    }
    expect(w.fake.log).toEqual([]);
  });
});

describe("https_proxy, http_proxy and no_proxy, as curl reads them", () => {
  it("through https_proxy: a CONNECT tunnel; the proxy sees only CONNECT 127.0.0.1:PORT, never the API key", async () => {
    const run = await fetchWith(["--ca-file", ca.cert], { https_proxy: proxy.url });
    expect(run.code, run.stderr).toBe(0);
    expect(new Set(proxy.seen.lines)).toEqual(new Set([`CONNECT 127.0.0.1:${port()}`]));
    expect(JSON.stringify(proxy.seen.headers)).not.toContain(w.fake.apiKey);
    expect(Buffer.concat(proxy.seen.tunnelled).includes(w.fake.apiKey)).toBe(false); // TLS inside the tunnel
    expect(w.fake.log.length).toBeGreaterThan(0);
    expect(w.fake.log.every((l) => l.authKey === w.fake.apiKey)).toBe(true);
  });

  it("HTTPS_PROXY too; and a submit (POST) goes through the tunnel as well", async () => {
    await w.plan(0);
    const run = await withEnv({ HTTPS_PROXY: proxy.url }, () => w.cli(["submit", "--state", w.state, ...args(https.url, ["--ca-file", ca.cert])]));
    expect(run.code, run.stderr).toBe(0);
    expect(w.fake.posts.length).toBeGreaterThan(0);
    expect(w.fake.posts.every((p) => p.status === 200 || p.status === 201)).toBe(true);
    expect(proxy.seen.lines.every((l) => l === `CONNECT 127.0.0.1:${port()}`)).toBe(true);
    expect(JSON.stringify(proxy.seen.headers)).not.toContain(w.fake.apiKey);
  });

  it("the certificate is still checked through the tunnel: exit 7 with the default list", async () => {
    const run = await fetchWith([], { https_proxy: proxy.url });
    expect(run.code, run.stderr).toBe(7);
    expect(run.stderr).toContain("Node's default CA list");
    expect(proxy.seen.lines).toEqual([`CONNECT 127.0.0.1:${port()}`]);
  });

  it("no_proxy=127.0.0.1 (or NO_PROXY, or *) goes direct: the proxy sees nothing", async () => {
    for (const env of [{ no_proxy: "127.0.0.1" }, { NO_PROXY: "example.org,127.0.0.1" }, { no_proxy: "*" }, { no_proxy: `127.0.0.1:${port()}` }]) {
      const run = await fetchWith(["--ca-file", ca.cert], { https_proxy: proxy.url, ...env });
      expect(run.code, `${JSON.stringify(env)}: ${run.stderr}`).toBe(0);
    }
    expect(proxy.seen.lines).toEqual([]);
    // A port that is not the service's does not bypass.
    expect((await fetchWith(["--ca-file", ca.cert], { https_proxy: proxy.url, no_proxy: "127.0.0.1:1" })).code).toBe(0);
    expect(proxy.seen.lines.length).toBeGreaterThan(0);
  });

  it("http_proxy for an http URL: also a CONNECT tunnel, so no request line or header (the key) is addressed to the proxy; https_proxy is not used for it", async () => {
    const run = await fetchWith([], { http_proxy: proxy.url, https_proxy: "http://127.0.0.1:1" }, w.fake.url);
    expect(run.code, run.stderr).toBe(0);
    expect(new Set(proxy.seen.lines)).toEqual(new Set([`CONNECT ${new URL(w.fake.url).host}`]));
    expect(JSON.stringify(proxy.seen.headers)).not.toContain(w.fake.apiKey);
  });

  it("a proxy that cannot be reached is a network failure, retried, then exit 3 naming the proxy", async () => {
    const run = await fetchWith(["--ca-file", ca.cert], { https_proxy: "http://127.0.0.1:1" });
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toContain("retrying");
    expect(run.stderr).toContain("the proxy http://127.0.0.1:1 ($https_proxy)");
  });

  it("a proxy URL that is not http: exit 1", async () => {
    const run = await fetchWith(["--ca-file", ca.cert], { https_proxy: "socks5://127.0.0.1:1080" });
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain("$https_proxy: only http:// proxies");
  });
});

describe("as its own process (needs npm run build)", () => {
  const clean = { https_proxy: "", HTTPS_PROXY: "", http_proxy: "", no_proxy: "", NO_PROXY: "", DEBCI_CA_FILE: "" };
  const spawnFetch = (extra: string[], env: Record<string, string>) => w.spawn(["fetch", "--state", w.state, ...args(https.url, extra)], { ...clean, ...env });

  it("--ca-file replaces the default list rather than adding to it: a CA Node trusts (NODE_EXTRA_CA_CERTS) is no longer trusted", async () => {
    const trusted = await spawnFetch([], { NODE_EXTRA_CA_CERTS: ca.cert });
    expect(trusted.code, trusted.stderr).toBe(0); // without --ca-file: Node's default list, which now holds the CA
    const pinned = await spawnFetch(["--ca-file", otherCa.cert], { NODE_EXTRA_CA_CERTS: ca.cert });
    expect(pinned.code, pinned.stderr).toBe(7);
    expect(pinned.stderr).toContain(`--ca-file ${otherCa.cert}`);
  });

  it("https_proxy from the process environment", async () => {
    const run = await spawnFetch(["--ca-file", ca.cert], { https_proxy: proxy.url });
    expect(run.code, run.stderr).toBe(0);
    expect(new Set(proxy.seen.lines)).toEqual(new Set([`CONNECT 127.0.0.1:${port()}`]));
    expect(JSON.stringify(proxy.seen.headers)).not.toContain(w.fake.apiKey);
  });
});

describe("no_proxy matching (curl's rules)", () => {
  const bypass = (url: string, noProxy: string) => bypassesProxy(new URL(url), parseNoProxy(noProxy));
  it("a name matches itself and its subdomains, with or without a leading dot; not a mere suffix", () => {
    expect(bypass("https://ci.debian.net/", "debian.net")).toBe(true);
    expect(bypass("https://ci.debian.net/", ".debian.net")).toBe(true);
    expect(bypass("https://debian.net/", ".debian.net")).toBe(true);
    expect(bypass("https://CI.Debian.NET./", "debian.net")).toBe(true);
    expect(bypass("https://notdebian.net/", "debian.net")).toBe(false);
    expect(bypass("https://ci.debian.net/", "ci.debian.org")).toBe(false);
  });
  it("ports only when given; * means every host; IPs match only themselves", () => {
    expect(bypass("https://ci.debian.net/", "ci.debian.net:443")).toBe(true);
    expect(bypass("https://ci.debian.net:8443/", "ci.debian.net:443")).toBe(false);
    expect(bypass("https://ci.debian.net:8443/", "ci.debian.net")).toBe(true);
    expect(bypass("https://anything/", "*")).toBe(true);
    expect(bypass("https://127.0.0.1/", "127.0.0.1")).toBe(true);
    expect(bypass("https://127.0.0.10/", "127.0.0.1")).toBe(false);
    expect(bypass("https://[::1]:8080/", "::1")).toBe(true);
    expect(bypass("https://[::1]:8080/", "[::1]:8081")).toBe(false);
    expect(bypass("https://ci.debian.net/", "")).toBe(false);
  });
  it("the scheme picks the variable: https_proxy/HTTPS_PROXY for https, only lower-case http_proxy for http", () => {
    expect(proxySettings({ HTTP_PROXY: "http://p:1" }, "http:")).toBeNull();
    expect(proxySettings({ http_proxy: "http://p:1" }, "https:")).toBeNull();
    expect(proxyFor(new URL("https://ci.debian.net"), proxySettings({ HTTPS_PROXY: "p:3128" }, "https:")!)?.proxy.href).toBe("http://p:3128/");
    expect(proxyFor(new URL("https://ci.debian.net"), proxySettings({ https_proxy: "http://p:3128", no_proxy: "debian.net" }, "https:")!)).toBeNull();
  });
});
