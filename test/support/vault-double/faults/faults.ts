// Fault injection for tests: rules set over /_double/faults (latency, an error status for some or
// all requests, refusing connections), plus seal, standby, clock and request-count controls on
// /_double/*.
import type { DoubleContext } from "../context.ts";
import type { HttpRequest, HttpResponse } from "../types.ts";
import { covers, type FaultRule, parseRules, seededRandom } from "./rules.ts";

type Counted = FaultRule & { used: number };

export class Faults {
  #rules: Counted[] = [];
  #random: () => number;
  #resumeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(opts: { seed?: number } = {}) {
    this.#random = seededRandom(opts.seed ?? 1);
  }

  /** Runs first for every /v1 request: may wait (latency) and/or answer with an injected status. */
  async apply(req: HttpRequest): Promise<HttpResponse | undefined> {
    if (this.#rules.length === 0) return undefined;
    const path = req.path.replace(/^\/v1\//, "");
    let delay = 0;
    let answer: HttpResponse | undefined;
    for (const rule of this.#rules) {
      if (rule.kind === "refuse" || !covers(rule, path, req.method)) continue;
      if (rule.times !== undefined && rule.used >= rule.times) continue;
      if (rule.kind === "latency") {
        rule.used++;
        delay += rule.ms;
      } else if (!answer && this.#random() < (rule.share ?? 1)) {
        rule.used++;
        answer = { status: rule.status, body: { errors: rule.errors ?? [] } };
      }
    }
    if (delay > 0) await Bun.sleep(delay);
    return answer;
  }

  /** Answers /_double/* requests; see faults/README-section.md for the routes. */
  async control(req: HttpRequest, ctx: DoubleContext): Promise<HttpResponse> {
    const route = `${req.method} ${req.path.replace(/\/+$/, "")}`;
    try {
      switch (route) {
        case "GET /_double/faults":
          return { status: 200, body: { rules: this.#rules.map(({ used: _, ...r }) => r) } };
        case "POST /_double/faults":
        case "PUT /_double/faults":
          return await this.#setRules(body(req), ctx);
        case "DELETE /_double/faults":
          await this.#clear(ctx);
          return { status: 204 };
        case "POST /_double/seal":
          ctx.state.sealed = true;
          return { status: 204 };
        case "POST /_double/unseal":
          ctx.state.sealed = false;
          return { status: 204 };
        case "POST /_double/standby":
          ctx.state.standby = (body(req) as { standby?: unknown } | undefined)?.standby !== false;
          return { status: 204 };
        case "GET /_double/clock":
          return { status: 200, body: { now_ms: ctx.now() } };
        case "POST /_double/clock":
          return this.#advance(body(req), ctx);
        case "GET /_double/unseal-key":
          return { status: 200, body: { key: ctx.state.unsealKey } };
        case "GET /_double/stats":
          return { status: 200, body: ctx.stats.snapshot() };
        case "DELETE /_double/stats":
          ctx.stats.reset();
          return { status: 204 };
        default:
          return { status: 404, body: { errors: [`no control route ${route}`] } };
      }
    } catch (err) {
      return { status: 400, body: { errors: [(err as Error).message] } };
    }
  }

  async #setRules(input: unknown, ctx: DoubleContext): Promise<HttpResponse> {
    const wrapped = input && typeof input === "object" && !Array.isArray(input);
    const list = wrapped ? (input as { rules?: unknown }).rules : input;
    const seed = wrapped ? (input as { seed?: unknown }).seed : undefined;
    const rules = parseRules(list);
    if (typeof seed === "number") this.#random = seededRandom(seed);
    await this.#clear(ctx);
    this.#rules = rules.map((r) => ({ ...r, used: 0 }));
    const refuse = rules.find((r) => r.kind === "refuse");
    if (refuse) {
      await ctx.setListening(false);
      if (refuse.ms !== undefined) {
        this.#resumeTimer = setTimeout(() => {
          this.#rules = this.#rules.filter((r) => r.kind !== "refuse");
          void ctx.setListening(true);
        }, refuse.ms);
      }
    }
    return { status: 200, body: { rules } };
  }

  async #clear(ctx: DoubleContext): Promise<void> {
    clearTimeout(this.#resumeTimer);
    const wasRefusing = this.#rules.some((r) => r.kind === "refuse");
    this.#rules = [];
    if (wasRefusing) await ctx.setListening(true);
  }

  #advance(input: unknown, ctx: DoubleContext): HttpResponse {
    const ms = (input as { advance_ms?: unknown } | undefined)?.advance_ms;
    if (typeof ms !== "number" || !Number.isFinite(ms)) throw new Error("advance_ms must be a number");
    ctx.advanceClock(ms);
    return { status: 200, body: { now_ms: ctx.now() } };
  }
}

function body(req: HttpRequest): unknown {
  if (req.body.length === 0) return undefined;
  try {
    return JSON.parse(new TextDecoder().decode(req.body));
  } catch {
    throw new Error("body is not valid JSON");
  }
}
