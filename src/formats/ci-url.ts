/**
 * The CI service's web address, as answers put it into links people open:
 * an http(s) URL without credentials. Read from `--ci-url` and from
 * britney.conf's ADT_CI_URL alike; each words its own message.
 */
export function parseCiUrl(value: string): { href: string } | { problem: string } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return { problem: `not a URL: ${JSON.stringify(value)}` };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { problem: `expected an http(s) address, got ${JSON.stringify(url.protocol)}` };
  if (url.username !== "" || url.password !== "") return { problem: "must not hold credentials" };
  return { href: url.href };
}
