// sys/namespaces (Vault Enterprise, OpenBao): child namespaces of the namespace the request is in.
// Each gets its own mounts and policies; X-Vault-Namespace or a path prefix selects it.
import type { DoubleContext } from "../../context.ts";
import { createNamespace } from "../../mount-table.ts";
import type { NamespaceState } from "../../state.ts";
import type { LogicalRequest, LogicalResponse } from "../../types.ts";
import { mapField } from "../fields.ts";
import { listResponse, notFound, ok, userError, warningOnly } from "../respond.ts";

const RESERVED = new Set(["root", "sys", "audit", "auth", "cubbyhole", "identity"]);
const ID_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

function describe(child: NamespaceState): Record<string, unknown> {
  return {
    custom_metadata: { ...child.customMetadata },
    id: child.ns.id,
    locked: false,
    path: child.ns.path,
    tainted: child.tainted === true,
  };
}

export function listNamespaces(ctx: DoubleContext, parent: NamespaceState): LogicalResponse {
  const keys = [...parent.children].sort().map((name) => `${name}/`);
  const keyInfo: Record<string, unknown> = {};
  for (const key of keys) keyInfo[key] = describe(ctx.state.namespaces.get(parent.ns.path + key)!);
  return listResponse(keys, keyInfo);
}

export function readNamespace(ctx: DoubleContext, parent: NamespaceState, name: string): LogicalResponse {
  const child = ctx.state.namespaces.get(parent.ns.path + canonical(name));
  return child ? ok(describe(child)) : notFound();
}

export function writeNamespace(
  ctx: DoubleContext,
  parent: NamespaceState,
  name: string,
  req: LogicalRequest,
): LogicalResponse {
  const path = canonical(name);
  const segments = path.split("/").filter(Boolean);
  if (segments.length === 0) return userError("namespace path must not be empty");
  if (segments.some((s) => RESERVED.has(s)))
    return userError(`"${path}" is a reserved path and cannot be used as a namespace`);
  const parentPath =
    parent.ns.path +
    segments
      .slice(0, -1)
      .map((s) => `${s}/`)
      .join("");
  const direct = ctx.state.namespaces.get(parentPath);
  if (!direct) return userError(`parent namespace "${parentPath}" does not exist`);
  const custom = mapField(req.data, "custom_metadata");
  const fullPath = parent.ns.path + path;
  let child = ctx.state.namespaces.get(fullPath);
  if (!child) {
    child = createNamespace(ctx, { id: newId(), path: fullPath });
    direct.children.add(segments.at(-1)!);
  }
  if (custom)
    child.customMetadata = Object.fromEntries(Object.entries(custom).map(([k, v]) => [k, String(v)]));
  return ok(describe(child));
}

export function patchNamespace(
  ctx: DoubleContext,
  parent: NamespaceState,
  name: string,
  req: LogicalRequest,
): LogicalResponse {
  const child = ctx.state.namespaces.get(parent.ns.path + canonical(name));
  if (!child) return notFound();
  const patch = mapField(req.data, "custom_metadata") ?? {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete child.customMetadata[k];
    else child.customMetadata[k] = String(v);
  }
  return ok(describe(child));
}

/**
 * Answered as OpenBao 2.7.2 does: a missing namespace is only a warning; one with children — a
 * child being deleted counts until it is gone — is refused. Deletion runs in the background and
 * the answer says "in-progress": until it ends (DELETION_MS here; ~0.1–0.4 s for a few thousand
 * keys there) the namespace is still listed and read with tainted: true, while requests inside it
 * already answer "namespace not found". Deleting it again meanwhile answers "in-progress" again.
 */
export function deleteNamespace(ctx: DoubleContext, parent: NamespaceState, name: string): LogicalResponse {
  const path = parent.ns.path + canonical(name);
  const child = ctx.state.namespaces.get(path);
  if (!child) return warningOnly("requested namespace does not exist");
  if (child.children.size > 0) return userError("unable to delete namespace containing child namespaces");
  if (child.tainted) return ok({ status: "in-progress" });
  child.tainted = true;
  const gone = setTimeout(() => {
    if (ctx.state.namespaces.get(path) !== child) return;
    ctx.state.namespaces.delete(path);
    const segments = path.split("/").filter(Boolean);
    const parentPath = segments
      .slice(0, -1)
      .map((s) => `${s}/`)
      .join("");
    ctx.state.namespaces.get(parentPath)?.children.delete(segments.at(-1)!);
  }, DELETION_MS);
  gone.unref?.();
  return ok({ status: "in-progress" });
}

/** How long a deletion takes in the background. */
const DELETION_MS = 30;

/** "team-a" → "team-a/"; "/a/b/" → "a/b/" */
export function canonical(name: string): string {
  const trimmed = name.replace(/^\/+|\/+$/g, "");
  return trimmed === "" ? "" : `${trimmed}/`;
}

/** Vault Enterprise namespace ids are five random letters and digits. */
function newId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(5));
  return [...bytes].map((b) => ID_CHARS[b % ID_CHARS.length]).join("");
}
