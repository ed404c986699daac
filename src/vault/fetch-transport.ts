// node-vault's request function, built on Bun's fetch. node-vault 0.12 sends through axios, which
// costs several times more per request than Bun's fetch; node-vault takes any request-promise-like
// object as config["request-promise"]: `.defaults(opts)` must return
// `(options) => Promise<{ statusCode, body, request: { path } }>`. One Bun.FetchSession per Vault
// keeps its connections alive and carries that Vault's TLS settings.

import type { TlsSettings } from "./types.ts";

/** What node-vault hands the request function (see node-vault/src/index.js, client.request). */
export interface RpOptions {
  method: string;
  uri: string;
  headers?: Record<string, string>;
  /** An object is the JSON body; `true` (node-vault's default) means "answer is JSON", no body. */
  json?: unknown;
}

export interface RpResponse {
  statusCode: number;
  /** Parsed JSON; the raw text when the answer is not JSON; undefined when empty (204). */
  body: unknown;
  request: { path: string };
}

export type TransportFailure = "timeout" | "unreachable" | "tls";

/** No HTTP answer at all. */
export class TransportError extends Error {
  override name = "TransportError";
  constructor(
    readonly kind: TransportFailure,
    /** What happened, without the request: "ECONNREFUSED", "no answer within 500 ms". */
    readonly detail: string,
    target: string,
    options?: { cause?: unknown },
  ) {
    super(`${target}: ${detail}`, options);
  }
}

export interface FetchTransport {
  /** node-vault calls this once with its defaults; they are ignored on purpose (see below). */
  defaults(rpDefaults: unknown): (options: RpOptions) => Promise<RpResponse>;
  send(options: RpOptions): Promise<RpResponse>;
  /** Closes idle connections; requests in flight finish. */
  close(): void;
}

export interface TransportOptions {
  tls?: TlsSettings;
  /** Per request, headers and body included. Default 30 s. */
  timeoutMs?: number;
}

export function createFetchTransport(options: TransportOptions = {}): FetchTransport {
  const session = new Bun.FetchSession({ keepAlive: true, tls: bunTls(options.tls) });
  const timeoutMs = options.timeoutMs ?? 30_000;

  async function send(request: RpOptions): Promise<RpResponse> {
    const headers: Record<string, string> = { ...request.headers };
    let body: string | undefined;
    if (request.json !== null && typeof request.json === "object") {
      body = JSON.stringify(request.json);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
        headers["Content-Type"] = "application/json";
      }
    }
    try {
      const response = await session.fetch(request.uri, {
        method: request.method,
        headers,
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      const uri = request.uri;
      return {
        statusCode: response.status,
        body: parseBody(text),
        // Read only by node-vault's own response handling, which VaultHttp replaces: the URL is
        // parsed when asked for, not for every answer.
        get request() {
          return { path: pathOf(uri) };
        },
      };
    } catch (error) {
      throw toTransportError(error, request, timeoutMs);
    }
  }

  return {
    // node-vault's defaults carry `strictSSL: !process.env.VAULT_SKIP_VERIFY`, which reads
    // VAULT_SKIP_VERIFY=false as "skip". TLS is decided by this Vault's own settings instead.
    defaults: () => send,
    send,
    close: () => session.close(),
  };
}

function bunTls(tls: TlsSettings | undefined): BunFetchRequestInitTLS | undefined {
  if (!tls) return undefined;
  const out: BunFetchRequestInitTLS = {};
  if (tls.ca !== undefined) out.ca = tls.ca;
  if (tls.cert !== undefined) out.cert = tls.cert;
  if (tls.key !== undefined) out.key = tls.key;
  if (tls.rejectUnauthorized !== undefined) out.rejectUnauthorized = tls.rejectUnauthorized;
  if (tls.serverName !== undefined) out.serverName = tls.serverName;
  return out;
}

/** parseBody('{"errors":[]}') → {errors: []}; parseBody("") → undefined; parseBody("<html>") → "<html>" */
function parseBody(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function pathOf(uri: string): string {
  try {
    return new URL(uri).pathname;
  } catch {
    return uri;
  }
}

// OpenSSL's verify codes (UNABLE_TO_VERIFY_LEAF_SIGNATURE, DEPTH_ZERO_SELF_SIGNED_CERT,
// ERR_TLS_CERT_ALTNAME_INVALID, CERT_HAS_EXPIRED, …) and Bun's handshake errors.
const TLS_CODE = /CERT|SSL|TLS|SELF_SIGNED|HANDSHAKE|ALTNAME|VERIFY|SIGNATURE|ISSUER/i;

/** Names what went wrong without the request's headers (they hold the token). */
function toTransportError(error: unknown, request: RpOptions, timeoutMs: number): TransportError {
  const target = `${request.method} ${pathOf(request.uri)}`;
  const name = error instanceof Error ? error.name : "";
  const code = String((error as { code?: unknown } | null)?.code ?? "");
  if (name === "TimeoutError" || name === "AbortError") {
    return new TransportError("timeout", `no answer within ${timeoutMs} ms`, target, { cause: error });
  }
  const detail = code || (error instanceof Error ? error.message : String(error));
  const kind = TLS_CODE.test(code) ? "tls" : "unreachable";
  return new TransportError(kind, detail, target, { cause: error });
}
