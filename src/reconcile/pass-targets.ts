// What a pass covers: the KV mounts in scope in each namespace, read from the source's own mount
// table, and each namespace's ACL policies. A targeted pass covers only the mounts it names.

import { type CompiledScope, globsMatchingNothing, type Scope } from "../audit/scope.ts";
import type { MountRef } from "../dispatch/ring.ts";
import { CourierError } from "../errors.ts";
import { mountId } from "../sync-key.ts";
import type { MountInfo } from "../vault/mounts.ts";

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

/** The part of a mount the glob check reads (the audit path's mount table holds no more). */
type MountShape = Pick<MountInfo, "path" | "kvVersion">;

/**
 * Refuses, before anything is synced, include/exclude globs that can match no key in the KV
 * mounts in scope (see globsMatchingNothing). It runs once the source's mount table can be read:
 * the table is read only when sync.mounts does not name the mounts itself.
 */
export async function checkGlobsReach(
  scope: Scope,
  namespaces: readonly string[],
  readMounts: (namespace: string) => Promise<Iterable<MountShape>>,
): Promise<void> {
  const globs = (scope.include?.length ?? 0) + (scope.exclude?.length ?? 0);
  if (globs === 0) return;
  const kvMounts: string[] = [];
  if (scope.mounts === undefined) {
    for (const namespace of namespaces) {
      let mounts: Iterable<MountShape>;
      try {
        mounts = await readMounts(namespace);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new CourierError(
          error instanceof CourierError ? error.code : "VAULT_UNREACHABLE",
          `cannot read the source's mount table to check sync.include and sync.exclude: ${message}`,
          { cause: error },
        );
      }
      for (const mount of mounts) if (isReplicated(mount)) kvMounts.push(namespace + mount.path);
    }
  }
  const problems = globsMatchingNothing(scope, kvMounts, namespaces);
  if (problems.length > 0) throw new CourierError("CONFIG_INVALID", problems.join("\n"));
}

/** isReplicated({type:"kv", kvVersion:2, path:"secret/"}) → true; cubbyhole and non-KV engines → false */
export function isReplicated(mount: MountShape): boolean {
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
