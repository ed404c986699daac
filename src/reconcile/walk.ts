// The walk of a pass: what it covers (the KV mounts in scope in each namespace, read from the
// source's own mount table, and each namespace's ACL policies; a targeted pass covers only the
// mounts it names), and its keys, streamed. Each mount is walked depth-first on the source and,
// to find the keys only a destination holds (extras), on the destinations beside it: one folder
// at a time, the LIST answers merged in sorted order, so memory holds the folders on the current
// branch, never the tree. Nothing is collected; the consumer pulls one key at a time.

import { type CompiledScope, compileScope, globsMatchingNothing, type Scope } from "../audit/scope.ts";
import { type Config, defaultWorkerThreads } from "../config/schema.ts";
import type { MountRef } from "../dispatch/ring.ts";
import { CourierError, messageOf } from "../errors.ts";
import { effectivePrune, type PruneMode } from "../sync/managed.ts";
import {
  destinationKey,
  destinationNamespaceOf,
  mapFor,
  type PathMaps,
  pathMapsFrom,
} from "../sync/path-map.ts";
import { mountId, POLICY_MOUNT, type SyncKey } from "../sync-key.ts";
import { mountTableChanged } from "../vault/errors.ts";
import type { KvRef } from "../vault/kv.ts";
import type { MountInfo } from "../vault/mounts.ts";
import { namespaceNotFound } from "../vault/namespaces.ts";

/**
 * What the configuration says about passes and syncs, read once: the agent filters its audit
 * stream by the same scope its passes walk, and the one-shot commands read the same settings.
 */
export interface PassSettings {
  /** The scope as configured; checkGlobsReach reads its globs. */
  scopeSettings: Scope;
  scope: CompiledScope;
  /** Where a pass starts (passNamespaces); it walks the namespaces below them too (namespacesInScope). */
  namespaces: string[];
  deletes: boolean;
  createMounts: boolean;
  prune: PruneMode;
  /** state.dir: where the keys Courier manages on each destination are remembered. */
  stateDir: string;
  /** sync.map (and each destination's own): where source keys live on destinations. */
  map: PathMaps;
  /** Sync worker threads: worker.concurrency (one per core but one by default). */
  threads: number;
  /** Keys synced at once, SYNCS_PER_THREAD per thread. */
  concurrency: number;
}

/** Syncs each thread runs at once: they wait on the network, not the CPU. */
const SYNCS_PER_THREAD = 32;

export function passSettingsFrom(config: Config): PassSettings {
  const scopeSettings: Scope = {
    mounts: config.sync.mounts.length > 0 ? config.sync.mounts : undefined,
    include: config.sync.include,
    exclude: config.sync.exclude,
    policies: config.sync.policies,
    namespaces: config.sync.namespaces,
  };
  const threads = Math.max(1, config.worker.concurrency || defaultWorkerThreads());
  return {
    scopeSettings,
    scope: compileScope(scopeSettings),
    namespaces: passNamespaces(config.vault.source.namespace),
    deletes: config.sync.deletes,
    createMounts: config.sync.create_mounts,
    prune: effectivePrune(config.sync.prune as PruneMode, config.sync.deletes),
    stateDir: config.state.dir,
    map: pathMapsFrom(config),
    threads,
    concurrency: threads * SYNCS_PER_THREAD,
  };
}

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
  /** sync.map: destinations are listed where the source's keys land on them. */
  map?: PathMaps;
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
    (vault: WalkVault, at: string): Lister =>
    (folder) =>
      folder === "" ? vault.policies.list(at) : Promise.resolve([]);
  // Each destination holds the namespace's policies where its map puts the namespace.
  const at = (d: WalkVault) => destinationNamespaceOf(namespace, mapFor(options.map, d.address));
  const listers = [lister(source, namespace), ...options.destinations.map((d) => lister(d, at(d)))];
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
  sourceNamespace: string,
  sourceMount: MountInfo,
  options: WalkOptions,
): Promise<Lister | null> {
  try {
    // Where the source's mount lands on destinations (sync.map); keys keep their paths within it.
    const at = destinationKey(
      { kind: "kv", namespace: sourceNamespace, mount: sourceMount.path, path: "" },
      mapFor(options.map, destination.address),
    );
    const namespace = at.namespace;
    const mount = { ...sourceMount, path: at.mount };
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
    // A namespace the destination lacks holds no extras.
    if (namespaceNotFound(error)) return null;
    options.onDestinationError(
      destination.address,
      { kind: "kv", namespace: sourceNamespace, mount: sourceMount.path, path: "" },
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
    // A namespace the destination lacks holds no extras.
    if (namespaceNotFound(error)) return;
    const destination = options.destinations[index - 1]!;
    options.onDestinationError(destination.address, { ...where, path: folder }, error);
  };
}

export type PassTarget =
  | { kind: "kv"; namespace: string; mount: MountInfo }
  | { kind: "policy"; namespace: string };

/** The part of a Vault client that finding the namespaces of a pass needs. */
interface NamespaceLister {
  namespaces: { descendants(namespace: string): Promise<string[]> };
}

/** The part of a Vault client that finding targets needs. */
interface MountTableReader extends NamespaceLister {
  mounts: { table(namespace: string): Promise<Map<string, MountInfo>> };
}

/**
 * The namespaces a pass walks: each of `roots` and every namespace below it on the source
 * (LIST sys/namespaces, recursively; a Vault without namespaces has none), those in scope.
 * namespacesInScope(source with team1/, team1/sub/, team2/, [""], scope of "team1/**") → ["team1/", "team1/sub/"]
 */
export async function namespacesInScope(
  source: NamespaceLister,
  roots: readonly string[],
  scope: CompiledScope,
): Promise<string[]> {
  const found = new Set<string>();
  for (const root of roots) {
    for (const namespace of [root, ...(await source.namespaces.descendants(root))]) found.add(namespace);
  }
  return [...found].filter((namespace) => scope.namespaceInScope(namespace));
}

/**
 * passTargets(source, [""], every mount) → policies and every KV mount of the root and of each
 * namespace below it. `only` limits the pass to the mounts named (a mount marked dirty), and to
 * their namespaces; undefined = everything.
 */
export async function passTargets(
  source: MountTableReader,
  roots: readonly string[],
  scope: CompiledScope,
  only?: readonly MountRef[],
): Promise<PassTarget[]> {
  const wanted = only && new Set(only.map(mountId));
  const namespaces = only
    ? [...new Set(only.map((mount) => mount.namespace))].filter((ns) => scope.namespaceInScope(ns))
    : await namespacesInScope(source, roots, scope);
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
  listNamespaces: () => Promise<readonly string[]>,
  readMounts: (namespace: string) => Promise<Iterable<MountShape>>,
): Promise<void> {
  const globs = (scope.include?.length ?? 0) + (scope.exclude?.length ?? 0);
  if (globs === 0) return;
  const kvMounts: string[] = [];
  let namespaces: readonly string[] = [];
  try {
    namespaces = await listNamespaces();
  } catch (error) {
    const message = messageOf(error);
    throw new CourierError(
      error instanceof CourierError ? error.code : "VAULT_UNREACHABLE",
      `cannot list the source's namespaces to check sync.include and sync.exclude: ${message}`,
      { cause: error },
    );
  }
  if (scope.mounts === undefined) {
    for (const namespace of namespaces) {
      let mounts: Iterable<MountShape>;
      try {
        mounts = await readMounts(namespace);
      } catch (error) {
        const message = messageOf(error);
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
function isReplicated(mount: MountShape): boolean {
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

type Lister = (folder: string) => Promise<string[]>;

interface WalkedPath {
  /** Relative to the mount: "app/db". */
  path: string;
  /** Indexes of the Vaults that listed it. */
  on: number[];
}

/**
 * Told when one Vault's LIST fails. Throwing ends the walk; returning carries on as if that Vault
 * had nothing in the folder (the caller has noted that the walk is incomplete for it).
 */
type ListErrorHandler = (index: number, folder: string, error: unknown) => void;

/**
 * walkTree([source LIST, destination LIST]) over {"a", "b/c"} and {"b/c", "x"}
 *   → {path:"a", on:[0]}, {path:"b/c", on:[0,1]}, {path:"x", on:[1]}
 * A null lister stands for a Vault with nothing there (no such mount).
 */
async function* walkTree(
  listers: readonly (Lister | null)[],
  onError: ListErrorHandler,
  folder = "",
): AsyncGenerator<WalkedPath> {
  const lists: (string | undefined)[][] = await Promise.all(
    listers.map(async (list, index) => {
      if (list === null) return [];
      try {
        return await list(folder);
      } catch (error) {
        onError(index, folder, error);
        return [];
      }
    }),
  );
  for (const { name, on } of mergeListings(lists)) {
    if (name.endsWith("/")) {
      // Only the Vaults that listed the folder are asked what is in it.
      const inside = listers.map((list, index) => (on.includes(index) ? list : null));
      yield* walkTree(inside, onError, folder + name);
    } else if (name !== "") {
      yield { path: folder + name, on };
    }
  }
}

interface Listed {
  /** As LIST names it: "app" for a key, "app/" for a folder. */
  name: string;
  /** Indexes of the Vaults whose answer holds it, ascending. */
  on: number[];
}

/**
 * mergeListings([["a", "b/"], ["b/", "c"]])
 *   → {name:"a", on:[0]}, {name:"b/", on:[0,1]}, {name:"c", on:[1]}
 * Lazily, one name at a time, from answers in order: a flat folder of a million names is never a
 * million merged entries at once. It takes the lists over: each is put in order in place (Vault
 * sends them so already), and each name is let go once it has been merged.
 */
export function* mergeListings(lists: (string | undefined)[][]): Generator<Listed> {
  for (const list of lists) inCodeUnitOrder(list);
  const next = lists.map(() => 0);
  for (;;) {
    let least: string | undefined;
    lists.forEach((list, index) => {
      const name = list[next[index]!];
      if (name !== undefined && (least === undefined || name < least)) least = name;
    });
    if (least === undefined) return;
    const on: number[] = [];
    lists.forEach((list, index) => {
      if (list[next[index]!] !== least) return;
      on.push(index);
      // A name twice in one answer counts once.
      for (let at = next[index]!; list[at] === least; at = ++next[index]!) list[at] = undefined;
    });
    yield { name: least, on };
  }
}

/**
 * Vault sorts LIST answers by byte order (Go's sort.Strings); code-unit order matches it for every
 * name outside the astral planes. An answer not in code-unit order is sorted, so the merge holds
 * whatever a Vault sends. inCodeUnitOrder(["b", "B", "a"]) → ["B", "a", "b"]
 */
function inCodeUnitOrder(list: (string | undefined)[]): void {
  for (let i = 1; i < list.length; i++) {
    if (list[i - 1]! > list[i]!) {
      list.sort(byCodeUnit);
      return;
    }
  }
}

/** byCodeUnit("B", "a") → -1: plain "<", not locale order. */
function byCodeUnit(a: string | undefined, b: string | undefined): number {
  return a! < b! ? -1 : a! > b! ? 1 : 0;
}
