// Builds audit entries in the layout of Vault 1.19 (its documented schema): Go struct fields in
// declaration order, which is alphabetical apart from auth's token_policies before
// token_issue_time, so `time` and `type` come last. Maps inside (data, metadata, headers) are
// sorted like every Go map. Vault 1.21 moved `time` to the front; parsers must not care.
import type { LogicalRequest, LogicalResponse, TokenEntry } from "../types.ts";
import { clientId } from "./client-id.ts";
import { accessor, callerAuth, type HashPolicy, issuedAuth } from "./entry-auth.ts";
import { goJson, omitEmpty } from "./go-json.ts";
import { rfc3339Nano } from "./go-time.ts";
import { type Hasher, hashData } from "./hmac.ts";
import { mountPoint, runningVersion } from "./mount-fields.ts";

export interface FormatPolicy extends HashPolicy {
  /** elide_list_responses=true replaces list keys with their count. */
  elideListResponses: boolean;
}

/** Headers Vault 1.19 audits by default, unhashed (sys/config/auditing/request-headers adds more). */
const DEFAULT_AUDITED_HEADERS = ["correlation-id", "user-agent", "x-correlation-id"];

/** The entry Vault writes before running a request. */
export function requestEntry(
  req: LogicalRequest,
  error: string | undefined,
  time: number,
  hash: Hasher,
  policy: FormatPolicy,
): Record<string, unknown> {
  return omitEmpty({
    auth: callerAuth(req, hash, policy),
    error,
    request: requestBlock(req, hash, policy, accessorKnownBeforeRouting(req)),
    time: rfc3339Nano(time),
    type: "request",
  });
}

/** The entry Vault writes after the request ran (or was refused). */
export function responseEntry(
  req: LogicalRequest,
  resp: LogicalResponse,
  error: string | undefined,
  time: number,
  hash: Hasher,
  policy: FormatPolicy,
  lookupToken: (id: string) => TokenEntry | undefined,
): Record<string, unknown> {
  const routed = !isRefusal(error) || accessorKnownBeforeRouting(req);
  return omitEmpty({
    auth: callerAuth(req, hash, policy),
    error,
    request: requestBlock(req, hash, policy, routed),
    response: responseBlock(req, resp, hash, policy, routed, lookupToken),
    time: rfc3339Nano(time),
    type: "response",
  });
}

/** Vault's probe entry when a device is enabled: no token, no data, path sys/audit/test. */
export function testEntry(id: string, namespace: { id: string; path: string }, time: number) {
  return {
    auth: { token_type: "default" },
    request: omitEmpty({
      id,
      namespace: omitEmpty({ id: namespace.id, path: namespace.path }),
      operation: "update",
      path: "sys/audit/test",
    }),
    time: rfc3339Nano(time),
    type: "request",
  };
}

function requestBlock(req: LogicalRequest, hash: Hasher, policy: FormatPolicy, withAccessor: boolean) {
  const token = req.token;
  const clientToken = req.clientToken === "" ? "" : policy.raw ? req.clientToken : hash(req.clientToken);
  const data = req.data && !policy.raw ? hashRequestData(req, hash) : req.data;
  return omitEmpty({
    client_id: token ? clientId(token) : "",
    client_token: clientToken,
    client_token_accessor: token ? accessor(token.accessor, hash, policy) : "",
    data,
    headers: auditedHeaders(req.headers),
    id: req.id,
    mount_accessor: withAccessor ? req.mount?.accessor : "",
    mount_class: req.mount?.mountClass,
    mount_point: mountPoint(req),
    mount_running_version: req.mount ? runningVersion(req.mount.type) : "",
    mount_type: req.mount?.type,
    namespace: omitEmpty({ id: req.namespace.id, path: req.namespace.path }),
    operation: req.operation,
    path: req.path,
    remote_address: req.remoteAddress,
    remote_port: req.remotePort,
  });
}

function responseBlock(
  req: LogicalRequest,
  resp: LogicalResponse,
  hash: Hasher,
  policy: FormatPolicy,
  routed: boolean,
  lookupToken: (id: string) => TokenEntry | undefined,
) {
  const issued = resp.auth
    ? issuedAuth(resp.auth, hash, policy, lookupToken(String(resp.auth.client_token ?? "")))
    : undefined;
  return omitEmpty({
    auth: issued,
    data: responseData(req, resp, hash, policy),
    mount_accessor: routed ? req.mount?.accessor : "",
    mount_class: req.mount?.mountClass,
    mount_point: mountPoint(req),
    mount_running_plugin_version: req.mount ? runningVersion(req.mount.type) : "",
    mount_type: req.mount?.type,
    secret: resp.lease?.id ? { lease_id: resp.lease.id } : undefined,
    warnings: resp.warnings ?? undefined,
  });
}

function hashRequestData(req: LogicalRequest, hash: Hasher): unknown {
  const plainKeys = configList(req, "audit_non_hmac_request_keys");
  return hashData(req.data, hash, { numbersAreStrings: true, plainKeys });
}

// A backend's error answer is Vault's logical.ErrorResponse: data {"error": "<text>"}.
function responseData(req: LogicalRequest, resp: LogicalResponse, hash: Hasher, policy: FormatPolicy) {
  let data: Record<string, unknown> | undefined =
    resp.raw !== undefined ? rawData(resp) : (resp.data ?? undefined);
  if (!data && resp.errors && resp.errors.length > 0) data = { error: resp.errors.join("; ") };
  if (!data) return undefined;
  if (policy.elideListResponses && req.operation === "list") data = elide(data);
  if (policy.raw) return data;
  const plainKeys = configList(req, "audit_non_hmac_response_keys");
  return hashData(data, hash, { numbersAreStrings: false, plainKeys });
}

/**
 * A raw response is audited as the map logical.RespondWithStatusCode builds: the content type and
 * the body text are strings (so HMAC'd), the status code an int (so plain); no body, no body key.
 * `{status: 404, raw: '{"request_id":…}'}` → {http_content_type, http_raw_body: '{"request_id":…}', http_status_code: 404}
 */
function rawData(resp: LogicalResponse): Record<string, unknown> {
  const body = typeof resp.raw === "string" ? resp.raw : goJson(resp.raw);
  return {
    http_content_type: "application/json",
    ...(body === "" ? {} : { http_raw_body: body }),
    http_status_code: resp.status,
  };
}

// elide_list_responses: "keys" and "key_info" become their counts, everything else stays.
function elide(data: Record<string, unknown>): Record<string, unknown> {
  const out = { ...data };
  if (Array.isArray(out.keys)) out.keys = out.keys.length;
  if (out.key_info && typeof out.key_info === "object") out.key_info = Object.keys(out.key_info).length;
  return out;
}

function auditedHeaders(headers: Map<string, string>): Record<string, string[]> | undefined {
  const out: Record<string, string[]> = {};
  for (const name of DEFAULT_AUDITED_HEADERS) {
    const value = headers.get(name);
    if (value !== undefined) out[name] = [value];
  }
  return out;
}

function configList(req: LogicalRequest, key: string): string[] | undefined {
  const value = req.mount?.config[key];
  return Array.isArray(value) ? (value as string[]) : undefined;
}

/**
 * Vault learns mount_accessor only when it routes into the backend. For create/update that
 * happens before the request entry (the existence check runs first), for other operations only
 * afterwards; a bad token stops Vault before either.
 */
function accessorKnownBeforeRouting(req: LogicalRequest): boolean {
  const passedToken = req.token !== undefined || req.policyResults !== undefined;
  return passedToken && (req.operation === "create" || req.operation === "update");
}

function isRefusal(error: string | undefined): boolean {
  return error?.includes("permission denied") === true;
}
