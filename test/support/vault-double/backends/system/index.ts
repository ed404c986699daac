// The sys/ backend of one namespace: routes a path inside sys/ to its handler, answering
// "unsupported operation" / "unsupported path" like Vault's framework for anything else.
import type { DoubleContext } from "../../context.ts";
import type { NamespaceState } from "../../state.ts";
import type { Backend, LogicalRequest, LogicalResponse } from "../../types.ts";
import { unsupportedOperation, unsupportedPath } from "../respond.ts";
import { auditHash, disableAudit, enableAudit, listAudit } from "./audit.ts";
import { disableAuth, enableAuth, listAuthMounts } from "./auth-mounts.ts";
import { capabilities } from "./capabilities.ts";
import { disableMount, enableMount, listMounts, readMount } from "./mounts.ts";
import {
  deleteNamespace,
  listNamespaces,
  patchNamespace,
  readNamespace,
  writeNamespace,
} from "./namespaces.ts";
import { deletePolicy, listPolicies, readPolicy, writePolicy } from "./policies.ts";
import { readTune, writeTune } from "./tune.ts";
import { uiMount, uiMounts } from "./ui-mounts.ts";

export function systemBackend(ctx: DoubleContext, nsState: NamespaceState): Backend {
  return {
    // Vault's PathsSpecial.Root for sys: these need sudo as well as the operation's capability.
    rootPaths: [
      "audit",
      "audit/*",
      "raw",
      "raw/*",
      "rotate",
      "config/auditing/*",
      "leases/lookup/*",
      "plugins/catalog/*",
    ],
    unauthenticatedPaths: ["internal/ui/mounts", "internal/ui/mounts/*"],
    handle: (req) => route(ctx, nsState, req),
  };
}

type Handlers = Partial<
  Record<LogicalRequest["operation"] | "write", () => LogicalResponse | Promise<LogicalResponse>>
>;

/** Picks the handler for the operation; create and update share "write". */
function dispatch(req: LogicalRequest, handlers: Handlers): LogicalResponse | Promise<LogicalResponse> {
  const op = req.operation;
  const handler = handlers[op] ?? (op === "create" || op === "update" ? handlers.write : undefined);
  return handler ? handler() : unsupportedOperation();
}

function route(
  ctx: DoubleContext,
  ns: NamespaceState,
  req: LogicalRequest,
): LogicalResponse | Promise<LogicalResponse> {
  const p = req.mountSubpath;
  const rest = (prefix: string) => p.slice(prefix.length);
  if (p === "mounts") return dispatch(req, { read: () => listMounts(ctx, ns) });
  if (p.startsWith("mounts/") && p.endsWith("/tune") && p.length > "mounts//tune".length) {
    const path = p.slice("mounts/".length, -"/tune".length);
    return dispatch(req, { read: () => readTune(ns, path), write: () => writeTune(ctx, ns, path, req) });
  }
  if (p.startsWith("mounts/") && p.length > "mounts/".length) {
    const path = rest("mounts/");
    return dispatch(req, {
      read: () => readMount(ctx, ns, path),
      write: () => enableMount(ctx, ns, path, req),
      delete: () => disableMount(ns, path),
    });
  }
  if (p === "auth") return dispatch(req, { read: () => listAuthMounts(ctx, ns) });
  if (p.startsWith("auth/") && p.endsWith("/tune") && p.length > "auth//tune".length) {
    const path = `auth/${p.slice("auth/".length, -"/tune".length)}`;
    return dispatch(req, { read: () => readTune(ns, path), write: () => writeTune(ctx, ns, path, req) });
  }
  if (p.startsWith("auth/") && p.length > "auth/".length) {
    const path = rest("auth/");
    return dispatch(req, {
      write: () => enableAuth(ctx, ns, path, req),
      delete: () => disableAuth(ns, path),
    });
  }
  if (p === "internal/ui/mounts" || p === "internal/ui/mounts/") {
    return dispatch(req, { read: () => uiMounts(ctx, ns, req) });
  }
  if (p.startsWith("internal/ui/mounts/")) {
    return dispatch(req, { read: () => uiMount(ctx, ns, rest("internal/ui/mounts/"), req) });
  }
  if (p === "policies/acl" || p === "policies/acl/")
    return dispatch(req, { list: () => listPolicies(ns, false) });
  if (p.startsWith("policies/acl/")) {
    const name = rest("policies/acl/");
    return dispatch(req, {
      read: () => readPolicy(ns, name, false),
      write: () => writePolicy(ns, name, req, false),
      delete: () => deletePolicy(ns, name),
    });
  }
  if (p === "policy" || p === "policy/") {
    return dispatch(req, { read: () => listPolicies(ns, true), list: () => listPolicies(ns, true) });
  }
  if (p.startsWith("policy/")) {
    const name = rest("policy/");
    return dispatch(req, {
      read: () => readPolicy(ns, name, true),
      write: () => writePolicy(ns, name, req, true),
      delete: () => deletePolicy(ns, name),
    });
  }
  if (!ctx.namespaces && (p === "namespaces" || p.startsWith("namespaces/"))) return unsupportedPath();
  if (p === "namespaces" || p === "namespaces/")
    return dispatch(req, { list: () => listNamespaces(ctx, ns) });
  if (p.startsWith("namespaces/")) {
    const name = rest("namespaces/");
    return dispatch(req, {
      read: () => readNamespace(ctx, ns, name),
      write: () => writeNamespace(ctx, ns, name, req),
      patch: () => patchNamespace(ctx, ns, name, req),
      delete: () => deleteNamespace(ctx, ns, name),
    });
  }
  if (p === "audit") return dispatch(req, { read: () => listAudit(ctx) });
  if (p.startsWith("audit/")) {
    const path = rest("audit/");
    return dispatch(req, { write: () => enableAudit(ctx, path, req), delete: () => disableAudit(ctx, path) });
  }
  if (p.startsWith("audit-hash/"))
    return dispatch(req, { write: () => auditHash(ctx, rest("audit-hash/"), req) });
  if (p === "capabilities-self") return dispatch(req, { write: () => capabilities(ctx, req, "self") });
  if (p === "capabilities") return dispatch(req, { write: () => capabilities(ctx, req, "token") });
  if (p === "capabilities-accessor")
    return dispatch(req, { write: () => capabilities(ctx, req, "accessor") });
  return unsupportedPath();
}
