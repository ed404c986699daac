// KV v2 metadata/<path>: settings and version history of a key; LIST walks the key tree.
import { goDuration, multierror, stampAt } from "../../go-format.ts";
import type { LogicalRequest, LogicalResponse } from "../../types.ts";
import { boolField, durationField, has, intField, mapField } from "../fields.ts";
import { childKeys } from "../kv-shared.ts";
import { emptyStatus, listResponse, NO_CONTENT, notFound, ok, userError, warningOnly } from "../respond.ts";
import { type Kv2Store, newKeyMeta } from "./store.ts";

const CAS_IGNORED =
  '"cas_required" set to false, but is mandated by backend config. This value will be ignored.';

export function readMetadata(store: Kv2Store, key: string): LogicalResponse {
  const meta = store.keys.get(key);
  if (!meta) return notFound();
  const versions: Record<string, unknown> = {};
  for (const [n, vm] of meta.versions) {
    versions[String(n)] = {
      created_time: vm.created.text,
      deletion_time: vm.deletion?.text ?? "",
      destroyed: vm.destroyed,
    };
  }
  return ok({
    cas_required: meta.casRequired,
    created_time: meta.created?.text ?? "",
    current_version: meta.currentVersion,
    custom_metadata: meta.customMetadata,
    delete_version_after: goDuration(meta.deleteVersionAfter),
    max_versions: meta.maxVersions,
    oldest_version: meta.oldestVersion,
    updated_time: meta.updated?.text ?? "",
    versions,
  });
}

export function listMetadata(store: Kv2Store, key: string, req: LogicalRequest): LogicalResponse {
  const keys = childKeys(store.keys.keys(), key);
  if (boolField(req.data, "exclude_deleted") !== true) return listResponse(keys);
  // exclude_deleted drops keys whose current version has any deletion_time (even a future one).
  return listResponse(
    keys.filter((name) => {
      if (name.endsWith("/")) return true;
      const meta = store.keys.get(key + name);
      return !meta?.versions.get(meta.currentVersion)?.deletion;
    }),
  );
}

export function writeMetadata(
  store: Kv2Store,
  key: string,
  req: LogicalRequest,
  now: number,
): LogicalResponse {
  if (key === "") return userError("missing path");
  const fields = ["max_versions", "cas_required", "delete_version_after", "custom_metadata"];
  if (!fields.some((f) => has(req.data, f))) return NO_CONTENT;
  const maxVersions = intField(req.data, "max_versions");
  const casRequired = boolField(req.data, "cas_required");
  const dva = durationField(req.data, "delete_version_after");
  const custom = readCustomMetadata(req.data, false);
  if (typeof custom === "string") return userError(custom);
  let meta = store.keys.get(key);
  if (!meta) {
    const created = stampAt(now);
    meta = { ...newKeyMeta(), created, updated: created };
    store.keys.set(key, meta);
  }
  if (maxVersions !== undefined) meta.maxVersions = maxVersions;
  if (casRequired !== undefined) meta.casRequired = casRequired;
  if (dva !== undefined) meta.deleteVersionAfter = dva;
  if (custom !== undefined) meta.customMetadata = emptyToNull(custom);
  return casRequired === false && store.config.casRequired ? warningOnly(CAS_IGNORED) : NO_CONTENT;
}

/** PATCH metadata/<path>: merge-patch of the settings; custom_metadata keys set to null are removed. */
export function patchMetadata(store: Kv2Store, key: string, req: LogicalRequest): LogicalResponse {
  if (key === "") return userError("missing path");
  const custom = readCustomMetadata(req.data, true);
  if (typeof custom === "string") return userError(custom);
  const meta = store.keys.get(key);
  if (!meta) return emptyStatus(404);
  const maxVersions = intField(req.data, "max_versions");
  const casRequired = boolField(req.data, "cas_required");
  const dva = durationField(req.data, "delete_version_after");
  if (maxVersions !== undefined) meta.maxVersions = maxVersions;
  if (casRequired !== undefined) meta.casRequired = casRequired;
  if (dva !== undefined) meta.deleteVersionAfter = dva;
  if (custom !== undefined) {
    const merged: Record<string, string> = { ...(meta.customMetadata ?? {}) };
    const raw = mapField(req.data, "custom_metadata")!;
    for (const [k, v] of Object.entries(raw)) if (v === null) delete merged[k];
    Object.assign(merged, custom);
    meta.customMetadata = emptyToNull(merged);
  }
  return casRequired === false && store.config.casRequired ? warningOnly(CAS_IGNORED) : NO_CONTENT;
}

export function deleteMetadata(store: Kv2Store, key: string): LogicalResponse {
  store.keys.delete(key);
  return NO_CONTENT;
}

/** A key exists for the existence check once it has metadata, even with no version. */
export function keyExists(store: Kv2Store, key: string): boolean {
  return store.keys.has(key);
}

/** Proto maps drop empty maps, so an empty custom_metadata reads back as null. */
function emptyToNull(map: Record<string, string>): Record<string, string> | null {
  return Object.keys(map).length === 0 ? null : map;
}

/**
 * custom_metadata as strings, validated like validateCustomMetadata: at most 64 keys, keys 1–128
 * and values 1–512 bytes, printable. A string result is the error text to answer with.
 */
function readCustomMetadata(
  data: Record<string, unknown> | undefined,
  dropNulls: boolean,
): Record<string, string> | string | undefined {
  const raw = mapField(data, "custom_metadata");
  if (!raw) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === null && dropNulls) continue;
    out[k] = v === null || v === undefined ? "" : typeof v === "object" ? JSON.stringify(v) : String(v);
  }
  const prefix = "custom_metadata validation failed";
  const entries = Object.entries(out);
  if (entries.length > 64) {
    return multierror(`${prefix}: payload must contain at most 64 keys, provided ${entries.length}`);
  }
  const errors: string[] = [];
  for (const [k, v] of entries) {
    const kl = Buffer.byteLength(k);
    const vl = Buffer.byteLength(v);
    if (kl === 0 || kl > 128) {
      errors.push(`${prefix}: length of key ${JSON.stringify(k)} is ${kl} but must be 0 < len(key) <= 128`);
    }
    if (vl === 0 || vl > 512) {
      errors.push(
        `${prefix}: length of value for key ${JSON.stringify(k)} is ${vl} but must be 0 < len(value) <= 512`,
      );
    }
    if (!printable(k))
      errors.push(`${prefix}: key ${JSON.stringify(k)} (${k}) contains unprintable characters`);
    if (!printable(v))
      errors.push(`${prefix}: value for key ${JSON.stringify(k)} contains unprintable characters`);
  }
  return errors.length > 0 ? multierror(errors) : out;
}

/** strutil.Printable: no control characters (C0, DEL, C1). */
function printable(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) return false;
  }
  return true;
}
