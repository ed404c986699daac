// A backend's LogicalResponse → the HTTP answer Vault gives (respondLogical / respondErrorCommon).
import type { HttpResponse, LogicalRequest, LogicalResponse } from "./types.ts";

/** sys routes whose data Vault also copies to the top level of the body (injectDataIntoTopRoutes). */
const INJECT_EXACT = new Set([
  "sys/audit",
  "sys/auth",
  "sys/mounts",
  "sys/policy",
  "sys/capabilities",
  "sys/capabilities-accessor",
  "sys/capabilities-self",
  "sys/config/cors",
  "sys/config/auditing/request-headers",
  "sys/key-status",
  "sys/remount",
  "sys/rotate",
  "sys/wrapping/wrap",
]);
const INJECT_PREFIX = ["sys/audit/", "sys/audit-hash/", "sys/auth/", "sys/mounts/", "sys/policy/"];

/** Whether the HTTP path (after /v1/) is one Vault answers with data injected at the top level. */
export function injectsData(httpPath: string): boolean {
  return INJECT_EXACT.has(httpPath) || INJECT_PREFIX.some((p) => httpPath.startsWith(p));
}

const EMPTY = new Uint8Array(0);

export function toHttp(
  resp: LogicalResponse,
  req: LogicalRequest,
  mountType: string,
  inject: boolean,
): HttpResponse {
  if (resp.raw !== undefined) {
    // Pre-rendered text goes out byte for byte, still as application/json like Vault's respondRaw.
    const body = typeof resp.raw === "string" ? (resp.raw === "" ? EMPTY : Buffer.from(resp.raw)) : resp.raw;
    return { status: resp.status, body };
  }
  if (resp.errors !== undefined || resp.status >= 400) {
    return { status: resp.status, body: { errors: resp.errors ?? [] } };
  }
  const data = resp.data ?? null;
  const warnings = resp.warnings && resp.warnings.length > 0 ? resp.warnings : null;
  // An empty list is a 404 like a missing key (respondErrorCommon).
  if (req.operation === "list" && !warnings && isEmptyList(data))
    return { status: 404, body: { errors: [] } };
  if (data === null && !warnings && !resp.auth && !resp.lease) {
    return req.operation === "read" || req.operation === "list"
      ? { status: 404, body: { errors: [] } }
      : { status: 204 };
  }
  const body: Record<string, unknown> = {
    request_id: req.id,
    lease_id: resp.lease?.id ?? "",
    renewable: resp.lease?.renewable ?? false,
    lease_duration: resp.lease?.duration ?? 0,
    data: data === null ? null : sortKeys(data),
    wrap_info: null,
    warnings,
    auth: resp.auth ?? null,
    mount_type: mountType,
  };
  return { status: 200, body: inject && data ? { ...(body.data as object), ...body } : body };
}

function isEmptyList(data: Record<string, unknown> | null): boolean {
  if (data === null || Object.keys(data).length === 0) return true;
  if (!("keys" in data)) return false;
  return !Array.isArray(data.keys) || data.keys.length === 0;
}

/** Go's encoding/json writes map keys sorted; response data are maps all the way down. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  const keys = Object.keys(value);
  const out: Record<string, unknown> = {};
  for (const key of keys.sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
  return out;
}
