// sys/internal/ui/mounts[/<path>]: what the UI and `vault kv` use to find a path's mount and KV
// version. Needs no sudo and no policy on sys/: any token that can reach the mount may read it.
import { hasMountAccess, type RequestAcl, requestAcl } from "../../authz.ts";
import type { DoubleContext } from "../../context.ts";
import { resolveMount } from "../../mount-table.ts";
import type { NamespaceState } from "../../state.ts";
import type { LogicalRequest, LogicalResponse, MountEntry } from "../../types.ts";
import { invalidRequest, ok, permissionDenied } from "../respond.ts";
import { mountInfo } from "./mount-info.ts";

export function uiMounts(ctx: DoubleContext, nsState: NamespaceState, req: LogicalRequest): LogicalResponse {
  const ra = req.token ? requestAcl(ctx, req.token, req.namespace) : undefined;
  const secret: Record<string, unknown> = {};
  const auth: Record<string, unknown> = {};
  for (const entry of nsState.mounts.values()) {
    const visible =
      entry.config.listing_visibility === "unauth" || (ra && hasMountAccess(ctx, ra, entry.path));
    if (!visible) continue;
    const info = ra ? mountInfo(entry, ctx.state.version) : brief(entry);
    if (entry.mountClass === "auth") auth[entry.path.slice("auth/".length)] = info;
    else secret[entry.path] = info;
  }
  return ok({ auth, secret });
}

export function uiMount(
  ctx: DoubleContext,
  nsState: NamespaceState,
  path: string,
  req: LogicalRequest,
): LogicalResponse {
  if (path === "") return invalidRequest("path not set");
  const clean = path.endsWith("/") ? path : `${path}/`;
  const denied = permissionDenied(
    `preflight capability check returned 403, please ensure client's policies grant access to path "${clean}"`,
  );
  const ra: RequestAcl | undefined = req.token ? requestAcl(ctx, req.token, req.namespace) : undefined;
  if (!ra) return permissionDenied();
  // An unknown path answers like a forbidden one, so this endpoint cannot map the mount table.
  const found = resolveMount(nsState, clean);
  if (!found || !hasMountAccess(ctx, ra, found.mount.path)) return denied;
  return ok({ ...mountInfo(found.mount, ctx.state.version), path: found.mount.path });
}

function brief(entry: MountEntry): Record<string, unknown> {
  const options = Object.keys(entry.options ?? {}).length === 0 ? null : entry.options;
  return { description: entry.description, options, type: entry.type };
}
