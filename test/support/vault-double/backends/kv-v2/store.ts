// What a KV v2 mount holds: per key, its metadata and every version; per mount, its config.
// Field meanings and defaults follow vault-plugin-secrets-kv (KeyMetadata, VersionMetadata).
import { DoubleHttpError } from "../../errors.ts";
import { type Stamp, weakInt } from "../../go-format.ts";
import type { MountEntry } from "../../types.ts";

export interface VersionMeta {
  created: Stamp;
  deletion: Stamp | null;
  destroyed: boolean;
  /** The secret itself; null once destroyed. */
  data: Record<string, unknown> | null;
}

export interface KeyMeta {
  currentVersion: number;
  /** Starts at 0 and only moves when max_versions prunes, exactly like Vault's. */
  oldestVersion: number;
  created: Stamp | null;
  updated: Stamp | null;
  maxVersions: number;
  casRequired: boolean;
  /** Seconds; 0 = not set. */
  deleteVersionAfter: number;
  customMetadata: Record<string, string> | null;
  versions: Map<number, VersionMeta>;
}

export interface Kv2Config {
  maxVersions: number;
  casRequired: boolean;
  /** Seconds; 0 = not set, -1 = disabled for every key. */
  deleteVersionAfter: number;
}

export interface Kv2Store {
  keys: Map<string, KeyMeta>;
  config: Kv2Config;
}

const DEFAULT_MAX_VERSIONS = 10;
/** A key that no KV v1 path can be, so an upgraded mount can keep its store in the same map. */
const STORE_KEY = "\u0000kv-v2";

export function storeOf(mount: MountEntry): Kv2Store {
  let store = mount.storage.get(STORE_KEY) as Kv2Store | undefined;
  if (!store) {
    store = { keys: new Map(), config: { maxVersions: 0, casRequired: false, deleteVersionAfter: 0 } };
    mount.storage.set(STORE_KEY, store);
  }
  return store;
}

export function newKeyMeta(): KeyMeta {
  return {
    currentVersion: 0,
    oldestVersion: 0,
    created: null,
    updated: null,
    maxVersions: 0,
    casRequired: false,
    deleteVersionAfter: 0,
    customMetadata: null,
    versions: new Map(),
  };
}

/** A version counts as deleted once its deletion_time has passed (delete_version_after sets it ahead). */
export function isDeleted(vm: VersionMeta, nowMs: number): boolean {
  return vm.deletion !== null && vm.deletion.ms <= nowMs;
}

/** The metadata block a data read, write or patch answers with. */
export function versionView(meta: KeyMeta, version: number, vm: VersionMeta): Record<string, unknown> {
  return {
    created_time: vm.created.text,
    custom_metadata: meta.customMetadata,
    deletion_time: vm.deletion?.text ?? "",
    destroyed: vm.destroyed,
    version,
  };
}

/**
 * When a new or undeleted version is deleted automatically: the shorter of the mount's and the
 * key's delete_version_after, if either is set (deletionTime in delete_version_after.go).
 * (1000, 60, 0) → 61000; (1000, 0, 0) → undefined
 */
export function autoDeletionMs(fromMs: number, mountSeconds: number, keySeconds: number): number | undefined {
  if (mountSeconds < 0 || (mountSeconds === 0 && keySeconds === 0)) return undefined;
  let min = keySeconds;
  if ((mountSeconds !== 0 && mountSeconds < min) || min === 0) min = mountSeconds;
  return fromMs + min * 1000;
}

/**
 * Adds a version and prunes the oldest beyond max_versions (KeyMetadata.AddVersion): the larger of
 * the key's and the mount's setting, else 10.
 */
export function addVersion(meta: KeyMeta, vm: VersionMeta, mountMax: number): void {
  meta.currentVersion++;
  meta.versions.set(meta.currentVersion, vm);
  meta.updated = vm.created;
  meta.created ??= vm.created;
  const configured = Math.max(meta.maxVersions, mountMax);
  const max = configured > 0 ? configured : DEFAULT_MAX_VERSIONS;
  if (meta.currentVersion - meta.oldestVersion >= max) {
    const toDelete = meta.currentVersion - max;
    for (let v = meta.oldestVersion; v <= toDelete; v++) meta.versions.delete(v);
    meta.oldestVersion = toDelete + 1;
  }
}

/**
 * validateCheckAndSetOption: `options.cas` must equal the current version (0 = key absent), and is
 * required when the mount or the key says cas_required.
 */
export function checkCas(data: Record<string, unknown> | undefined, config: Kv2Config, meta: KeyMeta): void {
  const options = data?.options;
  const hasCas =
    options !== null && typeof options === "object" && !Array.isArray(options) && "cas" in options;
  if (hasCas) {
    const cas = weakInt((options as Record<string, unknown>).cas);
    if (cas === undefined)
      throw new DoubleHttpError(400, "error parsing check-and-set parameter", "invalid request");
    if (cas !== meta.currentVersion) {
      throw new DoubleHttpError(
        400,
        "check-and-set parameter did not match the current version",
        "invalid request",
      );
    }
  } else if (config.casRequired || meta.casRequired) {
    throw new DoubleHttpError(400, "check-and-set parameter required for this call", "invalid request");
  }
}
