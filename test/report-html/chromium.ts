/**
 * Debian's chromium, headless, as the page's browser: its own CLI through
 * node:child_process, no npm dependency. Every run gets a fresh profile, no
 * background services, no DNS (every name maps to nothing), and a proxy on
 * 127.0.0.1 that answers nothing and counts what reaches it: the page is
 * meant to load nothing, and the count says whether the browser tried.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM);
}

/** A proxy that refuses everything and remembers what was asked of it. */
export class RecordingProxy {
  readonly requests: string[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor() {
    this.server = createServer((req, res) => {
      this.requests.push(`${req.method} ${req.url}`);
      res.writeHead(502).end();
    });
    this.server.on("connect", (req, socket: Socket) => {
      this.requests.push(`CONNECT ${req.url}`);
      socket.destroy();
    });
    this.server.on("connection", (socket: Socket) => {
      this.sockets.add(socket);
      socket.on("close", () => this.sockets.delete(socket));
    });
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Runs chromium headless on a local file with `extra` flags; resolves with its stdout. */
export function chromium(file: string, extra: string[], proxyPort: number, timeoutMs = 90_000): Promise<string> {
  const profile = mkdtempSync(join(tmpdir(), "debci-bridge-chromium-"));
  const args = [
    "--headless",
    "--no-sandbox", // root in CI; the page is our own and runs no script
    "--disable-gpu",
    `--user-data-dir=${profile}`,
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--disable-breakpad",
    "--metrics-recording-only",
    "--no-pings",
    "--disable-features=NetworkTimeServiceQuerying,OptimizationHints,OptimizationGuideModelDownloading,OptimizationHintsFetching,Translate,MediaRouter,DialMediaRouteProvider,AutofillServerCommunication,CertificateTransparencyComponentUpdater,AccountConsistency,MirrorAccountConsistency,SafeBrowsing",
    "--disable-field-trial-config",
    "--hide-scrollbars",
    // Nothing leaves the machine: no name resolves, and every request goes to the recording proxy, loopback included.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    `--proxy-server=http://127.0.0.1:${proxyPort}`,
    "--proxy-bypass-list=<-loopback>",
    ...extra,
    pathToFileURL(file).href,
  ];
  return new Promise((resolve, reject) => {
    execFile(CHROMIUM, args, { timeout: timeoutMs, maxBuffer: 1 << 28, env: { ...process.env, HOME: profile } }, (error, stdout, stderr) => {
      rmSync(profile, { recursive: true, force: true });
      if (error) reject(new Error(`chromium failed: ${error.message}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

/** The DOM after load, as chromium serializes it. */
export function dumpDom(file: string, proxyPort: number): Promise<string> {
  return chromium(file, ["--dump-dom"], proxyPort);
}

/** A PNG of the page's first screen, 1200 wide. */
export async function screenshot(file: string, png: string, proxyPort: number, size = "1200,1600"): Promise<void> {
  await chromium(file, [`--screenshot=${png}`, `--window-size=${size}`], proxyPort);
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'", nbsp: " " };

/** What a person reads on the page: the body's text, tags dropped, entities decoded, spaces collapsed. */
export function visibleText(dom: string): string {
  const body = dom.replace(/^[\s\S]*?<body[^>]*>/i, "").replace(/<style[\s\S]*?<\/style>/gi, "").replace(/<title>[\s\S]*?<\/title>/gi, "");
  return body
    .replace(/<[^>]*>/g, " ")
    .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, name: string) => ENTITIES[name]!)
    .replace(/\s+/g, " ")
    .trim();
}
