// KV v2 delete/, undelete/ and destroy/: act on listed versions of a key. These paths have no
// existence check, so Vault always logs them as "update".
import { stampAt } from "../../go-format.ts";
import type { LogicalRequest, LogicalResponse } from "../../types.ts";
import { commaIntSliceField } from "../fields.ts";
import { invalidRequest, NO_CONTENT } from "../respond.ts";
import { autoDeletion } from "./data.ts";
import { isDeleted, type Kv2Store } from "./store.ts";

export type VersionAction = "delete" | "undelete" | "destroy";

export function actOnVersions(
  store: Kv2Store,
  action: VersionAction,
  key: string,
  req: LogicalRequest,
  now: number,
): LogicalResponse {
  const versions = commaIntSliceField(req.data, "versions");
  if (versions.length === 0) {
    // The two texts differ in case in Vault's source; kept as they are.
    return invalidRequest(action === "destroy" ? "no version number provided" : "No version number provided");
  }
  const meta = store.keys.get(key);
  if (!meta) return NO_CONTENT;
  for (const n of versions) {
    const vm = meta.versions.get(n);
    if (!vm || vm.destroyed) continue;
    if (action === "delete") {
      if (!isDeleted(vm, now)) vm.deletion = stampAt(now);
    } else if (action === "undelete") {
      vm.deletion = store.config.deleteVersionAfter < 0 ? null : autoDeletion(store, meta, now);
    } else {
      vm.destroyed = true;
      vm.data = null;
    }
  }
  return NO_CONTENT;
}
