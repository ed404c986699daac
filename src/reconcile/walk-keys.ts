// A pass's keys, streamed: each target walked on the source (and, to find extras, on the
// destinations), filtered by the scope. Nothing is collected; the consumer pulls one key at a time.

import type { CompiledScope } from "../audit/scope.ts";
import { POLICY_MOUNT, type SyncKey } from "../sync-key.ts";
import { mountTableChanged } from "../vault/errors.ts";
import type { KvRef } from "../vault/kv.ts";
import type { MountInfo } from "../vault/mounts.ts";
import type { PassTarget } from "./pass-targets.ts";
import { type Lister, walkTree } from "./tree-walk.ts";

export interface WalkedKey {
  key: SyncKey;
  /** The source's mount, for a KV key: a sync need not look it up again. */
  sourceMount?: MountInfo;
  /** false: only a destination listed it, the source did not (an extra). */
  onSource: boolean;
}

/** The part of a Vault client a walk uses (VaultClient has it). */
export interface WalkVault {
  readonly address: string;
  mounts: {
    find(namespace: string, mount: string): Promise<MountInfo | null>;
    forget(namespace: string): void;
  };
  kv1: { list(ref: KvRef): Promise<string[]> };
  kv2: { list(ref: KvRef): Promise<string[]> };
  policies: { list(namespace: string): Promise<string[]> };
}

export interface WalkOptions {
  scope: CompiledScope;
  /** Destinations walked beside the source so keys only they hold are found; [] = source only. */
  destinations: readonly WalkVault[];
  /**
   * A destination could not be listed: its extras there stay unseen, the walk goes on. `where`
   * names the mount and the folder (as `path`) that failed.
   */
  onDestinationError(destination: string, where: SyncKey, error: unknown): void;
}

/** Every key of the targets, in order; a LIST the source fails ends the walk with that error. */
export async function* walkKeys(
  source: WalkVault,
  targets: readonly PassTarget[],
  options: WalkOptions,
): AsyncGenerator<WalkedKey> {
  for (const target of targets) {
    if (target.kind === "policy") yield* walkPolicies(source, target.namespace, options);
    else yield* walkMount(source, target.namespace, target.mount, options);
  }
}

async function* walkPolicies(source: WalkVault, namespace: string, options: WalkOptions) {
  const lister =
    (vault: WalkVault): Lister =>
    (folder) =>
      folder === "" ? vault.policies.list(namespace) : Promise.resolve([]);
  const listers = [source, ...options.destinations].map(lister);
  const onError = failSource(options, { kind: "policy", namespace, mount: POLICY_MOUNT, path: "" });
  for await (const { path, on } of walkTree(listers, onError)) {
    // root cannot be changed and is never replicated; the scope's excludes apply to policies too.
    if (path === "root" || !options.scope.policyInScope(namespace, path)) continue;
    const key: SyncKey = { kind: "policy", namespace, mount: POLICY_MOUNT, path };
    yield { key, onSource: on[0] === 0 };
  }
}

async function* walkMount(source: WalkVault, namespace: string, mount: MountInfo, options: WalkOptions) {
  const where: SyncKey = { kind: "kv", namespace, mount: mount.path, path: "" };
  const listers: (Lister | null)[] = [kvLister(source, namespace, mount)];
  for (const destination of options.destinations) {
    listers.push(await destinationLister(destination, namespace, mount, options));
  }
  for await (const { path, on } of walkTree(listers, failSource(options, where))) {
    if (!options.scope.kvPathInScope(namespace, mount.path, path)) continue;
    const key: SyncKey = { kind: "kv", namespace, mount: mount.path, path };
    yield { key, sourceMount: mount, onSource: on[0] === 0 };
  }
}

/** A destination's copy of the mount, when it is the same KV version; otherwise nothing to list. */
async function destinationLister(
  destination: WalkVault,
  namespace: string,
  mount: MountInfo,
  options: WalkOptions,
): Promise<Lister | null> {
  try {
    const found = await destination.mounts.find(namespace, mount.path);
    // No mount, or one of another kind: every key of the source is "missing" there, none extra.
    if (!found || found.kvVersion !== mount.kvVersion) return null;
    const list = kvLister(destination, namespace, found);
    // "No handler": the mount was there when last looked at and is gone now (disabled, restarted
    // empty). Nothing there is extra; the sync of each key makes the mount again.
    return (folder) =>
      list(folder).catch((error: unknown) => {
        if (!mountTableChanged(error)) throw error;
        destination.mounts.forget(namespace);
        return [];
      });
  } catch (error) {
    options.onDestinationError(
      destination.address,
      { kind: "kv", namespace, mount: mount.path, path: "" },
      error,
    );
    return null;
  }
}

function kvLister(vault: WalkVault, namespace: string, mount: MountInfo): Lister {
  const api = mount.kvVersion === 1 ? vault.kv1 : vault.kv2;
  return (folder) => api.list({ namespace, mount: mount.path, path: folder });
}

/** Index 0 is the source: its failure ends the walk. A destination's is reported and skipped. */
function failSource(options: WalkOptions, where: SyncKey) {
  return (index: number, folder: string, error: unknown) => {
    if (index === 0) throw error;
    const destination = options.destinations[index - 1]!;
    options.onDestinationError(destination.address, { ...where, path: folder }, error);
  };
}
