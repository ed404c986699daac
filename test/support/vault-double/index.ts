// The Vault double: a server that answers like `vault server -dev` where Courier touches Vault.
// Start one per test file on a free port; many in one process are fully independent.
import { createDoubleContext, type DoubleContext } from "./context.ts";
import { HttpFront } from "./http/server.ts";
import { createNamespace } from "./mount-table.ts";
import { handleRequest } from "./pipeline.ts";

export interface VaultDoubleOptions {
  port?: number;
  hostname?: string;
  /** The root token id, like -dev-root-token-id (default "root"). */
  rootToken?: string;
  /** PEM text: serve HTTPS instead of HTTP. */
  tls?: { cert: string; key: string };
  /** Body cap in bytes (Vault's max_request_size; default 32 MiB). */
  maxRequestBytes?: number;
}

export interface VaultDouble {
  /** e.g. "http://127.0.0.1:54321" */
  address: string;
  port: number;
  rootToken: string;
  ctx: DoubleContext;
  stop(): Promise<void>;
}

export async function startVaultDouble(opts: VaultDoubleOptions = {}): Promise<VaultDouble> {
  const hostname = opts.hostname ?? "127.0.0.1";
  const rootToken = opts.rootToken ?? "root";
  const ctx = createDoubleContext({ rootToken });
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
  ctx.setListening = (on) => front.setListening(on);
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return {
    address: `${opts.tls ? "https" : "http"}://${host}:${front.port}`,
    port: front.port,
    rootToken,
    ctx,
    async stop() {
      await front.stop();
      await ctx.audit.close();
    },
  };
}
