// One HTTP request through the double, in the order Vault handles it: faults, raw sys handlers,
// request building, seal check, namespace, mount, token, existence check, ACL, audit request
// entry, backend, audit response entry, HTTP answer.
import { type Authorization, authorize, needsNoToken } from "./authz.ts";
import { statusHandler } from "./backends/system/status.ts";
import type { DoubleContext } from "./context.ts";
import { DoubleHttpError } from "./errors.ts";
import { multierror } from "./go-format.ts";
import { injectsData, toHttp } from "./http-respond.ts";
import { cleanPathRedirect, logicalParts } from "./logical-request.ts";
import { resolveMount } from "./mount-table.ts";
import { resolveNamespace } from "./namespaces.ts";
import type { NamespaceState } from "./state.ts";
import type { Backend, HttpRequest, HttpResponse, LogicalRequest, LogicalResponse } from "./types.ts";

const NOT_FOUND: HttpResponse = { status: 404, body: { errors: [] } };
const DENIED = "permission denied";

export async function handleRequest(ctx: DoubleContext, http: HttpRequest): Promise<HttpResponse> {
  if (http.path === "/_double" || http.path.startsWith("/_double/")) return ctx.faults.control(http, ctx);
  if (!http.path.startsWith("/v1/")) return NOT_FOUND;
  ctx.stats.countRequest(http.method, http.path);
  const clean = cleanPathRedirect(http.path);
  if (clean !== undefined) return { status: 301, headers: { Location: clean }, body: "" };
  const injected = await ctx.faults.apply(http);
  if (injected) return injected;
  const raw = statusHandler(http.path);
  if (raw) return raw(ctx, http);
  const parts = logicalParts(http);
  if ("status" in parts) return parts;
  if (ctx.state.sealed) return { status: 503, body: { errors: ["Vault is sealed"] } };
  // Without namespaces the header is not even read: the request is the root's, path as sent.
  const nsHeader = ctx.namespaces ? http.headers.get("x-vault-namespace") : undefined;
  const resolved = ctx.namespaces
    ? resolveNamespace(ctx.state, nsHeader, parts.path)
    : { nsState: ctx.state.namespaces.get("")!, path: parts.path };
  if (!resolved) return { status: 404, body: { errors: ["namespace not found"] } };
  // One being deleted answers nothing from the moment its DELETE is taken, as OpenBao's does.
  if (resolved.nsState.tainted) {
    const message = `no handler for route "${resolved.path}" on namespace "${resolved.nsState.ns.path}". route entry or namespace is tainted.`;
    return { status: 404, body: { errors: [message] } };
  }
  const req: LogicalRequest = {
    id: crypto.randomUUID(),
    operation: parts.operation,
    path: resolved.path,
    namespace: resolved.nsState.ns,
    data: parts.data,
    query: http.query,
    headers: http.headers,
    clientToken: tokenOf(http),
    token: undefined,
    remoteAddress: http.remoteAddress,
    remotePort: http.remotePort,
    mount: undefined,
    mountSubpath: resolved.path,
  };
  const resp = await runLogical(ctx, resolved.nsState, req, injectsData(parts.path));
  if (nsHeader) resp.headers = { ...resp.headers, "X-Vault-Namespace": nsHeader };
  return resp;
}

/** X-Vault-Token, else an `Authorization: Bearer` token. */
function tokenOf(http: HttpRequest): string {
  const header = http.headers.get("x-vault-token");
  if (header) return header;
  const auth = http.headers.get("authorization") ?? "";
  return auth.startsWith("Bearer ") ? auth.slice(7).trim() : "";
}

async function runLogical(
  ctx: DoubleContext,
  nsState: NamespaceState,
  req: LogicalRequest,
  inject: boolean,
): Promise<HttpResponse> {
  const op = req.operation;
  if (req.path.endsWith("/") && (op === "update" || op === "create" || op === "patch")) {
    return { status: 400, body: { errors: ["cannot write to a path ending in '/'"] } };
  }
  const found = resolveMount(nsState, req.path);
  const backend = found ? nsState.backends.get(found.mount.path) : undefined;
  if (found) {
    req.mount = found.mount;
    req.mountSubpath = found.subpath;
  }
  req.token = req.clientToken ? ctx.tokens.lookup(req.clientToken) : undefined;
  // Vault counts a use of the token before deciding on the ACL, so a refused request uses it too;
  // a token on its last use is revoked only once the request is done. Logins use no token.
  if (req.token && !needsNoToken(backend, req.mountSubpath)) {
    req.clientTokenRemainingUses = req.token.numUses;
    req.token = ctx.tokens.use(req.clientToken);
  }
  try {
    if (op === "update" && backend?.exists?.(req) === false) req.operation = "create";
    ctx.stats.countOperation(req.operation);
    const authorization = authorize(ctx, req, backend);
    if (authorization !== "allowed") return await refuse(ctx, req, authorization);
    return await runAuthorized(ctx, req, backend, found?.mount.type ?? "", inject);
  } finally {
    if (req.token) ctx.tokens.settle(req.clientToken);
  }
}

/** Audit request entry, backend, audit response entry, HTTP answer. */
async function runAuthorized(
  ctx: DoubleContext,
  req: LogicalRequest,
  backend: Backend | undefined,
  mountType: string,
  inject: boolean,
): Promise<HttpResponse> {
  if (!(await ctx.audit.logRequest(req))) {
    const failed: LogicalResponse = {
      status: 500,
      errors: [multierror("internal error")],
      error: "internal error",
    };
    const logged = await ctx.audit.logResponse(req, failed, multierror("internal error"));
    return { status: 500, body: { errors: [logged ? multierror("internal error") : "internal error"] } };
  }
  const resp = await run(backend, req);
  const error = resp.error === undefined ? undefined : multierror(resp.error);
  if (!(await ctx.audit.logResponse(req, resp, error))) {
    return { status: 500, body: { errors: ["internal error"] } };
  }
  return toHttp(resp, req, mountType, inject);
}

async function run(backend: Backend | undefined, req: LogicalRequest): Promise<LogicalResponse> {
  if (!backend) {
    return {
      status: 404,
      errors: [`no handler for route ${JSON.stringify(req.path)}. route entry not found.`],
      error: "unsupported path",
    };
  }
  try {
    return await backend.handle(req);
  } catch (err) {
    if (!(err instanceof DoubleHttpError)) throw err;
    const auditError = err.auditError ?? (err.status === 400 ? "invalid request" : undefined);
    return { status: err.status, errors: [err.message], ...(auditError ? { error: auditError } : {}) };
  }
}

/**
 * Vault writes both audit entries of a refused request, then answers 403. A bad or missing token
 * is refused with logical.ErrPermissionDenied itself, so the request entry and the body say plain
 * "permission denied"; an ACL refusal of a valid token comes back from CheckToken already wrapped
 * in a go-multierror, and that wrapped text is what the request entry, the response's data.error
 * and the body show. The response entry's `error` is the multierror either way.
 */
async function refuse(ctx: DoubleContext, req: LogicalRequest, why: Authorization): Promise<HttpResponse> {
  const text = why === "denied" ? multierror(DENIED) : DENIED;
  await ctx.audit.logRequest(req, text);
  const resp: LogicalResponse = { status: 403, errors: [text], error: DENIED };
  if (!(await ctx.audit.logResponse(req, resp, multierror(DENIED)))) {
    return { status: 500, body: { errors: ["internal error"] } };
  }
  return { status: 403, body: { errors: [text] } };
}
