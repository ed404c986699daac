// sys/capabilities-self, sys/capabilities and sys/capabilities-accessor: what a token may do on paths.
import { requestAcl } from "../../authz.ts";
import type { DoubleContext } from "../../context.ts";
import type { LogicalRequest, LogicalResponse, TokenEntry } from "../../types.ts";
import { commaStringSliceField, stringField } from "../fields.ts";
import { ok, userError } from "../respond.ts";

export function capabilities(
  ctx: DoubleContext,
  req: LogicalRequest,
  which: "self" | "token" | "accessor",
): LogicalResponse {
  const token = tokenFor(ctx, req, which);
  if (!token) return which === "self" ? userError("no token found") : userError("invalid token");
  let paths = commaStringSliceField(req.data, "paths");
  if (paths.length === 0) paths = commaStringSliceField(req.data, "path");
  if (paths.length === 0) return userError("paths must be supplied");
  const ra = requestAcl(ctx, token, req.namespace);
  const data: Record<string, unknown> = {};
  for (const path of paths) data[path] = ra ? ra.acl.capabilities(ra.prefix + path) : ["deny"];
  // Kept by Vault for old clients: a single path's answer is also under "capabilities".
  if (paths.length === 1) data.capabilities = data[paths[0]!];
  return ok(data);
}

function tokenFor(
  ctx: DoubleContext,
  req: LogicalRequest,
  which: "self" | "token" | "accessor",
): TokenEntry | undefined {
  if (which === "self") return req.token;
  if (which === "token") {
    const id = stringField(req.data, "token");
    return id ? ctx.tokens.lookup(id) : undefined;
  }
  const accessor = stringField(req.data, "accessor");
  return accessor ? ctx.tokens.byAccessor(accessor) : undefined;
}
