// Namespaces a destination holds that the source no longer has (deleted on the source while
// Courier was stopped, or while the audit stream lost the hint), found by LIST sys/namespaces on
// each destination where sync.map puts the source's namespaces, and what sync.prune does with
// them: `all` deletes them, children first; `managed` deletes one only when everything in it —
// the keys of its KV mounts, its policies, its child namespaces — is Courier's by the managed
// store, so nothing another writer put there is lost; `off` never. A pass deletes; `courier diff`
// reports each as extra, managed or foreign. A key walk never reaches them: a pass walks the
// source's namespaces only.

import type { CompiledScope } from "../audit/scope.ts";
import { messageOf } from "../errors.ts";
import type { ManagedKeys, PruneMode } from "../sync/managed.ts";
import {
  destinationKey,
  destinationNamespaceOf,
  mapFor,
  type PathMap,
  type PathMaps,
  sourceNamespaceOf,
} from "../sync/path-map.ts";
import { keyId, POLICY_MOUNT } from "../sync-key.ts";
import type { VaultClient } from "../vault/client.ts";
import { VaultCallError } from "../vault/errors.ts";

/** A destination namespace the source lacks, with all it holds judged. */
export interface ExtraNamespace {
  destination: string;
  /** The source namespace it stands for: "team9/". */
  namespace: string;
  /** Where the destination holds it ("dr/team9/" under sync.map), the same path otherwise. */
  at: string;
  /** managed: everything in it is Courier's (a managed prune deletes it); foreign: not, or unknown. */
  owner: "managed" | "foreign";
  /** The first thing found that is not Courier's, for the log: "kv team9/kv2/by-hand". */
  foreign?: string;
  /** It and every namespace below it on the destination, children before parents. */
  namespaces: string[];
  /** Courier's keys in it (source key ids), forgotten once it is gone. */
  managedKeys: string[];
}

export interface NamespacePruneContext {
  source: Pick<VaultClient, "namespaces">;
  destinations: readonly VaultClient[];
  /** Where passes start (passNamespaces): the destinations are searched below where these land. */
  roots: readonly string[];
  scope: CompiledScope;
  map: PathMaps;
  managed: ManagedKeys;
}

/** Mounts and auth methods every namespace is made with: not data anyone put there. */
const BUILT_IN_MOUNTS = new Set(["cubbyhole/", "identity/", "sys/"]);
const BUILT_IN_AUTH = new Set(["token/"]);
/** root never changes and default comes with every namespace. */
const BUILT_IN_POLICIES = new Set(["root", "default"]);

/**
 * Each destination namespace in scope whose source namespace is gone, the top-most of each gone
 * subtree only (its children are judged and deleted with it).
 */
async function findExtraNamespaces(
  context: NamespacePruneContext,
  destination: VaultClient,
): Promise<ExtraNamespace[]> {
  const map = mapFor(context.map, destination.address);
  const found = new Set<string>();
  for (const root of context.roots) {
    const at = destinationNamespaceOf(root, map);
    for (const namespace of await destination.namespaces.descendants(at)) found.add(namespace);
  }
  const gone: { at: string; namespace: string }[] = [];
  for (const at of [...found].sort()) {
    if (gone.some((top) => at.startsWith(top.at))) continue;
    const namespace = standsFor(at, map);
    if (namespace === null || !context.scope.namespaceInScope(namespace)) continue;
    // Asked of the source itself, not taken from its LIST: a token that may not list is no proof.
    // One that may not read it either proves nothing: the namespace stays.
    if (!(await goneFromSource(context.source, namespace))) continue;
    gone.push({ at, namespace });
  }
  const extras: ExtraNamespace[] = [];
  for (const { at, namespace } of gone) {
    extras.push(await judge(context, destination, map, at, namespace));
  }
  return extras;
}

/**
 * Each destination's namespaces the source no longer has, destination after destination. One
 * whose namespaces cannot be told is handed to `cannotTell` and passed over: nothing there is
 * called extra on a guess.
 */
export async function* extraNamespaces(
  context: NamespacePruneContext,
  cannotTell: (destination: VaultClient, error: unknown) => void,
): AsyncGenerator<{ destination: VaultClient; extra: ExtraNamespace }> {
  for (const destination of context.destinations) {
    let extras: ExtraNamespace[];
    try {
      extras = await findExtraNamespaces(context, destination);
    } catch (error) {
      cannotTell(destination, error);
      continue;
    }
    for (const extra of extras) yield { destination, extra };
  }
}

/** Whether sync.prune deletes it: all, every one; managed, one that holds only Courier's; off, none. */
export function prunedBy(extra: ExtraNamespace, prune: PruneMode): boolean {
  return prune === "all" || (prune === "managed" && extra.owner === "managed");
}

/** true only on the source's clean answer that it has no such namespace. */
async function goneFromSource(source: NamespacePruneContext["source"], namespace: string): Promise<boolean> {
  try {
    return (await source.namespaces.read(namespace)) === null;
  } catch (error) {
    if (error instanceof VaultCallError && error.reason === "permission-denied") return false;
    throw error;
  }
}

export interface NamespacePruneResult {
  deleted: number;
  kept: number;
  failed: number;
}

/** Deletes, on every destination, the gone namespaces sync.prune allows; logs what it kept and why. */
export async function pruneNamespaces(
  context: NamespacePruneContext & {
    prune: PruneMode;
    log: {
      info(message: string, fields?: Record<string, unknown>): void;
      warn(message: string, fields?: Record<string, unknown>): void;
    };
  },
): Promise<NamespacePruneResult> {
  const result: NamespacePruneResult = { deleted: 0, kept: 0, failed: 0 };
  if (context.prune === "off") return result;
  const cannotTell = (destination: VaultClient, error: unknown) => {
    result.failed++;
    context.log.warn("cannot tell which namespaces the source no longer has; they stay for now", {
      destination: destination.address,
      error: messageOf(error),
    });
  };
  for await (const { destination, extra } of extraNamespaces(context, cannotTell)) {
    const fields = { destination: extra.destination, namespace: extra.at };
    if (!prunedBy(extra, context.prune)) {
      result.kept++;
      context.log.info("a namespace the source no longer has stays: it holds data Courier did not write", {
        ...fields,
        foreign: extra.foreign,
      });
      continue;
    }
    try {
      for (const namespace of extra.namespaces) {
        await destination.namespaces.delete(namespace);
        destination.mounts.forget(namespace);
      }
    } catch (error) {
      result.failed++;
      context.log.warn("cannot delete a namespace the source no longer has; the next pass tries again", {
        ...fields,
        error: messageOf(error),
      });
      continue;
    }
    for (const id of extra.managedKeys) context.managed.note(destination.address, id, false);
    result.deleted++;
    context.log.info("deleted a namespace the source no longer has", fields);
  }
  await context.managed.flush();
  return result;
}

/** Everything in the namespace and below it, each item Courier's or not. */
async function judge(
  context: NamespacePruneContext,
  destination: VaultClient,
  map: PathMap,
  top: string,
  namespace: string,
): Promise<ExtraNamespace> {
  const namespaces = [top, ...(await destination.namespaces.descendants(top))].reverse();
  const extra: ExtraNamespace = {
    destination: destination.address,
    namespace,
    at: top,
    owner: "managed",
    namespaces,
    managedKeys: [],
  };
  const foreign = (what: string) => {
    extra.owner = "foreign";
    extra.foreign ??= what;
  };
  for (const at of namespaces) {
    const source = standsFor(at, map);
    if (source === null || !context.scope.namespaceInScope(source)) {
      foreign(`namespace ${at}`);
      continue;
    }
    try {
      await judgeOne(destination, at, source, map, {
        ours: (id) => context.managed.has(destination.address, id),
        managed: (id) => extra.managedKeys.push(id),
        foreign,
      });
    } catch (error) {
      // What cannot be seen cannot be called Courier's.
      foreign(`${at} (cannot look inside: ${messageOf(error)})`);
    }
  }
  return extra;
}

interface Verdicts {
  ours(id: string): boolean;
  managed(id: string): void;
  foreign(what: string): void;
}

/** One destination namespace `at`, standing for source namespace `source`. */
async function judgeOne(
  destination: VaultClient,
  at: string,
  source: string,
  map: PathMap,
  verdicts: Verdicts,
) {
  for (const mount of (await destination.mounts.table(at)).values()) {
    if (BUILT_IN_MOUNTS.has(mount.path)) continue;
    if (mount.kvVersion === null) {
      verdicts.foreign(`mount ${at}${mount.path} (${mount.type})`);
      continue;
    }
    const sourceMount = sourceMountOf(source, at, mount.path, map);
    const api = mount.kvVersion === 1 ? destination.kv1 : destination.kv2;
    for await (const path of keysOf((folder) =>
      api.list({ namespace: at, mount: mount.path, path: folder }),
    )) {
      const id =
        sourceMount === null ? null : keyId({ kind: "kv", namespace: source, mount: sourceMount, path });
      if (id !== null && verdicts.ours(id)) verdicts.managed(id);
      else verdicts.foreign(`kv ${at}${mount.path}${path}`);
    }
  }
  const auth = (await destination.caller.expect({ method: "GET", path: "sys/auth", namespace: at })) as {
    data?: Record<string, unknown>;
  };
  for (const path of Object.keys(auth?.data ?? {})) {
    if (!BUILT_IN_AUTH.has(path)) verdicts.foreign(`auth ${at}${path}`);
  }
  for (const name of await destination.policies.list(at)) {
    if (BUILT_IN_POLICIES.has(name)) continue;
    const id = keyId({ kind: "policy", namespace: source, mount: POLICY_MOUNT, path: name });
    if (verdicts.ours(id)) verdicts.managed(id);
    else verdicts.foreign(`policy ${at}${name}`);
  }
}

/** Every key below a folder, depth first. */
async function* keysOf(list: (folder: string) => Promise<string[]>, folder = ""): AsyncGenerator<string> {
  for (const name of await list(folder)) {
    if (name.endsWith("/")) yield* keysOf(list, folder + name);
    else yield folder + name;
  }
}

/**
 * The source namespace whose keys land in destination namespace `at`, or null when none does
 * (a parent a mapping's TO needs, or a namespace a mapping moved away from).
 * standsFor("dr/team9/", [team9/=dr/team9/]) → "team9/"; standsFor("team9/", [team9/=dr/team9/]) → null
 */
export function standsFor(at: string, map: PathMap): string | null {
  const namespace = sourceNamespaceOf(at, map);
  if (namespace === null || destinationNamespaceOf(namespace, map) !== at) return null;
  return namespace;
}

/**
 * The source mount whose keys land in destination mount `mount` of `at`, or null.
 * sourceMountOf("", "", "mirror/", [secret/=mirror/]) → "secret/"
 */
function sourceMountOf(source: string, at: string, mount: string, map: PathMap): string | null {
  const where = at + mount;
  const candidates = [
    ...map
      .filter(({ from, to }) => where.startsWith(to) && from.startsWith(source))
      .map(({ from, to }) => (from + where.slice(to.length)).slice(source.length)),
    mount,
  ];
  for (const candidate of candidates) {
    try {
      const landed = destinationKey({ kind: "kv", namespace: source, mount: candidate, path: "" }, map);
      if (landed.namespace === at && landed.mount === mount) return candidate;
    } catch {
      // A mapping that would move this mount out of its namespace: not where it lands.
    }
  }
  return null;
}
