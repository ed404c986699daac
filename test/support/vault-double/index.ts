// The Vault double: a server that answers like `vault server -dev` where Courier touches Vault.
// Start one per test file on a free port; many in one process are fully independent.
import { createDoubleContext, type DoubleContext } from "./context.ts";
import { HttpFront } from "./http/server.ts";
import { createNamespace } from "./mount-table.ts";
import { handleRequest } from "./pipeline.ts";
import type { HttpRequest, HttpResponse } from "./types.ts";

export interface VaultDoubleOptions {
  port?: number;
  hostname?: string;
  /** The root token id, like -dev-root-token-id (default "root"). */
  rootToken?: string;
  /** PEM text: serve HTTPS instead of HTTP (the control port stays plain HTTP). */
  tls?: { cert: string; key: string };
  /** Body cap in bytes (Vault's max_request_size; default 32 MiB). */
  maxRequestBytes?: number;
  /** Port of the control API (default 0: a free one). */
  controlPort?: number;
  /** false: no namespaces at all, like Vault Community Edition (context.ts). Default true. */
  namespaces?: boolean;
}

export interface VaultDouble {
  /** e.g. "http://127.0.0.1:54321" */
  address: string;
  port: number;
  /**
   * The control API (/_double/…) on a port of its own, e.g. "http://127.0.0.1:54322": it keeps
   * answering while a `refuse` fault has the Vault port turn connections away. The Vault port
   * answers /_double/… too, whenever it is listening.
   */
  controlAddress: string;
  controlPort: number;
  rootToken: string;
  ctx: DoubleContext;
  stop(): Promise<void>;
}

export async function startVaultDouble(opts: VaultDoubleOptions = {}): Promise<VaultDouble> {
  const hostname = opts.hostname ?? "127.0.0.1";
  const rootToken = opts.rootToken ?? "root";
  const ctx = createDoubleContext({ rootToken, namespaces: opts.namespaces });
  createNamespace(ctx, { id: "root", path: "" });
  const front = HttpFront.start({
    hostname,
    port: opts.port ?? 0,
    tls: opts.tls,
    maxBodyBytes: opts.maxRequestBytes,
    handle: (req) => handleRequest(ctx, req),
    // Modern Vault reports an over-size body as a JSON parse failure, with status 413.
    tooLarge: () => ({ status: 413, body: { errors: ["error parsing JSON"] } }),
  });
  // Refusing connections is real on the Vault port (the listener closes, so a connect gets
  // ECONNREFUSED); the control port never stops, so a test can always end the refusal.
  const control = HttpFront.start({
    hostname,
    port: opts.controlPort ?? 0,
    handle: (req) => controlOnly(ctx, req),
    tooLarge: () => ({ status: 413, body: { errors: ["control request too large"] } }),
    maxBodyBytes: 1024 * 1024,
  });
  ctx.setListening = (on) => front.setListening(on);
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return {
    address: `${opts.tls ? "https" : "http"}://${host}:${front.port}`,
    port: front.port,
    controlAddress: `http://${host}:${control.port}`,
    controlPort: control.port,
    rootToken,
    ctx,
    async stop() {
      await control.stop();
      await front.stop();
      await ctx.audit.close();
    },
  };
}

async function controlOnly(ctx: DoubleContext, req: HttpRequest): Promise<HttpResponse> {
  if (req.path === "/_double" || req.path.startsWith("/_double/")) return ctx.faults.control(req, ctx);
  return { status: 404, body: { errors: ["this port serves the double's /_double/ routes only"] } };
}
