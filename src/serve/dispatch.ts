import { performance } from "node:perf_hooks";
import type { z } from "zod";
import { firstProblem } from "../formats/problems.js";
import { answerLine } from "../formats/answer-line.js";
import { quickNeed, toNeed } from "../formats/needs-input.js";
import { isoTime } from "../core/iso-time.js";
import type { Answer, Need } from "../core/types.js";
import { DAY_MS } from "../core/settings.js";
import { serviceProblem } from "../core/service-lists.js";
import type { Session } from "../session/session.js";
import { baselineParamsSchema, keyParamsSchema, needParamsSchema, noParamsSchema, quickKeyParams, verdictParamsSchema, type KeyParams } from "./requests.js";

/** A protocol error: reported to the client as `{"id", "error": {"message"}}`, and the server keeps serving. */
class ProtocolError extends Error {}

/** An answer, written as plan writes its lines (answerLine): in the same order, and without an object made only to be stringified. */
class AnswerResult {
  constructor(readonly answer: Answer) {}
}

function respond(id: unknown, result: unknown): string {
  return `{"id":${JSON.stringify(id)},"result":${result instanceof AnswerResult ? answerLine(result.answer) : JSON.stringify(result)}}`;
}

function failure(id: unknown, error: unknown): string {
  if (error instanceof ProtocolError) return JSON.stringify({ id, error: { message: error.message } });
  throw error;
}

/** A method's params: checked by hand by `quick` when given and plainly right, else by the schema, which words the problem. */
function params<T>(schema: z.ZodType<T>, value: unknown, method: string, quick?: (value: unknown) => T | null): T {
  const fast = quick?.(value ?? {});
  if (fast !== undefined && fast !== null) return fast;
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
  /** Time spent inside the methods (answering), as opposed to reading, parsing and writing lines. */
  answeringMs = 0;

  constructor(private readonly session: Session) {}

  get hasCommitted(): boolean {
    return this.committed;
  }

  /** A need's params, held to the suites and arches the CI service runs as plan holds a need. */
  private needOf(p: unknown, method: string): Need {
    const need = toNeed(params(needParamsSchema, p, method, quickNeed), this.session.settings.suite);
    const problem = serviceProblem(need, this.session.settings.suite, this.session.settings);
    if (problem !== null) throw new ProtocolError(`${method}: ${problem}`);
    return need;
  }

  /** A question's key params, held to the suites and arches the CI service runs as a need is. */
  private keyOf(p: unknown, method: string): KeyParams {
    const key = params(keyParamsSchema, p, method, quickKeyParams);
    const problem = serviceProblem({ suite: key.suite ?? this.session.settings.suite, arch: key.arch }, this.session.settings.suite, this.session.settings);
    if (problem !== null) throw new ProtocolError(`${method}: ${problem}`);
    return key;
  }

  private readonly methods: Record<string, (p: unknown) => unknown | Promise<unknown>> = {
    status: (p) => new AnswerResult(this.session.describe(this.keyOf(p, "status"))),
    label: (p) => {
      const answer = this.session.describe(this.keyOf(p, "label"));
      return { label: answer.label, state: answer.state, baseline: answer.baseline, ...(answer.noLabel === undefined ? {} : { noLabel: answer.noLabel }) };
    },
    baseline: (p) => {
      const { package: pkg, arch, suite, versions } = params(baselineParamsSchema, p, "baseline");
      return this.session.baseline(arch, pkg, suite, versions);
    },
    preview: (p) => new AnswerResult(this.session.preview(this.needOf(p, "preview"))),
    verdict: (p) => {
      const { trigger, labels } = params(verdictParamsSchema, p, "verdict");
      return this.session.verdict(trigger, labels);
    },
    need: (p) => {
      if (this.committed) throw new ProtocolError("need: this session has already committed");
      return new AnswerResult(this.session.need(this.needOf(p, "need")));
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
    // The rules in force and where each came from (britney.conf's lines), so a client configures nothing twice: ADT_ARCHES, ADT_HUGE...
    rules: (p) => {
      params(noParamsSchema, p, "rules");
      const { settings, britney } = this.session;
      const days = (ms: number | null) => (ms === null ? null : ms / DAY_MS);
      return {
        britneyConf: britney?.conf.path ?? null,
        suite: settings.suite,
        baseline: settings.baseline,
        retryOlderThanDays: days(settings.retryOlderThanMs),
        referenceMaxAgeDays: days(settings.referenceMaxAgeMs),
        arches: settings.serviceArches,
        hugeAbove: britney?.hugeAbove ?? null,
        ciUrl: settings.ciUrl,
        sources: settings.sources,
      };
    },
    // What loading found, for the client to show where britney2 logs: skipped files, an ignored snapshot, stale data.
    warnings: (p) => {
      params(noParamsSchema, p, "warnings");
      const ages = this.session.ages;
      const time = (t: number | null) => (t === null ? null : isoTime(t));
      return {
        warnings: this.session.warnings,
        stale: ages.stale,
        snapshotAt: time(ages.snapshotAt),
        resultsUntil: time(ages.resultsUntil),
        incomplete: this.session.unreadable,
        holdingRequests: this.session.holdsForIncomplete,
      };
    },
  };

  /**
   * Answers one request line with one response line (without the newline).
   * Never throws for bad input. Synchronous except for `commit`, so a long
   * stream of questions costs no promise per line.
   */
  handle(line: string, lineNumber: number): string | Promise<string> {
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch (error) {
      return JSON.stringify({ id: null, error: { message: `line ${lineNumber}: not valid JSON: ${(error as Error).message}` } });
    }
    // The envelope is checked by hand: it is on the path of every question.
    const envelope = raw as { id?: unknown; method?: unknown; params?: unknown } | null;
    const id = typeof envelope === "object" && envelope !== null && !Array.isArray(envelope) ? (envelope.id ?? null) : null;
    if (id !== null && typeof id !== "number" && typeof id !== "string") {
      return JSON.stringify({ id: null, error: { message: `line ${lineNumber}: id must be a number or a string` } });
    }
    if (typeof envelope !== "object" || envelope === null || Array.isArray(envelope) || typeof envelope.method !== "string") {
      return JSON.stringify({ id, error: { message: `line ${lineNumber}: expected {"id", "method", "params"} with a string method` } });
    }
    // Only the table's own methods: `__proto__`, `constructor` or `toString` are no methods of the protocol.
    const method = Object.hasOwn(this.methods, envelope.method) ? this.methods[envelope.method] : undefined;
    if (method === undefined) return JSON.stringify({ id, error: { message: `unknown method ${JSON.stringify(envelope.method)}` } });
    const started = performance.now();
    try {
      const result = method(envelope.params);
      this.answeringMs += performance.now() - started;
      if (result instanceof Promise) return result.then((r) => respond(id, r), (e: unknown) => failure(id, e));
      return respond(id, result);
    } catch (error) {
      return failure(id, error);
    }
  }
}
