// KV v2 subkeys/<path>: the shape of a version's data with every leaf value replaced by null.
import type { LogicalRequest, LogicalResponse } from "../../types.ts";
import { intField } from "../fields.ts";
import { notFound, ok, withStatusCode } from "../respond.ts";
import { isDeleted, type Kv2Store, versionView } from "./store.ts";

export function readSubkeys(store: Kv2Store, key: string, req: LogicalRequest, now: number): LogicalResponse {
  const meta = store.keys.get(key);
  if (!meta) return notFound();
  const asked = intField(req.data, "version") ?? 0;
  const version = asked > 0 ? asked : meta.currentVersion;
  const vm = meta.versions.get(version);
  if (!vm) return notFound();
  const body: Record<string, unknown> = { metadata: versionView(meta, version, vm), subkeys: null };
  if (isDeleted(vm, now) || vm.destroyed) return withStatusCode(req, 404, body);
  body.subkeys = removeValues(vm.data ?? {}, intField(req.data, "depth") ?? 0, 1);
  return ok(body);
}

/**
 * Leaves become null; non-empty maps are walked until `maxDepth` (0 = no limit).
 * ({a:1,b:{c:2}}, 0) → {a:null,b:{c:null}}; ({a:1,b:{c:2}}, 1) → {a:null,b:null}
 */
export function removeValues(
  input: Record<string, unknown>,
  maxDepth: number,
  depth: number,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    const isMap = v !== null && typeof v === "object" && !Array.isArray(v);
    const next = depth + 1;
    out[k] =
      isMap && (maxDepth === 0 || next <= maxDepth) && Object.keys(v).length > 0
        ? removeValues(v as Record<string, unknown>, maxDepth, next)
        : null;
  }
  return out;
}
