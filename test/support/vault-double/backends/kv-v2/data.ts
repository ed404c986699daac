// KV v2 data/<path>: read a version, write a new one, merge-patch, soft-delete the latest.
import { type Stamp, stampAt } from "../../go-format.ts";
import type { LogicalRequest, LogicalResponse } from "../../types.ts";
import { intField, mapField } from "../fields.ts";
import { cloneJson, mergePatch } from "../kv-shared.ts";
import { emptyStatus, invalidRequest, NO_CONTENT, notFound, ok, withStatusCode } from "../respond.ts";
import {
  addVersion,
  autoDeletionMs,
  checkCas,
  isDeleted,
  type KeyMeta,
  type Kv2Store,
  newKeyMeta,
  type VersionMeta,
  versionView,
} from "./store.ts";

export function readData(store: Kv2Store, key: string, req: LogicalRequest, now: number): LogicalResponse {
  const meta = store.keys.get(key);
  if (!meta) return notFound();
  const asked = intField(req.data, "version") ?? 0;
  const version = asked > 0 ? asked : meta.currentVersion;
  const vm = meta.versions.get(version);
  if (!vm) return notFound();
  const body: Record<string, unknown> = { data: null, metadata: versionView(meta, version, vm) };
  // A deleted or destroyed version is a 404 that still carries its metadata.
  if (isDeleted(vm, now) || vm.destroyed) return withStatusCode(req, 404, body);
  body.data = cloneJson(vm.data);
  return ok(body);
}

export function writeData(store: Kv2Store, key: string, req: LogicalRequest, now: number): LogicalResponse {
  const data = mapField(req.data, "data");
  if (!data) return invalidRequest("no data provided");
  const meta = store.keys.get(key) ?? newKeyMeta();
  checkCas(req.data, store.config, meta);
  const vm = newVersion(store, meta, cloneJson(data), now);
  addVersion(meta, vm, store.config.maxVersions);
  store.keys.set(key, meta);
  return ok(versionView(meta, meta.currentVersion, vm));
}

/** PATCH: a JSON merge patch of `data` onto the current version, stored as a new version. */
export function patchData(store: Kv2Store, key: string, req: LogicalRequest, now: number): LogicalResponse {
  const patch = mapField(req.data, "data");
  if (!patch) return invalidRequest("no data provided");
  const meta = store.keys.get(key);
  if (!meta) return emptyStatus(404);
  checkCas(req.data, store.config, meta);
  const current = meta.versions.get(meta.currentVersion);
  if (!current) return emptyStatus(404);
  if (isDeleted(current, now) || current.destroyed) {
    return withStatusCode(req, 404, versionView(meta, meta.currentVersion, current));
  }
  const merged = mergePatch(current.data, patch) as Record<string, unknown>;
  const vm = newVersion(store, meta, merged, now);
  addVersion(meta, vm, store.config.maxVersions);
  return ok(versionView(meta, meta.currentVersion, vm));
}

/** DELETE data/<path>: soft-deletes the latest version; a no-op for missing or already deleted keys. */
export function deleteLatest(store: Kv2Store, key: string, now: number): LogicalResponse {
  const meta = store.keys.get(key);
  const latest = meta?.versions.get(meta.currentVersion);
  if (!latest || latest.destroyed || isDeleted(latest, now)) return NO_CONTENT;
  latest.deletion = stampAt(now);
  return NO_CONTENT;
}

function newVersion(store: Kv2Store, meta: KeyMeta, data: Record<string, unknown>, now: number): VersionMeta {
  const created = stampAt(now);
  return { created, deletion: autoDeletion(store, meta, now), destroyed: false, data };
}

/** The deletion_time delete_version_after gives a version written (or undeleted) now. */
export function autoDeletion(store: Kv2Store, meta: KeyMeta, now: number): Stamp | null {
  const at = autoDeletionMs(now, store.config.deleteVersionAfter, meta.deleteVersionAfter);
  return at === undefined ? null : stampAt(at);
}
