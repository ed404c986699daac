// What a pass covers: the KV mounts in scope in each namespace, read from the source's own mount
// table, and each namespace's ACL policies. A targeted pass covers only the mounts it names.

import type { CompiledScope } from "../audit/scope.ts";
import type { MountRef } from "../dispatch/ring.ts";
import { mountId } from "../sync-key.ts";
import type { MountInfo } from "../vault/types.ts";

export type PassTarget =
  | { kind: "kv"; namespace: string; mount: MountInfo }
  | { kind: "policy"; namespace: string };

/** The part of a Vault client that finding targets needs. */
export interface MountTableReader {
  mounts: { table(namespace: string): Promise<Map<string, MountInfo>> };
}

/**
 * passTargets(source, ["", "team-a/"], every mount) → policies and every KV mount of both namespaces.
 * `only` limits the pass to the mounts named (a mount marked dirty); undefined = everything.
 */
export async function passTargets(
  source: MountTableReader,
  namespaces: readonly string[],
  scope: CompiledScope,
  only?: readonly MountRef[],
): Promise<PassTarget[]> {
  const wanted = only && new Set(only.map(mountId));
  const targets: PassTarget[] = [];
  for (const namespace of namespaces) {
    const policies: MountRef = { kind: "policy", namespace, mount: "sys/policies/acl/" };
    if (scope.policies && (!wanted || wanted.has(mountId(policies)))) {
      targets.push({ kind: "policy", namespace });
    }
    const kvWanted = !wanted || only!.some((m) => m.kind === "kv" && m.namespace === namespace);
    if (!kvWanted) continue;
    const table = await source.mounts.table(namespace);
    for (const mount of [...table.values()].sort((a, b) => (a.path < b.path ? -1 : 1))) {
      if (!isReplicated(mount) || !scope.mountInScope(namespace, mount.path)) continue;
      if (wanted && !wanted.has(mountId({ kind: "kv", namespace, mount: mount.path }))) continue;
      targets.push({ kind: "kv", namespace, mount });
    }
  }
  return targets;
}

/** isReplicated({type:"kv", kvVersion:2, path:"secret/"}) → true; cubbyhole and non-KV engines → false */
export function isReplicated(mount: MountInfo): boolean {
  return mount.kvVersion !== null && mount.path !== "cubbyhole/";
}

/**
 * The namespaces a pass walks: the root and the source's configured one.
 * passNamespaces("team-a") → ["", "team-a/"]; passNamespaces("") → [""]
 */
export function passNamespaces(sourceNamespace: string): string[] {
  const trimmed = sourceNamespace.replace(/^\/+|\/+$/g, "");
  return trimmed === "" ? [""] : ["", `${trimmed}/`];
}
