import { isIP } from "node:net";
import { InputError } from "../store/errors.js";

/**
 * The proxy settings the sync tools honour, read from the environment as
 * curl reads them: `https_proxy` (or `HTTPS_PROXY`) for https URLs,
 * `http_proxy` (lower case only, as curl: `HTTP_PROXY` can be set by a
 * CGI request's `Proxy:` header) for http URLs, and `no_proxy` (or
 * `NO_PROXY`) for the hosts that go direct. An empty variable is unset.
 */
export interface ProxySettings {
  https: URL | null;
  http: URL | null;
  /** Where each came from, for messages. */
  httpsSource: string;
  httpSource: string;
  noProxy: NoProxyEntry[] | "*";
}

export interface NoProxyEntry {
  /** Lower case, without a leading or trailing dot, IPv6 without brackets. */
  host: string;
  /** Matches only this port; null matches every port. */
  port: number | null;
}

function pick(env: NodeJS.ProcessEnv, names: string[]): { value: string; name: string } | null {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.trim() !== "") return { value: value.trim(), name };
  }
  return null;
}

/** A proxy's URL: http only (a TLS connection to the proxy itself is not supported); no scheme means http, as curl. */
export function parseProxyUrl(value: string, source: string): URL {
  const text = /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InputError(`$${source}: not a proxy URL (expected e.g. http://proxy.example:3128)`);
  }
  if (url.protocol !== "http:") throw new InputError(`$${source}: only http:// proxies are supported (the tunnel to the service is TLS of its own), got ${url.protocol}`);
  if (url.hostname === "") throw new InputError(`$${source}: no host in the proxy URL`);
  return url;
}

/** `no_proxy`: comma (or space) separated; `*` alone means no host is proxied. */
export function parseNoProxy(value: string): NoProxyEntry[] | "*" {
  const entries: NoProxyEntry[] = [];
  for (const raw of value.split(/[\s,]+/)) {
    let item = raw.trim().toLowerCase();
    if (item === "") continue;
    if (item === "*") return "*";
    let port: number | null = null;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(item);
    if (bracketed !== null) {
      item = bracketed[1]!;
      port = bracketed[2] === undefined ? null : Number(bracketed[2]);
    } else if (isIP(item) !== 6) {
      const withPort = /^(.*):(\d+)$/.exec(item);
      if (withPort !== null) {
        item = withPort[1]!;
        port = Number(withPort[2]);
      }
    }
    item = item.replace(/^\.+/, "").replace(/\.+$/, "");
    if (item !== "") entries.push({ host: item, port });
  }
  return entries;
}

/** The settings for URLs of `scheme` ("https:" or "http:"): the other scheme's variable is not read, as curl. Null when no proxy is set. */
export function proxySettings(env: NodeJS.ProcessEnv, scheme: string): ProxySettings | null {
  const https = scheme === "https:" ? pick(env, ["https_proxy", "HTTPS_PROXY"]) : null;
  const http = scheme === "http:" ? pick(env, ["http_proxy"]) : null;
  if (https === null && http === null) return null;
  const no = pick(env, ["no_proxy", "NO_PROXY"]);
  return {
    https: https === null ? null : parseProxyUrl(https.value, https.name),
    http: http === null ? null : parseProxyUrl(http.value, http.name),
    httpsSource: https === null ? "" : `$${https.name}`,
    httpSource: http === null ? "" : `$${http.name}`,
    noProxy: no === null ? [] : parseNoProxy(no.value),
  };
}

/** The URL's port, or its scheme's default. */
export function portOf(url: URL): number {
  return url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
}

/** The URL's host as a socket takes it: IPv6 without brackets, no trailing dot. */
export function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, "$1");
}

/**
 * Whether `no_proxy` sends this URL direct, as curl decides: an entry
 * matches the host itself and, for a name, every name under it (`example.org`
 * and `.example.org` both match `ci.example.org`); an IP address matches only
 * itself; an entry with a port matches only that port.
 */
export function bypassesProxy(url: URL, noProxy: NoProxyEntry[] | "*"): boolean {
  if (noProxy === "*") return true;
  const host = hostOf(url).toLowerCase().replace(/\.+$/, "");
  const port = portOf(url);
  return noProxy.some((entry) => {
    if (entry.port !== null && entry.port !== port) return false;
    if (isIP(host) !== 0 || isIP(entry.host) !== 0) return host === entry.host;
    return host === entry.host || host.endsWith(`.${entry.host}`);
  });
}

/** The proxy for this URL, or null for a direct connection. */
export function proxyFor(url: URL, settings: ProxySettings | undefined): { proxy: URL; source: string } | null {
  if (settings === undefined) return null;
  const proxy = url.protocol === "https:" ? settings.https : settings.http;
  if (proxy === null || bypassesProxy(url, settings.noProxy)) return null;
  return { proxy, source: url.protocol === "https:" ? settings.httpsSource : settings.httpSource };
}
