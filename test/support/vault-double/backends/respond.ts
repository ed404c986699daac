// The few ways a Vault backend answers, as LogicalResponses. Each names the Go idiom it stands for,
// because the status code and the audit `error` follow from that idiom, not from the message.
import { goJson, sortedKeys } from "../audit/go-json.ts";
import { multierror } from "../go-format.ts";
import type { LogicalRequest, LogicalResponse } from "../types.ts";

/** `return nil, nil` from a write: 204. From a read it becomes a plain 404 (see notFound). */
export const NO_CONTENT: LogicalResponse = { status: 204 };

/** `return nil, nil` from a read, or a list with no keys: 404 {"errors":[]}. */
export function notFound(): LogicalResponse {
  return { status: 404 };
}

/** `&logical.Response{Data: data}`: 200 with Vault's wrapped body. */
export function ok(data: Record<string, unknown> | null, warnings?: string[]): LogicalResponse {
  return warnings && warnings.length > 0 ? { status: 200, data, warnings } : { status: 200, data };
}

/** Only warnings and no data still answer 200 (data: null), never 204. */
export function warningOnly(warning: string): LogicalResponse {
  return { status: 200, data: null, warnings: [warning] };
}

/** `logical.ErrorResponse(msg), logical.ErrInvalidRequest`: 400, audit error "invalid request". */
export function invalidRequest(message: string): LogicalResponse {
  return { status: 400, errors: [message], error: "invalid request" };
}

/**
 * `handleError(err)` of Vault's system backend for a coded error (mount conflicts and the like):
 * still a 400 on the wire, since the error response's text wins, but the audit keeps the error.
 */
export function codedError(message: string): LogicalResponse {
  return { status: 400, errors: [message], error: message };
}

/** `logical.ErrorResponse(msg), nil`: 400 with no error in the audit entry. */
export function userError(message: string): LogicalResponse {
  return { status: 400, errors: [message] };
}

/** `nil, logical.ErrUnsupportedOperation`: the framework has no handler for this operation. */
export function unsupportedOperation(): LogicalResponse {
  return { status: 405, errors: [multierror("unsupported operation")], error: "unsupported operation" };
}

/** `nil, logical.ErrUnsupportedPath`: no path pattern of the backend matches. */
export function unsupportedPath(): LogicalResponse {
  return { status: 404, errors: [multierror("unsupported path")], error: "unsupported path" };
}

/** `nil, logical.ErrPermissionDenied` from inside a handler. */
export function permissionDenied(message = "permission denied"): LogicalResponse {
  return { status: 403, errors: [message], error: "permission denied" };
}

/** A list answer; no keys is a plain 404 like Vault's HTTP layer makes it. */
export function listResponse(keys: string[], keyInfo?: Record<string, unknown>): LogicalResponse {
  if (keys.length === 0) return notFound();
  return ok(keyInfo ? { key_info: keyInfo, keys } : { keys });
}

/**
 * `logical.RespondWithStatusCode(resp, req, code)`: the whole wrapped body is pre-rendered with
 * json.Marshal (compact, keys of maps sorted, no trailing newline) and sent as a raw response, so
 * it carries request_id but an empty mount_type (the router sets that afterwards). KV v2 uses it
 * for the 404 of a deleted or destroyed version. The audit log sees only the raw response's fields.
 */
export function withStatusCode(
  req: LogicalRequest,
  status: number,
  data: Record<string, unknown> | null,
  warnings: string[] | null = null,
): LogicalResponse {
  const body = {
    request_id: req.id,
    lease_id: "",
    renewable: false,
    lease_duration: 0,
    data: data === null ? null : sortedKeys(data),
    wrap_info: null,
    warnings,
    auth: null,
    mount_type: "",
  };
  return { status, raw: goJson(body) };
}

/** `RespondWithStatusCode(nil, req, 404)`: status only, an empty body (KV v2 PATCH of a missing key). */
export function emptyStatus(status: number): LogicalResponse {
  return { status, raw: "" };
}
