// The source a fuzz run classifies against: a few KV mounts of both versions, engines that are not
// KV, a child namespace, and a scope that leaves some KV mounts and paths out. Every key an input
// turns into must pass `checkSyncKey`: in a mount the scope names, a path that cannot be read as
// another path, nothing that is a folder or empty.
import type { ClassifyResult } from "../../../src/audit/classify.ts";
import { isSafePath } from "../../../src/audit/classify.ts";
import { InMemoryMountTable } from "../../../src/audit/mount-table.ts";
import { type CompiledScope, compileScope } from "../../../src/audit/scope.ts";
import { POLICY_MOUNT, type SyncKey } from "../../../src/sync-key.ts";

/** KV mounts Courier replicates, as "<namespace><mount>". */
export const IN_SCOPE = ["secret/", "kv/", "team-a/secret/"] as const;
/** KV mounts the source has that are left out of scope. */
export const OUT_OF_SCOPE = ["other/", "team-a/other/"] as const;
/** Keys under this folder of secret/ are excluded by a glob. */
export const EXCLUDED_FOLDER = "excluded";
export const NAMESPACES = ["", "team-a/"] as const;

export interface FuzzWorld {
  mounts: InMemoryMountTable;
  scope: CompiledScope;
}

export function fuzzWorld(): FuzzWorld {
  const mounts = new InMemoryMountTable();
  mounts.setFromResponse("", {
    data: {
      "secret/": { type: "kv", options: { version: "2" } },
      "kv/": { type: "kv", options: { version: "1" } },
      "other/": { type: "kv", options: { version: "2" } },
      "transit/": { type: "transit", options: null },
      "cubbyhole/": { type: "cubbyhole", options: null },
      "identity/": { type: "identity", options: null },
      "sys/": { type: "system", options: null },
    },
  });
  mounts.setFromResponse("team-a/", {
    data: {
      "secret/": { type: "kv", options: { version: "2" } },
      "other/": { type: "kv", options: { version: "1" } },
      "cubbyhole/": { type: "ns_cubbyhole", options: null },
      "sys/": { type: "ns_system", options: null },
    },
  });
  const scope = compileScope({ mounts: [...IN_SCOPE], exclude: [`secret/${EXCLUDED_FOLDER}/**`] });
  return { mounts, scope };
}

/**
 * Why a key Courier would sync breaks the world's rules, or undefined when it keeps them.
 * checkSyncKey({kind:"kv", namespace:"", mount:"other/", path:"a"}) → "mount other/ is out of scope"
 */
export function checkSyncKey(key: SyncKey): string | undefined {
  if (!(NAMESPACES as readonly string[]).includes(key.namespace)) return `unknown namespace ${key.namespace}`;
  if (key.path === "" || key.path.endsWith("/")) return `path "${key.path}" is no secret name`;
  if (!isSafePath(key.path)) return `path "${key.path}" is unsafe`;
  if (key.kind === "policy") {
    if (key.mount !== POLICY_MOUNT) return `policy under ${key.mount}`;
    if (key.path !== key.path.toLowerCase()) return `policy "${key.path}" is not lower-cased`;
    return undefined;
  }
  const mount = key.namespace + key.mount;
  if (!(IN_SCOPE as readonly string[]).includes(mount)) return `mount ${mount} is out of scope`;
  if (mount === "secret/" && key.path.startsWith(`${EXCLUDED_FOLDER}/`)) return `${key.path} is excluded`;
  return undefined;
}

/**
 * One word for what became of an input, comparable across framings.
 * outcomeOf({action:"ignore", reason:"cubbyhole"}) → "ignored:cubbyhole"
 */
export function outcomeOf(result: ClassifyResult): string {
  switch (result.action) {
    case "sync":
      return `sync:${result.key.kind}:${result.key.namespace}:${result.key.mount}:${result.key.path}`;
    case "ignore":
      return `ignored:${result.reason}`;
    case "refresh-mounts":
      return `refresh-mounts:${result.namespace}`;
    case "unknown-mount":
      return `unknown-mount:${result.namespace}`;
  }
}

/**
 * For a "sync:…" outcome, why its key breaks the world's rules; undefined for any other outcome.
 * checkSyncKeyOutcome("sync:kv::other/:a") → "mount other/ is out of scope"
 */
export function checkSyncKeyOutcome(outcome: string): string | undefined {
  if (!outcome.startsWith("sync:")) return undefined;
  const [, kind, namespace, mount, ...rest] = outcome.split(":");
  if (kind !== "kv" && kind !== "policy") return `unknown kind in ${outcome}`;
  return checkSyncKey({ kind, namespace: namespace ?? "", mount: mount ?? "", path: rest.join(":") });
}
