// The mount_* fields Vault copies from the mount entry into request and response blocks.
import type { LogicalRequest } from "../types.ts";

/** The Vault version the double's audit entries claim to come from (the docs' 1.19 layout). */
export const AUDIT_VAULT_VERSION = "1.19.1";

// Plugins built into Vault's own module report "+builtin.vault"; KV ships from its own repository.
const PLUGIN_VERSIONS: Record<string, string> = { kv: "v0.21.0+builtin", generic: "v0.21.0+builtin" };

/** `"kv"` → "v0.21.0+builtin"; `"system"` → "v1.19.1+builtin.vault" */
export function runningVersion(mountType: string): string {
  return PLUGIN_VERSIONS[mountType] ?? `v${AUDIT_VAULT_VERSION}+builtin.vault`;
}

/**
 * Vault's router keys mounts by namespace path + mount path, so mount_point includes the
 * namespace: "team-a/secret/". The root namespace adds nothing.
 */
export function mountPoint(req: LogicalRequest): string {
  return req.mount ? req.namespace.path + req.mount.path : "";
}
