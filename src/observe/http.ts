// The operator's window: /healthz (the process is alive), /readyz (it can do its job, or a short
// plain-text reason why not) and /metrics (Prometheus text). Nothing else is served, and no
// answer holds a secret: readiness reasons name Vault states, metrics hold counts.
//
// Ready means listening for the audit stream, holding the source's mount table, and able to reach
// the source Vault. The source is asked (sys/health) at most once per interval however often
// /readyz is polled, and a slow answer counts as "not reachable" rather than holding the probe open.

import { parseHostPort } from "../config/addresses.ts";
import { Invalid } from "../config/values.ts";
import { CourierError, messageOf } from "../errors.ts";
import type { VaultReply } from "../vault/http.ts";
import { CONTENT_TYPE } from "./prometheus.ts";

export interface HttpHandlers {
  ready(): Promise<Readiness>;
  /** The exposition text. */
  metrics(): string;
  /** Told about a handler that threw; the client gets a 500. */
  onError?(error: unknown): void;
}

export interface HttpServer {
  /** "http://127.0.0.1:9850" with the port actually bound (useful when asked for port 0). */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

const PLAIN = { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" };

/** serveHttp("127.0.0.1:0", handlers) → a server on a free port; a taken port → LISTEN_FAILED */
export function serveHttp(address: string, handlers: HttpHandlers): HttpServer {
  const parsed = parseHostPort(address);
  if (parsed instanceof Invalid) {
    throw new CourierError("CONFIG_INVALID", `http.address ${parsed.problem}`);
  }
  let server: ReturnType<typeof Bun.serve>;
  try {
    server = Bun.serve({
      hostname: parsed.host,
      port: parsed.port,
      fetch: (request) => route(request, handlers),
      error(error) {
        handlers.onError?.(error);
        return new Response("internal error\n", { status: 500, headers: PLAIN });
      },
    });
  } catch (error) {
    throw new CourierError(
      "LISTEN_FAILED",
      `cannot serve /healthz, /readyz and /metrics on ${address} (http.address): ${why(error)}`,
      { cause: error },
    );
  }
  const port = server.port ?? parsed.port;
  const host = parsed.host.includes(":") ? `[${parsed.host}]` : parsed.host;
  return {
    url: `http://${host}:${port}`,
    port,
    async stop() {
      await server.stop(true);
    },
  };
}

async function route(request: Request, handlers: HttpHandlers): Promise<Response> {
  const { pathname } = new URL(request.url);
  if (pathname !== "/healthz" && pathname !== "/readyz" && pathname !== "/metrics") {
    return new Response("not found\n", { status: 404, headers: PLAIN });
  }
  if (request.method !== "GET" && request.method !== "HEAD") {
    return new Response("method not allowed\n", { status: 405, headers: { ...PLAIN, Allow: "GET, HEAD" } });
  }
  if (pathname === "/healthz") return new Response("ok\n", { headers: PLAIN });
  if (pathname === "/metrics") {
    return new Response(handlers.metrics(), {
      headers: { "Content-Type": CONTENT_TYPE, "Cache-Control": "no-store" },
    });
  }
  const readiness = await handlers.ready();
  if (readiness.ready) {
    return new Response(readiness.note ? `ready: ${readiness.note}\n` : "ready\n", { headers: PLAIN });
  }
  return new Response(`${readiness.reasons.join("\n")}\n`, { status: 503, headers: PLAIN });
}

const WHY: Record<string, string> = {
  EADDRINUSE: "the address is already in use (another Courier, or another program, is listening there)",
  EACCES: "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)",
  EADDRNOTAVAIL: "no network interface on this host has that address",
};

function why(error: unknown): string {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return (typeof code === "string" ? WHY[code] : undefined) ?? messageOf(error);
}

// Readiness: local milestones first, then the source's sys/health.

/** Ready, perhaps with a note (a standby's Courier is ready, and says it is waiting). */
export type Readiness = { ready: true; note?: string } | { ready: false; reasons: string[] };

export interface SourceProbeOptions {
  /** A fresh answer is reused for this long (default 5 s). */
  everyMs?: number;
  /** An answer slower than this counts as none (default 2 s). */
  timeoutMs?: number;
  now?: () => number;
}

/** Asks the source's sys/health, caching the verdict: undefined when reachable, else why not. */
export class SourceProbe {
  readonly #everyMs: number;
  readonly #timeoutMs: number;
  readonly #now: () => number;
  #last: { at: number; problem: string | undefined } | undefined;
  #running: Promise<string | undefined> | undefined;

  constructor(
    private readonly health: () => Promise<VaultReply>,
    options: SourceProbeOptions = {},
  ) {
    this.#everyMs = options.everyMs ?? 5_000;
    this.#timeoutMs = options.timeoutMs ?? 2_000;
    this.#now = options.now ?? Date.now;
  }

  async problem(): Promise<string | undefined> {
    if (this.#last && this.#now() - this.#last.at < this.#everyMs) return this.#last.problem;
    this.#running ??= this.#ask().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #ask(): Promise<string | undefined> {
    let timer: Timer | undefined;
    const late = new Promise<string>((resolve) => {
      timer = setTimeout(
        () => resolve(`the source Vault did not answer sys/health within ${this.#timeoutMs / 1000}s`),
        this.#timeoutMs,
      );
    });
    const answer = this.health().then(
      (reply) => healthProblem(reply.status),
      (error: unknown) => `the source Vault did not answer: ${messageOf(error)}`,
    );
    const problem = await Promise.race([answer, late]).finally(() => clearTimeout(timer));
    this.#last = { at: this.#now(), problem };
    return problem;
  }
}

/**
 * What a sys/health status means for Courier; undefined when it can read from that node.
 * healthProblem(200) → undefined; healthProblem(429) → undefined (a standby forwards reads);
 * healthProblem(503) → "the source Vault is sealed (sys/health 503)"
 */
export function healthProblem(status: number): string | undefined {
  switch (status) {
    case 200: // active
    case 429: // standby: forwards requests to the active node
    case 473: // performance standby: serves reads itself
      return undefined;
    case 472:
      return "the source Vault is a DR secondary, which serves no reads (sys/health 472)";
    case 501:
      return "the source Vault is not initialised (sys/health 501)";
    case 503:
      return "the source Vault is sealed (sys/health 503)";
    default:
      return `the source Vault answered sys/health with ${status}`;
  }
}

/** The agent's own start-up milestones, set as they happen. */
export interface Milestones {
  mountTableLoaded: boolean;
  listening: boolean;
  stopping: boolean;
}

/**
 * Local reasons first; the source is only asked once nothing local stands in the way. A standby's
 * Courier is ready (it will sync the moment its node becomes active) and says it is standing by.
 */
export async function checkReadiness(
  milestones: Milestones,
  probe: SourceProbe,
  sourceActive: () => boolean = () => true,
): Promise<Readiness> {
  if (milestones.stopping) return { ready: false, reasons: ["stopping"] };
  const reasons: string[] = [];
  if (!milestones.mountTableLoaded) reasons.push("the source's mount table is not loaded yet");
  if (!milestones.listening) reasons.push("not listening for the audit stream yet");
  if (reasons.length > 0) return { ready: false, reasons };
  const problem = await probe.problem();
  if (problem !== undefined) return { ready: false, reasons: [problem] };
  return sourceActive()
    ? { ready: true }
    : { ready: true, note: "standby (the source node is not active; its active node's Courier syncs)" };
}
