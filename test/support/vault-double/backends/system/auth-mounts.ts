// sys/auth: list, enable and disable auth methods. They live in the namespace's mount table
// under "auth/<path>/" and are listed without that prefix.
import type { DoubleContext } from "../../context.ts";
import { addMount, removeMount } from "../../mount-table.ts";
import type { NamespaceState } from "../../state.ts";
import type { LogicalRequest, LogicalResponse } from "../../types.ts";
import { boolField, stringField } from "../fields.ts";
import { codedError, invalidRequest, NO_CONTENT, ok } from "../respond.ts";
import { mountInfo } from "./mount-info.ts";
import { mountConfig, mountRefusal, sanitize } from "./mounts.ts";

const KNOWN_AUTH_TYPES = new Set([
  "approle",
  "userpass",
  "ldap",
  "github",
  "jwt",
  "oidc",
  "kubernetes",
  "cert",
  "aws",
  "azure",
  "gcp",
  "okta",
  "radius",
  "alicloud",
  "cf",
  "kerberos",
  "oci",
  "saml",
  "plugin",
]);

export function listAuthMounts(ctx: DoubleContext, nsState: NamespaceState): LogicalResponse {
  const data: Record<string, unknown> = {};
  for (const entry of nsState.mounts.values()) {
    if (entry.mountClass === "auth")
      data[entry.path.slice("auth/".length)] = mountInfo(entry, ctx.state.version);
  }
  return ok(data);
}

export function enableAuth(
  ctx: DoubleContext,
  nsState: NamespaceState,
  rawPath: string,
  req: LogicalRequest,
): LogicalResponse {
  const path = `auth/${sanitize(rawPath)}`;
  const type = stringField(req.data, "type") ?? "";
  if (type === "") return invalidRequest("backend type must be specified as a string");
  const config = mountConfig(req);
  if (typeof config === "string") return invalidRequest(config);
  if (type === "token") return codedError(`mount type of "token" is not mountable`);
  const refused = mountRefusal(nsState, path, type, [], KNOWN_AUTH_TYPES);
  if (refused) return refused;
  addMount(ctx, nsState, {
    path,
    type,
    mountClass: "auth",
    description: stringField(req.data, "description") ?? "",
    config: { token_type: "default-service", ...config },
    local: boolField(req.data, "local") ?? false,
    sealWrap: boolField(req.data, "seal_wrap") ?? false,
  });
  return NO_CONTENT;
}

export function disableAuth(nsState: NamespaceState, rawPath: string): LogicalResponse {
  const path = `auth/${sanitize(rawPath)}`;
  if (path === "auth/token/") return codedError(`cannot unmount "${path}"`);
  if (nsState.mounts.has(path)) removeMount(nsState, path);
  return NO_CONTENT;
}
