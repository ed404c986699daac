// The backend mounted at auth/token/: create, create-orphan, lookup(-self|-accessor),
// renew(-self|-accessor), revoke(-self|-accessor|-orphan), and LIST accessors.
import {
  invalidRequest,
  listResponse,
  NO_CONTENT,
  ok,
  permissionDenied,
  unsupportedPath,
} from "../backends/respond.ts";
import type { DoubleContext } from "../context.ts";
import { DoubleHttpError } from "../errors.ts";
import type { Backend, LogicalRequest, LogicalResponse, TokenEntry } from "../types.ts";
import { aclFor } from "./acl.ts";
import { parseDurationSeconds } from "./duration.ts";
import { httpAuth, lookupData } from "./token-fields.ts";

type Handler = (ctx: DoubleContext, req: LogicalRequest) => LogicalResponse;

const WRITE = ["create", "update"];

export function tokenBackend(ctx: DoubleContext): Backend {
  return {
    rootPaths: ["revoke-orphan/*", "accessors*"],
    handle(req) {
      try {
        return route(req)(ctx, req);
      } catch (err) {
        if (err instanceof DoubleHttpError && err.status === 400) return invalidRequest(err.message);
        throw err;
      }
    },
  };
}

function route(req: LogicalRequest): Handler {
  const path = req.mountSubpath;
  const op = req.operation;
  const write = WRITE.includes(op);
  if ((path === "create" || path === "create-orphan") && write) return create(path === "create-orphan");
  if (path.startsWith("create/")) return () => invalidRequest(`unknown role ${path.slice("create/".length)}`);
  if ((path === "lookup" || path === "lookup-self") && (write || op === "read"))
    return lookup(path === "lookup-self");
  if (path === "lookup-accessor" && write) return lookupAccessor;
  if ((path === "renew" || path === "renew-self") && write) return renew(path === "renew-self");
  if (path === "renew-accessor" && write) return renewAccessor;
  if ((path === "revoke" || path === "revoke-self" || path === "revoke-orphan") && write) return revoke(path);
  if (path === "revoke-accessor" && write) return revokeAccessor;
  if (path.replace(/\/$/, "") === "accessors" && op === "list") return listAccessors;
  return () => unsupportedPath();
}

function create(orphan: boolean): Handler {
  return (ctx, req) => {
    const parent = caller(ctx, req);
    const nsState = ctx.state.namespaces.get(parent.namespace.path);
    const sudo = nsState ? aclFor(parent, nsState).allows(`auth/token/${req.mountSubpath}`, "sudo") : false;
    const config = req.mount?.config;
    const entry = ctx.tokens.create(parent, req.data ?? {}, req.namespace, {
      sudo,
      orphan,
      path: `auth/token/${req.mountSubpath}`,
      mountMaxTtl: config?.max_lease_ttl ?? 0,
      mountDefaultTtl: config?.default_lease_ttl ?? 0,
    });
    const known = ctx.state.namespaces.get(req.namespace.path)?.policies;
    const warnings = entry.policies
      .filter((p) => p !== "root" && !known?.has(p))
      .map((p) => `Policy "${p}" does not exist`);
    return {
      status: 200,
      data: null,
      auth: httpAuth(entry, entry.ttl),
      warnings: warnings.length ? warnings : null,
    };
  };
}

function lookup(self: boolean): Handler {
  return (ctx, req) => {
    const id = self ? req.clientToken : String(req.data?.token ?? "") || req.clientToken;
    if (id === "") return invalidRequest("missing token ID");
    // Vault's handleLookup also finds a token on its last use: the caller's own lookup-self works.
    const entry = ctx.tokens.lookupTainted(id);
    if (!entry) return permissionDenied("bad token");
    return ok(lookupData(entry, ctx.tokens, ctx.now()));
  };
}

function lookupAccessor(ctx: DoubleContext, req: LogicalRequest): LogicalResponse {
  const data = lookupData(byAccessor(ctx, req), ctx.tokens, ctx.now());
  data.id = "";
  return ok(data);
}

function renew(self: boolean): Handler {
  return (ctx, req) => {
    const id = self ? req.clientToken : String(req.data?.token ?? "");
    if (id === "") return invalidRequest("missing token ID");
    return renewed(ctx, id, req, id);
  };
}

function renewAccessor(ctx: DoubleContext, req: LogicalRequest): LogicalResponse {
  return renewed(ctx, byAccessor(ctx, req).id, req, "");
}

function renewed(ctx: DoubleContext, id: string, req: LogicalRequest, shownToken: string): LogicalResponse {
  const increment = parseDurationSeconds(req.data?.increment ?? 0) ?? 0;
  const { entry, ttl, warnings } = ctx.tokens.renewDetailed(id, increment);
  return {
    status: 200,
    data: null,
    auth: httpAuth(entry, ttl, shownToken),
    warnings: warnings.length ? warnings : null,
  };
}

function revoke(path: string): Handler {
  return (ctx, req) => {
    const id = path === "revoke-self" ? req.clientToken : String(req.data?.token ?? "");
    if (id === "") return invalidRequest("missing token ID");
    const entry = ctx.tokens.lookup(id);
    if (entry?.type === "batch") return invalidRequest("batch tokens cannot be revoked");
    if (path === "revoke-orphan") ctx.tokens.revokeOrphan(id);
    else ctx.tokens.revoke(id);
    return NO_CONTENT;
  };
}

function revokeAccessor(ctx: DoubleContext, req: LogicalRequest): LogicalResponse {
  const accessor = String(req.data?.accessor ?? "");
  if (accessor === "") return { status: 400, errors: ["missing accessor"], error: "missing accessor" };
  const entry = ctx.tokens.byAccessor(accessor);
  if (!entry) return { status: 200, data: null, warnings: ["No token found with this accessor"] };
  ctx.tokens.revoke(entry.id);
  return NO_CONTENT;
}

function listAccessors(ctx: DoubleContext, req: LogicalRequest): LogicalResponse {
  const keys: string[] = [];
  for (const id of ctx.tokens.ids()) {
    const t = ctx.tokens.lookup(id);
    if (t && t.accessor !== "" && t.namespace.id === req.namespace.id) keys.push(t.accessor);
  }
  return listResponse(keys.sort());
}

function byAccessor(ctx: DoubleContext, req: LogicalRequest): TokenEntry {
  const accessor = String(req.data?.accessor ?? "");
  if (accessor === "") throw new DoubleHttpError(400, "missing accessor");
  const entry = ctx.tokens.byAccessor(accessor);
  if (!entry) throw new DoubleHttpError(400, "invalid accessor");
  return entry;
}

// Vault looks the parent up again (not tainted): a token on its last use has no parent to give.
function caller(ctx: DoubleContext, req: LogicalRequest): TokenEntry {
  const entry = ctx.tokens.lookup(req.clientToken);
  if (!entry) throw new DoubleHttpError(400, "parent token lookup failed: no parent found");
  return entry;
}
