import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { createInterface } from "node:readline";
import { BIN } from "./cli.js";

/** A test client for `debci-bridge serve`: one request, one response, over real pipes. */
export class ServeClient {
  readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: Array<(line: string) => void> = [];
  stderr = "";
  readonly exited: Promise<number | null>;

  constructor(args: string[]) {
    this.child = spawn(process.execPath, [BIN, "serve", ...args], { stdio: ["pipe", "pipe", "pipe"] });
    this.child.stderr.on("data", (c) => (this.stderr += c));
    createInterface({ input: this.child.stdout }).on("line", (line) => this.waiting.shift()?.(line));
    this.exited = new Promise((resolve) => this.child.on("close", resolve));
  }

  sendRaw(line: string): Promise<Record<string, unknown>> {
    const response = new Promise<string>((resolve) => this.waiting.push(resolve));
    this.child.stdin.write(`${line}\n`);
    return response.then((l) => JSON.parse(l) as Record<string, unknown>);
  }

  call(id: number, method: string, params?: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.sendRaw(JSON.stringify({ id, method, ...(params === undefined ? {} : { params }) }));
  }

  async end(): Promise<number | null> {
    this.child.stdin.end();
    return this.exited;
  }
}
