// What to do on a destination so that it equals the source: only the difference, in an order that
// works (settings before data, so cas_required and max_versions apply to the write). Actions carry
// version numbers but never values; the values come from the source's state when applied.

import { DEFAULT_KV2_SETTINGS } from "../vault/kv.ts";
import { currentDiff, settingsDiff } from "./compare.ts";
import type { KeyState } from "./key-state.ts";

export type Action =
  | { op: "kv1-write" }
  | { op: "kv1-delete" }
  | { op: "kv2-write-metadata" }
  /** `cas` is the destination's current version: it honours cas_required and loses no concurrent write. */
  | { op: "kv2-write"; cas: number }
  /** Undelete the destination's current version; if its data is not the source's, delete it again and write. */
  | { op: "kv2-restore"; version: number }
  | { op: "kv2-soft-delete"; version: number }
  | { op: "kv2-destroy"; version: number }
  | { op: "kv2-delete-metadata" }
  | { op: "policy-write" }
  | { op: "policy-delete" }
  /** A difference left alone on purpose. */
  | { op: "skip"; why: SkipReason };

export type SkipReason = "deletes-off" | "default-policy" | "root-policy";

export interface PlanOptions {
  deletes: boolean;
}

/**
 * planSync({kind:"kv1", data:{a:"1"}}, {kind:"kv1", data:null}, {deletes:true}) → [{op:"kv1-write"}]
 * planSync({kind:"kv1", data:null}, {kind:"kv1", data:{a:"1"}}, {deletes:false}) → [{op:"skip", why:"deletes-off"}]
 */
export function planSync(source: KeyState, destination: KeyState, options: PlanOptions, name = ""): Action[] {
  const remove = (action: Action): Action[] => [
    options.deletes ? action : { op: "skip", why: "deletes-off" },
  ];
  if (source.kind === "kv1" && destination.kind === "kv1") {
    if (source.data === null) return destination.data === null ? [] : remove({ op: "kv1-delete" });
    return Bun.deepEquals(source.data, destination.data) ? [] : [{ op: "kv1-write" }];
  }
  if (source.kind === "policy" && destination.kind === "policy") {
    if (name === "root") return [{ op: "skip", why: "root-policy" }];
    if (source.text === null) {
      if (destination.text === null) return [];
      return name === "default" ? [{ op: "skip", why: "default-policy" }] : remove({ op: "policy-delete" });
    }
    return source.text === destination.text ? [] : [{ op: "policy-write" }];
  }
  if (source.kind === "kv2" && destination.kind === "kv2") return planKv2(source, destination, remove);
  return [];
}

type Kv2State = Extract<KeyState, { kind: "kv2" }>;

function planKv2(source: Kv2State, destination: Kv2State, remove: (action: Action) => Action[]): Action[] {
  if (!source.metadata) return destination.metadata ? remove({ op: "kv2-delete-metadata" }) : [];
  const actions: Action[] = [];
  const src = source.current;
  const dst = destination.current;
  const dstVersion = destination.metadata?.current_version ?? 0;
  // A new key gets its metadata written first only when a data write would not make it right:
  // settings other than Vault's defaults, or a source with no live version to write.
  const settingsNeeded = destination.metadata
    ? settingsDiff(source.metadata.settings, destination.metadata.settings).length > 0
    : settingsDiff(source.metadata.settings, DEFAULT_KV2_SETTINGS).length > 0 || src.state !== "live";
  if (settingsNeeded) actions.push({ op: "kv2-write-metadata" });
  const aspects = currentDiff(src, dst);
  if (aspects.length === 0) return actions;
  if (src.state === "live") {
    actions.push(
      dst.state === "deleted"
        ? { op: "kv2-restore", version: dstVersion }
        : { op: "kv2-write", cas: dstVersion },
    );
  } else if (src.state === "destroyed") {
    actions.push(...remove({ op: "kv2-destroy", version: dstVersion }));
  } else {
    actions.push(...remove({ op: "kv2-soft-delete", version: dstVersion }));
  }
  return actions;
}
