// KV v2's answers, turned into Courier's shapes. Pure: tested with tables of real answer bodies.

import type { Kv2DataRead, Kv2Metadata, Kv2Settings, Kv2VersionInfo } from "./types.ts";

/** Vault's defaults for a key whose metadata was never written. */
export const DEFAULT_KV2_SETTINGS: Kv2Settings = {
  max_versions: 0,
  cas_required: false,
  delete_version_after: "0s",
  custom_metadata: {},
};

/**
 * The data object of GET metadata/<path> → Kv2Metadata; null when it is not that shape.
 * parseMetadata({current_version: 2, max_versions: 0, cas_required: false, delete_version_after: "0s",
 *   custom_metadata: null, versions: {…}}) → {current_version: 2, settings: {…, custom_metadata: {}}, …}
 */
export function parseMetadata(data: unknown): Kv2Metadata | null {
  if (data === null || typeof data !== "object") return null;
  const d = data as Record<string, unknown>;
  if (typeof d.current_version !== "number") return null;
  const versions: Record<string, Kv2VersionInfo> = {};
  for (const [n, v] of Object.entries((d.versions as Record<string, unknown>) ?? {})) {
    const info = (v ?? {}) as Record<string, unknown>;
    versions[n] = {
      created_time: String(info.created_time ?? ""),
      deletion_time: String(info.deletion_time ?? ""),
      destroyed: info.destroyed === true,
    };
  }
  return {
    current_version: d.current_version,
    oldest_version: Number(d.oldest_version ?? 0),
    settings: {
      max_versions: Number(d.max_versions ?? 0),
      cas_required: d.cas_required === true,
      delete_version_after: String(d.delete_version_after ?? "0s"),
      custom_metadata: stringMap(d.custom_metadata),
    },
    versions,
  };
}

/**
 * GET data/<path> → what it means. A 404 carrying version metadata is a deleted or destroyed
 * version; the caller decides what a plain 404 is (it is only "absent" when clean).
 * parseDataRead(404, {data: {data: null, metadata: {version: 3, destroyed: true, …}}}) → destroyed v3
 */
export function parseDataRead(status: number, body: unknown): Kv2DataRead | null {
  const outer = (body as { data?: unknown } | undefined)?.data;
  if (outer === null || typeof outer !== "object") return null;
  const { data, metadata } = outer as { data?: unknown; metadata?: Record<string, unknown> };
  if (!metadata || typeof metadata.version !== "number") return null;
  const version = metadata.version;
  if (status === 200 && data !== null && typeof data === "object") {
    return { state: "live", version, data: data as Record<string, unknown> };
  }
  if (status !== 404) return null;
  return metadata.destroyed === true ? { state: "destroyed", version } : { state: "deleted", version };
}

export type VersionState = "live" | "deleted" | "destroyed" | "none";

/**
 * The state of a version as its metadata says, at `now`. A deletion_time in the future is a
 * scheduled deletion (delete_version_after), not yet a deleted version.
 * versionState({deletion_time: "2020-01-01T00:00:00Z", destroyed: false}, now) → "deleted"
 */
export function versionState(info: Kv2VersionInfo | undefined, now: number): VersionState {
  if (!info) return "none";
  if (info.destroyed) return "destroyed";
  if (info.deletion_time !== "" && Date.parse(info.deletion_time) <= now) return "deleted";
  return "live";
}

/** stringMap(null) → {}; stringMap({a: "1"}) → {a: "1"} */
function stringMap(value: unknown): Record<string, string> {
  if (value === null || typeof value !== "object") return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}
