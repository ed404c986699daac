// The operator's window: /healthz (the process is alive), /readyz (it can do its job, or a short
// plain-text reason why not) and /metrics (Prometheus text). Nothing else is served, and no
// answer holds a secret: readiness reasons name Vault states, metrics hold counts.

import { parseHostPort } from "../config/addresses.ts";
import { Invalid } from "../config/values.ts";
import { CourierError } from "../errors.ts";
import { CONTENT_TYPE } from "./prometheus.ts";
import type { Readiness } from "./readiness.ts";

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
  if (readiness.ready) return new Response("ready\n", { headers: PLAIN });
  return new Response(`${readiness.reasons.join("\n")}\n`, { status: 503, headers: PLAIN });
}

const WHY: Record<string, string> = {
  EADDRINUSE: "the address is already in use (another Courier, or another program, is listening there)",
  EACCES: "permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)",
  EADDRNOTAVAIL: "no network interface on this host has that address",
};

function why(error: unknown): string {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return (
    (typeof code === "string" ? WHY[code] : undefined) ??
    (error instanceof Error ? error.message : String(error))
  );
}
