// What a sync of one key would change, without changing anything: the sync's own reads and plan
// (readSource, readDestination, planSync), stopped before applying. `courier sync --dry-run`
// prints these.

import { type OutcomeError, toOutcomeError } from "../sync/outcome.ts";
import { destinationKey, mapFor } from "../sync/path-map.ts";
import { type Action, planSync } from "../sync/plan.ts";
import type { KeyState, SyncVault } from "../sync/state.ts";
import {
  emptyState,
  isAbsent,
  mountMissingMessage,
  otherMountMessage,
  readDestination,
  readSource,
  type SourceRead,
  SyncError,
} from "../sync/state.ts";
import { removable, type SyncOptions } from "../sync/sync.ts";
import type { SyncKey } from "../sync-key.ts";
import { namespaceMissing } from "../vault/namespaces.ts";

export type ChangeAction =
  | "create-namespace"
  | "create-mount"
  | "write-metadata"
  | "write"
  | "undelete"
  | "soft-delete"
  | "destroy"
  | "delete";

/**
 * One line of `sync --dry-run`; a create-mount names the mount and an empty path, a
 * create-namespace names the destination's namespace and an empty mount and path.
 */
export interface Change {
  destination: string;
  action: ChangeAction;
  kind: SyncKey["kind"];
  namespace: string;
  mount: string;
  path: string;
}

export interface KeyPlan {
  changes: Change[];
  /** Destinations where a difference would be left alone on purpose (deletes off, default policy). */
  skipped: string[];
  /** Destinations (or the source, named by its address) the plan could not be made for. */
  errors: { vault: string; error: OutcomeError }[];
}

const ACTIONS: Record<Exclude<Action["op"], "skip">, ChangeAction> = {
  "kv1-write": "write",
  "kv1-delete": "delete",
  "kv2-write-metadata": "write-metadata",
  "kv2-write": "write",
  "kv2-restore": "undelete",
  "kv2-soft-delete": "soft-delete",
  "kv2-destroy": "destroy",
  "kv2-delete-metadata": "delete",
  "policy-write": "write",
  "policy-delete": "delete",
};

export async function planKey(
  key: SyncKey,
  source: SyncVault,
  destinations: readonly SyncVault[],
  options: SyncOptions,
): Promise<KeyPlan> {
  const plan: KeyPlan = { changes: [], skipped: [], errors: [] };
  let read: SourceRead;
  try {
    read = await readSource(source, key, options);
  } catch (error) {
    plan.errors.push({ vault: source.address, error: toOutcomeError(error) });
    return plan;
  }
  const perDestination = await Promise.all(
    destinations.map(async (destination) => {
      try {
        return { actions: await destinationActions(destination, key, read, options) };
      } catch (error) {
        return { error: toOutcomeError(error) };
      }
    }),
  );
  perDestination.forEach((result, i) => {
    const destination = destinations[i]!.address;
    if (result.error) {
      plan.errors.push({ vault: destination, error: result.error });
      return;
    }
    for (const namespace of result.actions.namespaces) {
      plan.changes.push({
        destination,
        action: "create-namespace",
        kind: key.kind,
        namespace,
        mount: "",
        path: "",
      });
    }
    for (const action of result.actions.actions) {
      if (action === "skip") plan.skipped.push(destination);
      else plan.changes.push(change(destination, action, key));
    }
  });
  return plan;
}

/** change("http://b", "write", kv secret/app) → {destination:"http://b", action:"write", kind:"kv", …, path:"app"} */
function change(destination: string, action: ChangeAction, key: SyncKey): Change {
  const path = action === "create-mount" ? "" : key.path;
  return { destination, action, kind: key.kind, namespace: key.namespace, mount: key.mount, path };
}

/**
 * The actions for one destination, "skip" for a difference left alone, after the namespaces it
 * would make first (parents first), as the sync's namespaceReady does.
 */
async function destinationActions(
  destination: SyncVault,
  key: SyncKey,
  source: SourceRead,
  options: SyncOptions,
): Promise<{ namespaces: string[]; actions: (ChangeAction | "skip")[] }> {
  const at = destinationKey(key, mapFor(options.map, destination.address));
  const namespaces = at.namespace === "" ? [] : await destination.namespaces.missingLevels(at.namespace);
  if (namespaces.length === 0)
    return { namespaces, actions: await keyActions(destination, key, at, source, options) };
  // No namespace here: as the sync does, nothing to do for an absent key, else make it first.
  if (isAbsent(source.state)) return { namespaces: [], actions: [] };
  if (!options.createMounts) throw namespaceMissing(destination.address, namespaces[0]!);
  const state = emptyState(key.kind === "kv" ? source.mount!.kvVersion : null);
  const actions = planActions(source, state, options, destination, key);
  return { namespaces, actions: key.kind === "kv" ? ["create-mount", ...actions] : actions };
}

/** The actions for a destination whose namespace exists. */
async function keyActions(
  destination: SyncVault,
  key: SyncKey,
  at: SyncKey,
  source: SourceRead,
  options: SyncOptions,
): Promise<(ChangeAction | "skip")[]> {
  const now = (options.now ?? Date.now)();
  const read = await readDestination(destination, at, source.mount, now);
  if (read.kind === "state") return planActions(source, read.state, options, destination, key);
  const mount = source.mount!;
  if (read.kind === "other-mount") {
    throw new SyncError("VAULT_ERROR", otherMountMessage(destination, key, mount, read.found), false);
  }
  // No such mount here: as the sync does, nothing to do for an absent key, else make it first.
  if (isAbsent(source.state)) return [];
  if (!options.createMounts) {
    throw new SyncError("VAULT_ERROR", mountMissingMessage(destination, key, mount), false);
  }
  return ["create-mount", ...planActions(source, emptyState(mount.kvVersion), options, destination, key)];
}

function planActions(
  source: SourceRead,
  state: KeyState,
  options: SyncOptions,
  destination: SyncVault,
  key: SyncKey,
): (ChangeAction | "skip")[] {
  const planOptions = { deletes: options.deletes, removable: removable(options, destination.address) };
  return planSync(source.state, state, planOptions, key.path.toLowerCase()).map((action) =>
    action.op === "skip" ? ("skip" as const) : ACTIONS[action.op],
  );
}
