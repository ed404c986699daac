// KV v2 config: mount-wide max_versions, cas_required, delete_version_after.
import { goDuration } from "../../go-format.ts";
import type { LogicalRequest, LogicalResponse } from "../../types.ts";
import { boolField, durationField, intField } from "../fields.ts";
import { NO_CONTENT, ok } from "../respond.ts";
import type { Kv2Store } from "./store.ts";

export function readConfig(store: Kv2Store): LogicalResponse {
  return ok({
    cas_required: store.config.casRequired,
    delete_version_after: goDuration(store.config.deleteVersionAfter),
    max_versions: store.config.maxVersions,
  });
}

/** A negative delete_version_after disables it for every key; 0 clears the setting. */
export function writeConfig(store: Kv2Store, req: LogicalRequest): LogicalResponse {
  const maxVersions = intField(req.data, "max_versions");
  const casRequired = boolField(req.data, "cas_required");
  const dva = durationField(req.data, "delete_version_after");
  if (maxVersions !== undefined) store.config.maxVersions = maxVersions;
  if (casRequired !== undefined) store.config.casRequired = casRequired;
  if (dva !== undefined) store.config.deleteVersionAfter = dva < 0 ? -1 : dva;
  return NO_CONTENT;
}
