// One Vault's HTTP API through node-vault, with every answer kept whole: node-vault builds the URL
// and headers, the fetch transport carries them, and the status code comes back to us untouched
// so that a clean 404, KV v2's 404-with-body, a 403 and a 503 are never mixed up.

import nodeVault from "node-vault";
import { type CallContext, capabilitiesFor, classifyStatus, VaultCallError } from "./call-error.ts";
import { createFetchTransport, type FetchTransport, TransportError } from "./fetch-transport.ts";
import type { TlsSettings } from "./types.ts";

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
    this.address = address.replace(/\/+$/, "");
    this.transport = createFetchTransport(options);
    this.client = nodeVault({
      endpoint: this.address,
      apiVersion: "v1",
      noCustomHTTPVerbs: true,
      "request-promise": this.transport,
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

/** Segments encodeURIComponent leaves alone, none empty but a last one: returned as joined. */
const PLAIN_PATH = /^[\w.~-]+(?:\/[\w.~-]+)*\/?$/;

/**
 * A path for vaultPath segments: each segment URL-encoded, slashes kept. Every Vault call makes
 * one, so a path with nothing to encode or drop skips the split and join.
 */
export function vaultPath(...parts: string[]): string {
  const joined = parts.join("/");
  if (PLAIN_PATH.test(joined)) return joined;
  return parts
    .join("/")
    .split("/")
    .filter((segment, i, all) => segment !== "" || i === all.length - 1)
    .map(encodeURIComponent)
    .join("/");
}
