// One Vault's HTTP API, every answer kept whole: node-vault builds the URL and headers, a request
// function on Bun's fetch carries them, and the status code comes back untouched so that a clean
// 404, KV v2's 404-with-body, a 403 and a 503 are never mixed up. VaultHttp sends with the token it
// is given; VaultCaller adds the token source's current token and the one retry after a 403.

import nodeVault from "node-vault";
import { messageOf } from "../errors.ts";
import { vaultName } from "./address.ts";
import type { TokenSource } from "./auth.ts";
import { type CallContext, capabilitiesFor, classifyStatus, VaultCallError } from "./errors.ts";
import { SharedDeadlines } from "./shared-deadlines.ts";

/** TLS settings for one Vault, as Vault's CLI takes them (PEM text, not file names). */
export interface TlsSettings {
  ca?: string;
  cert?: string;
  key?: string;
  /** false skips certificate verification: loud in the log, for test setups only. */
  rejectUnauthorized?: boolean;
  /** The name the certificate must carry when it differs from the address's host. */
  serverName?: string;
}

export type HttpMethod = "GET" | "PUT" | "POST" | "DELETE" | "PATCH";

export interface VaultRequest {
  method: HttpMethod;
  /** Relative to /v1/ and the namespace, built with vaultPath(): "secret/data/app". */
  path: string;
  /** "" or absent for the root namespace. */
  namespace?: string;
  /** LIST, sent as GET ?list=true (Bun's fetch cannot send the LIST verb). */
  list?: boolean;
  query?: Record<string, string>;
  body?: unknown;
  /** For 403 messages when the method alone does not say (KV v2 delete/ needs "update"). */
  capabilities?: string[];
}

export interface VaultReply {
  status: number;
  body: unknown;
}

export interface HttpOptions {
  tls?: TlsSettings;
  timeoutMs?: number;
}

export class VaultHttp {
  readonly address: string;
  private readonly transport: FetchTransport;
  private readonly client: ReturnType<typeof nodeVault>;

  constructor(address: string, options: HttpOptions = {}) {
    this.address = vaultName(address);
    this.transport = createFetchTransport(options);
    this.client = nodeVault({
      endpoint: this.address,
      apiVersion: "v1",
      noCustomHTTPVerbs: true,
      "request-promise": this.transport,
      tv4: requestShapeCheck,
      debug: silent,
    });
    // node-vault falls back to VAULT_TOKEN, VAULT_NAMESPACE and VAULT_PREFIX from the environment
    // and would put them on every call; each call here says its own token and namespace.
    const settings = this.client as unknown as { token: string; namespace: string; pathPrefix: string };
    settings.token = "";
    settings.namespace = "";
    settings.pathPrefix = "";
    // node-vault rejects every status but 200/204 and special-cases sys/health; keep the reply
    // whole and classify it ourselves.
    this.client.handleVaultResponse = (reply) => Promise.resolve(reply);
  }

  /** Sends one request with `token` ("" sends none). Throws only when no answer came back. */
  async send(request: VaultRequest, token: string): Promise<VaultReply> {
    const headers: Record<string, string> = { "X-Vault-Request": "true" };
    if (token) headers["X-Vault-Token"] = token;
    if (request.namespace) headers["X-Vault-Namespace"] = request.namespace;
    const search = request.query || request.list ? searchOf(request) : "";
    try {
      const reply = await this.client.request({
        path: `/${request.path}${search}`,
        method: request.method,
        headers,
        ...(request.body === undefined ? {} : { json: request.body }),
      });
      return { status: reply.statusCode, body: reply.body };
    } catch (error) {
      if (error instanceof TransportError) {
        throw new VaultCallError(error.kind, this.context(request), undefined, error.detail, [], {
          cause: error,
        });
      }
      throw error;
    }
  }

  /** The error for a reply the caller did not expect. */
  failure(request: VaultRequest, reply: VaultReply): VaultCallError {
    const errors = errorsOf(reply.body) ?? [];
    const reason = classifyStatus(reply.status, errors);
    const capabilities =
      reason === "permission-denied"
        ? (request.capabilities ?? capabilitiesFor(request.method, request.list === true))
        : [];
    return new VaultCallError(reason, this.context(request), reply.status, errors[0] ?? "", capabilities);
  }

  /** An answer whose shape is not what Vault documents. */
  malformed(request: VaultRequest, reply: VaultReply, what: string): VaultCallError {
    return new VaultCallError("unexpected", this.context(request), reply.status, what);
  }

  close(): void {
    this.transport.close();
  }

  private context(request: VaultRequest): CallContext {
    return {
      vault: this.address,
      method: request.method,
      path: request.path,
      namespace: request.namespace ?? "",
      list: request.list,
    };
  }
}

// node-vault checks every request against a JSON schema with tv4 (path and method are strings),
// which cost about 14 µs a request, most of what node-vault adds to one: this is the same check.
// And its `debug` would print each request's body (secret values) to stderr under DEBUG=node-vault,
// past the log's scrubber: Courier's own log says what it sends, without values.
const requestShapeCheck = Object.assign(() => true, {
  error: new Error("a Vault request needs a path and a method"),
  validate: (options: { path?: unknown; method?: unknown }) =>
    typeof options.path === "string" && typeof options.method === "string",
});
const silent = () => {};

/** errorsOf({errors: ["permission denied"]}) → ["permission denied"]; errorsOf({data: {}}) → null */
export function errorsOf(body: unknown): string[] | null {
  if (body === null || typeof body !== "object") return null;
  const errors = (body as { errors?: unknown }).errors;
  return Array.isArray(errors) ? errors.map(String) : null;
}

/**
 * Only this means "absent": 404 and an empty errors list (Vault's answer for a path with nothing
 * stored). A 404 with a message is a missing route; a 404 with data is a KV v2 deleted version.
 * isCleanNotFound({status: 404, body: {errors: []}}) → true
 */
export function isCleanNotFound(reply: VaultReply): boolean {
  if (reply.status !== 404) return false;
  const errors = errorsOf(reply.body);
  if (errors === null || errors.length > 0) return false;
  return (reply.body as { data?: unknown }).data === undefined;
}

/** searchOf({list: true, …}) → "?list=true"; searchOf({query: {version: "2"}, …}) → "?version=2" */
function searchOf(request: VaultRequest): string {
  const query = new URLSearchParams(request.query);
  if (request.list) query.set("list", "true");
  return query.size > 0 ? `?${query}` : "";
}

/** Only characters encodeURIComponent leaves alone, and slashes. */
const PLAIN_PATH = /^[\w.~/-]*$/;

/**
 * A path for vaultPath segments: each segment URL-encoded, slashes kept, empty segments dropped
 * but a last one. Every Vault call makes one, and the usual one (a mount with its trailing slash,
 * then plain names) has nothing to encode: its doubled slashes are folded without the split and join.
 * vaultPath("secret/", "data", "app/db") → "secret/data/app/db"
 */
export function vaultPath(...parts: string[]): string {
  const joined = parts.join("/");
  if (PLAIN_PATH.test(joined)) {
    // Most paths are already clean: no regex replace (and its new string) for them.
    const folded = joined.includes("//") ? joined.replace(/\/{2,}/g, "/") : joined;
    return folded.startsWith("/") ? folded.slice(1) : folded;
  }
  return joined
    .split("/")
    .filter((segment, i, all) => segment !== "" || i === all.length - 1)
    .map(encodeURIComponent)
    .join("/");
}

/**
 * Authenticated calls to one Vault: every request gets the token source's current token, and a 403
 * is repeated once when the token source has a fresher token (an AppRole token that expired).
 */
export class VaultCaller {
  constructor(
    readonly http: VaultHttp,
    readonly tokens: TokenSource,
  ) {}

  get address(): string {
    return this.http.address;
  }

  /** Any answer comes back; only a missing answer (refused, timeout) throws. */
  async call(request: VaultRequest): Promise<VaultReply> {
    const token = await this.tokens.token();
    const reply = await this.http.send(request, token);
    if (reply.status === 403 && (await this.tokens.afterDenied(token))) {
      return this.http.send(request, await this.tokens.token());
    }
    return reply;
  }

  /** 200 → its body, 204 → undefined; anything else throws a VaultCallError. */
  async expect(request: VaultRequest): Promise<unknown> {
    const reply = await this.call(request);
    if (reply.status === 200 || reply.status === 204) return reply.body;
    throw this.http.failure(request, reply);
  }

  /** Like expect(), but a clean 404 (nothing stored there) → null. */
  async readOrAbsent(request: VaultRequest): Promise<unknown | null> {
    const reply = await this.call(request);
    if (reply.status === 200) return reply.body;
    if (isCleanNotFound(reply)) return null;
    throw this.http.failure(request, reply);
  }

  /** LIST: an empty folder is a clean 404 in Vault → []. */
  async list(request: Omit<VaultRequest, "method" | "list">): Promise<string[]> {
    const full: VaultRequest = { ...request, method: "GET", list: true };
    const body = await this.readOrAbsent(full);
    if (body === null) return [];
    const keys = (body as { data?: { keys?: unknown } }).data?.keys;
    if (!Array.isArray(keys)) throw this.http.malformed(full, { status: 200, body }, "list without keys");
    return keys.map(String);
  }
}

// node-vault's request function, built on Bun's fetch. node-vault 0.12 sends through axios, which
// costs several times more per request than Bun's fetch; node-vault takes any request-promise-like
// object as config["request-promise"]: `.defaults(opts)` must return
// `(options) => Promise<{ statusCode, body, request: { path } }>`. One Bun.FetchSession per Vault
// keeps its connections alive and carries that Vault's TLS settings.

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
  const deadlines = new SharedDeadlines(timeoutMs);

  async function send(request: RpOptions): Promise<RpResponse> {
    const headers: Record<string, string> = { ...request.headers };
    let body: string | undefined;
    if (request.json !== null && typeof request.json === "object") {
      body = JSON.stringify(request.json);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === "content-type")) {
        headers["Content-Type"] = "application/json";
      }
    }
    // Not AbortSignal.timeout(): it would keep every request's timer alive for the whole timeout,
    // hundreds of thousands at a time at thousands of requests a second; a deadline is shared by
    // the requests of a few milliseconds and ends with the last of their answers.
    const deadline = deadlines.take();
    try {
      const response = await session.fetch(request.uri, {
        method: request.method,
        headers,
        body,
        signal: deadline.signal,
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
    } finally {
      deadline.release();
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
  const detail = code || messageOf(error);
  const kind = TLS_CODE.test(code) ? "tls" : "unreachable";
  return new TransportError(kind, detail, target, { cause: error });
}
