import type { z } from "zod";
import { firstProblem } from "../formats/problems.js";
import { toNeed } from "../formats/needs-input.js";
import type { Session } from "../session/session.js";
import { baselineParamsSchema, keyParamsSchema, needParamsSchema, noParamsSchema, requestSchema } from "./requests.js";

/** A protocol error: reported to the client as `{"id", "error": {"message"}}`, and the server keeps serving. */
class ProtocolError extends Error {}

function params<T>(schema: z.ZodType<T>, value: unknown, method: string): T {
  const parsed = schema.safeParse(value ?? {});
  if (!parsed.success) throw new ProtocolError(`${method}: ${firstProblem(parsed.error, "params")}`);
  return parsed.data;
}

/**
 * Serves one session over the line protocol. Methods that need a session not
 * yet committed are refused after `commit`; questions are still answered.
 */
export class Dispatcher {
  private committed = false;

  constructor(private readonly session: Session) {}

  get hasCommitted(): boolean {
    return this.committed;
  }

  private readonly methods: Record<string, (p: unknown) => unknown | Promise<unknown>> = {
    status: (p) => this.session.describe(params(keyParamsSchema, p, "status")),
    label: (p) => {
      const answer = this.session.describe(params(keyParamsSchema, p, "label"));
      return { label: answer.label, state: answer.state, baseline: answer.baseline };
    },
    baseline: (p) => {
      const { package: pkg, arch, suite } = params(baselineParamsSchema, p, "baseline");
      return this.session.baseline(arch, pkg, suite);
    },
    need: (p) => {
      if (this.committed) throw new ProtocolError("need: this session has already committed");
      return this.session.need(toNeed(params(needParamsSchema, p, "need"), this.session.settings.suite));
    },
    commit: async (p) => {
      params(noParamsSchema, p, "commit");
      if (this.committed) throw new ProtocolError("commit: this session has already committed");
      this.committed = true;
      const result = await this.session.commit();
      return { requests: result.requests, batches: result.batches.map((b) => b.path), outbox: result.outbox };
    },
    report: (p) => {
      params(noParamsSchema, p, "report");
      return this.session.report();
    },
  };

  /** Answers one request line with one response line (without the newline). Never throws for bad input. */
  async handle(line: string, lineNumber: number): Promise<string> {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (error) {
      return JSON.stringify({ id: null, error: { message: `line ${lineNumber}: not valid JSON: ${(error as Error).message}` } });
    }
    const request = requestSchema.safeParse(raw);
    const id = typeof raw === "object" && raw !== null && "id" in raw ? (raw as { id: unknown }).id ?? null : null;
    if (!request.success) return JSON.stringify({ id, error: { message: `line ${lineNumber}: ${firstProblem(request.error)}` } });
    const method = this.methods[request.data.method];
    if (method === undefined) return JSON.stringify({ id, error: { message: `unknown method ${JSON.stringify(request.data.method)}` } });
    try {
      return JSON.stringify({ id, result: await method(request.data.params) });
    } catch (error) {
      if (error instanceof ProtocolError) return JSON.stringify({ id, error: { message: error.message } });
      throw error;
    }
  }
}
