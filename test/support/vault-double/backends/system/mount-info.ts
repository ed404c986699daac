// One mount as sys/mounts, sys/auth and sys/internal/ui/mounts describe it.

import type { MountEntry } from "../../types.ts";
import { SYSTEM_DEFAULT_TTL } from "../kv-v1.ts";

const KV_PLUGIN_VERSION = "v0.21.0+builtin";

export function mountInfo(entry: MountEntry, vaultVersion: string): Record<string, unknown> {
  const config: Record<string, unknown> = {
    default_lease_ttl: entry.config.default_lease_ttl,
    force_no_cache: entry.config.force_no_cache ?? false,
    max_lease_ttl: entry.config.max_lease_ttl,
  };
  for (const key of [
    "token_type",
    "listing_visibility",
    "passthrough_request_headers",
    "allowed_response_headers",
  ]) {
    if (entry.config[key] !== undefined) config[key] = entry.config[key];
  }
  const builtinCore = /^(ns_)?(system|cubbyhole|identity|token)$/.test(entry.type);
  const info: Record<string, unknown> = {
    accessor: entry.accessor,
    config,
    description: entry.description,
    external_entropy_access: false,
    local: entry.local,
    options: Object.keys(entry.options ?? {}).length === 0 ? null : entry.options,
    plugin_version: "",
    running_plugin_version: builtinCore
      ? `v${vaultVersion}+builtin.vault`
      : entry.type === "kv" || entry.type === "generic"
        ? KV_PLUGIN_VERSION
        : `v${vaultVersion}+builtin`,
    running_sha256: "",
    seal_wrap: entry.sealWrap,
    type: entry.type,
    uuid: entry.uuid,
  };
  if (!builtinCore) info.deprecation_status = "supported";
  return info;
}

/** What sys/mounts/<path>/tune reads: effective TTLs fall back to the system's 768h. */
export function tuneInfo(entry: MountEntry): Record<string, unknown> {
  const info: Record<string, unknown> = {
    default_lease_ttl: entry.config.default_lease_ttl || SYSTEM_DEFAULT_TTL,
    description: entry.description,
    force_no_cache: entry.config.force_no_cache ?? false,
    max_lease_ttl: entry.config.max_lease_ttl || SYSTEM_DEFAULT_TTL,
  };
  if (entry.config.token_type !== undefined) info.token_type = entry.config.token_type;
  if (entry.config.listing_visibility) info.listing_visibility = entry.config.listing_visibility;
  if (Object.keys(entry.options ?? {}).length > 0) info.options = entry.options;
  return info;
}
