// sys/mounts: list, read, enable and disable secrets engines (handleMount / handleUnmount).
import type { DoubleContext } from "../../context.ts";
import { addMount, removeMount, resolveMount } from "../../mount-table.ts";
import type { NamespaceState } from "../../state.ts";
import type { LogicalRequest, LogicalResponse, MountEntry } from "../../types.ts";
import { boolField, durationField, has, mapField, stringField, stringMapField } from "../fields.ts";
import { codedError, invalidRequest, NO_CONTENT, ok, userError } from "../respond.ts";
import { mountInfo } from "./mount-info.ts";

/** Secrets engines a Vault build ships; any other type is "not found in the catalog". */
const KNOWN_SECRET_TYPES = new Set([
  "kv",
  "generic",
  "transit",
  "pki",
  "totp",
  "database",
  "ssh",
  "aws",
  "azure",
  "gcp",
  "gcpkms",
  "consul",
  "nomad",
  "rabbitmq",
  "ldap",
  "openldap",
  "ad",
  "kubernetes",
  "terraform",
  "alicloud",
  "mongodbatlas",
  "kmip",
  "transform",
  "keymgmt",
  "plugin",
]);
/** Paths no engine may be mounted under (protectedMounts). */
const PROTECTED = ["audit/", "auth/", "sys/", "cubbyhole/", "identity/"];
/** Types that exist once per namespace (singletonMounts). */
const SINGLETONS = new Set([
  "cubbyhole",
  "ns_cubbyhole",
  "system",
  "ns_system",
  "token",
  "ns_token",
  "identity",
  "ns_identity",
]);

export function listMounts(ctx: DoubleContext, nsState: NamespaceState): LogicalResponse {
  const data: Record<string, unknown> = {};
  for (const entry of nsState.mounts.values()) {
    if (entry.mountClass === "secret") data[entry.path] = mountInfo(entry, ctx.state.version);
  }
  return ok(data);
}

export function readMount(ctx: DoubleContext, nsState: NamespaceState, path: string): LogicalResponse {
  const found = resolveMount(nsState, sanitize(path));
  if (found?.mount.mountClass !== "secret") return userError(`No secret engine mount at ${sanitize(path)}`);
  return ok(mountInfo(found.mount, ctx.state.version));
}

export function enableMount(
  ctx: DoubleContext,
  nsState: NamespaceState,
  rawPath: string,
  req: LogicalRequest,
): LogicalResponse {
  const path = sanitize(rawPath);
  let type = stringField(req.data, "type") ?? "";
  const options: Record<string, string> = { ...stringMapField(req.data, "options") };
  const config = mountConfig(req);
  if (typeof config === "string") return invalidRequest(config);
  if (type === "") return invalidRequest("backend type must be specified as a string");
  if (type === "kv-v1" || type === "kv-v2") {
    options.version = type === "kv-v1" ? "1" : "2";
    type = "kv";
  } else if (type !== "kv" && options.version) {
    return invalidRequest(`secrets engine "${type}" does not allow setting a version`);
  }
  if (type === "kv" && options.version && !["1", "2"].includes(options.version)) {
    return codedError(`invalid version provided: ${options.version}`);
  }
  const refused = mountRefusal(nsState, path, type, PROTECTED, KNOWN_SECRET_TYPES);
  if (refused) return refused;
  addMount(ctx, nsState, {
    path,
    type,
    description: stringField(req.data, "description") ?? "",
    options,
    config,
    local: boolField(req.data, "local") ?? false,
    sealWrap: boolField(req.data, "seal_wrap") ?? false,
  });
  return NO_CONTENT;
}

export function disableMount(nsState: NamespaceState, rawPath: string): LogicalResponse {
  const path = sanitize(rawPath);
  if (PROTECTED.some((p) => path.startsWith(p))) return codedError(`cannot unmount "${path}"`);
  // Disabling a mount that is not there succeeds, so the answer never tells whether it existed.
  if (nsState.mounts.has(path)) removeMount(nsState, path);
  return NO_CONTENT;
}

/** Why Vault would refuse to mount `type` at `path`, or undefined when it may. */
export function mountRefusal(
  nsState: NamespaceState,
  path: string,
  type: string,
  protectedPrefixes: string[],
  known: Set<string>,
): LogicalResponse | undefined {
  if (protectedPrefixes.some((p) => path.startsWith(p))) return codedError(`cannot mount "${path}"`);
  if (SINGLETONS.has(type)) return codedError(`mount type of "${type}" is not mountable`);
  for (const existing of nsState.mounts.values()) {
    if (existing.path.startsWith(path) || path.startsWith(existing.path)) {
      return codedError(`path is already in use at ${existing.path}`);
    }
  }
  if (!known.has(type)) return invalidRequest(`plugin not found in the catalog: ${type}`);
  return undefined;
}

/** The `config` block of an enable request: TTLs as seconds or duration strings. */
export function mountConfig(req: LogicalRequest): Partial<MountEntry["config"]> | string {
  const raw = mapField(req.data, "config") ?? {};
  const out: Partial<MountEntry["config"]> = {};
  for (const key of ["default_lease_ttl", "max_lease_ttl"] as const) {
    if (!has(raw, key) || raw[key] === "system" || raw[key] === "") continue;
    try {
      out[key] = durationField(raw, key)!;
    } catch {
      return `unable to parse ${key === "default_lease_ttl" ? "default" : "max"} TTL of ${String(raw[key])}`;
    }
  }
  if (out.max_lease_ttl && (out.default_lease_ttl ?? 0) > out.max_lease_ttl) {
    return "given default lease TTL greater than given max lease TTL";
  }
  if (raw.force_no_cache === true) out.force_no_cache = true;
  if (typeof raw.listing_visibility === "string" && raw.listing_visibility !== "") {
    out.listing_visibility = raw.listing_visibility;
  }
  return out;
}

/** "secret" → "secret/"; "/a//b" keeps its inner shape but gains the trailing slash. */
export function sanitize(path: string): string {
  const trimmed = path.replace(/^\/+/, "");
  return trimmed.endsWith("/") ? trimmed : `${trimmed}/`;
}
