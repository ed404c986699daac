// An audit entry + the source's mount table + the scope → what Courier should do about it.
// Only a `response` entry without `error` for a write means something changed (a request entry
// comes before the change; an error means none happened). The mount comes from the source's own
// table, never from the entry: older Vault writes no mount fields and a forged entry can write
// any. KV v2's data/, metadata/, delete/, undelete/ and destroy/ paths of one secret are one key.

import { POLICY_MOUNT, type SyncKey } from "../sync-key.ts";
import type { MountTable } from "./mount-table.ts";
import type { AuditEntry } from "./parse.ts";
import { changesMounts, isSafePath, isSecretName, policyName, splitKv2Path } from "./paths.ts";
import type { CompiledScope } from "./scope.ts";

export type IgnoreReason =
  | "not_response"
  | "failed_request"
  | "not_a_write"
  | "unsafe_path"
  | "system_path"
  | "cubbyhole"
  | "non_kv_mount"
  | "unknown_mount"
  | "mount_out_of_scope"
  | "path_out_of_scope"
  | "policies_off"
  | "not_a_secret"
  | "kv_config";

export type ClassifyResult =
  | { action: "sync"; key: SyncKey }
  | { action: "ignore"; reason: IgnoreReason }
  /** The mount table of `namespace` changed (sys/mounts or sys/remount): fetch it again. */
  | { action: "refresh-mounts"; namespace: string }
  /**
   * `path` is in no mount the table knows, or is a policy of a namespace it has not read: fetch
   * the namespace's table and classify again. If it is still unknown then, count it as ignored
   * "unknown_mount". Forged entries can ask for this at will, so the caller rate-limits the fetches.
   */
  | { action: "unknown-mount"; namespace: string; path: string };

/** Operations that change state; KV v2 PATCH logs "patch". Reads and lists change nothing. */
const WRITES = new Set(["create", "update", "patch", "delete"]);

/**
 * classify(response entry "kv-v2/data/app/db", table {kv-v2/: kv v2}, every mount)
 *   → {action:"sync", key:{kind:"kv", namespace:"", mount:"kv-v2/", path:"app/db"}}
 */
export function classify(entry: AuditEntry, mounts: MountTable, scope: CompiledScope): ClassifyResult {
  if (entry.type !== "response") return IGNORED.not_response;
  if (entry.error) return IGNORED.failed_request;
  if (!WRITES.has(entry.operation)) return IGNORED.not_a_write;
  const { path, namespace } = entry;
  if (!isSafePath(path) || !isSafePath(namespace)) return IGNORED.unsafe_path;

  const slash = path.indexOf("/");
  const first = slash === -1 ? path : path.slice(0, slash);
  switch (first) {
    case "sys":
      return classifySystem(path, namespace, mounts, scope);
    case "cubbyhole":
      return IGNORED.cubbyhole;
    // Paths Vault reserves for itself: never a secrets engine that could hold KV.
    case "auth":
    case "identity":
    case "audit":
      return IGNORED.non_kv_mount;
  }

  const mount = mounts.lookup(namespace, path);
  if (mount === undefined) return { action: "unknown-mount", namespace, path };
  if (mount.kvVersion === null) return IGNORED.non_kv_mount;
  if (!scope.mountInScope(namespace, mount.path)) return IGNORED.mount_out_of_scope;

  const inner = path.slice(mount.path.length);
  let keyPath: string;
  if (mount.kvVersion === 1) {
    if (!isSecretName(inner)) return IGNORED.not_a_secret;
    keyPath = inner;
  } else {
    const split = splitKv2Path(inner);
    if (split.kind === "config") return IGNORED.kv_config;
    if (split.kind === "other") return IGNORED.not_a_secret;
    keyPath = split.path;
  }
  if (!scope.kvPathInScope(namespace, mount.path, keyPath)) return IGNORED.path_out_of_scope;
  return { action: "sync", key: { kind: "kv", namespace, mount: mount.path, path: keyPath } };
}

/**
 * sys/ paths: ACL policies are keys, mount changes refresh the table, the rest is not ours. A
 * policy in a namespace the source has not shown is not taken on the entry's word (a forged one
 * can name any namespace): its table is fetched first, as for an unknown mount.
 */
function classifySystem(
  path: string,
  namespace: string,
  mounts: MountTable,
  scope: CompiledScope,
): ClassifyResult {
  const name = policyName(path);
  if (name !== undefined) {
    if (!scope.policies) return IGNORED.policies_off;
    if (!scope.policyInScope(namespace, name)) return IGNORED.path_out_of_scope;
    if (!mounts.has(namespace)) return { action: "unknown-mount", namespace, path };
    return { action: "sync", key: { kind: "policy", namespace, mount: POLICY_MOUNT, path: name } };
  }
  if (changesMounts(path)) return { action: "refresh-mounts", namespace };
  return IGNORED.system_path;
}

/** The shared, frozen answer for one ignore reason. */
export function ignored(reason: IgnoreReason): ClassifyResult {
  return IGNORED[reason];
}

/** A sentence for each ignore reason, for logs and metric help text. */
export function describeIgnore(reason: IgnoreReason): string {
  return IGNORE_TEXT[reason];
}

const IGNORE_TEXT: Record<IgnoreReason, string> = {
  not_response: "a request entry or another entry type: only response entries report a change",
  failed_request: "the request failed (the entry has an error), so nothing changed",
  not_a_write: "a read, list or other operation that changes nothing",
  unsafe_path: "the path or namespace has empty, dot or control-character segments",
  system_path: "a sys/ path other than ACL policies",
  cubbyhole: "cubbyhole/ is per-token storage and is never replicated",
  non_kv_mount: "the path is in a mount that is not a KV secrets engine",
  unknown_mount:
    "the path is in no mount (or the policy in no namespace) the source lists, even after a refresh",
  mount_out_of_scope: "the KV mount is not in --sync.mounts",
  path_out_of_scope: "the path is excluded by --sync.include / --sync.exclude",
  policies_off: "policy replication is off (--sync.policies=false)",
  not_a_secret: "the path names a folder, a mount root or a KV v2 endpoint that is not a secret",
  kv_config: "a KV v2 mount's config endpoint, which is not a secret",
};

export const IGNORE_REASONS = Object.keys(IGNORE_TEXT) as IgnoreReason[];

/** One frozen answer per reason, so ignoring allocates nothing. */
const IGNORED = Object.fromEntries(
  IGNORE_REASONS.map((reason) => [reason, Object.freeze({ action: "ignore", reason })]),
) as { [R in IgnoreReason]: { action: "ignore"; reason: R } };
