// What to do on a destination so that it equals the source, and doing it. One comparison
// (compareStates) serves both the sync, to decide what to write, and the drift report, to say what
// is wrong. A plan holds only the difference, in an order that works (settings before data, so
// cas_required and max_versions apply to the write); its actions carry version numbers but never
// values, which come from the source's state when applied. applyPlan makes one call at a time,
// noting each that succeeded so an outcome can say how far it got when a later call fails.

import type { SyncKey } from "../sync-key.ts";
import { DEFAULT_KV2_SETTINGS, type Kv2Settings } from "../vault/kv.ts";
import { type CurrentVersion, type KeyState, refOf, type SyncVault, UNREAD } from "./state.ts";

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

/** "foreign": the source lacks the key and it is not Courier's on this destination: another writer's. */
export type SkipReason = "deletes-off" | "default-policy" | "root-policy" | "foreign";

export interface PlanOptions {
  deletes: boolean;
  /**
   * The destination's copy may be deleted when the source lacks the key (sync.prune=all, or
   * Courier put it there). Otherwise it is another writer's and stays. Default true.
   */
  removable?: boolean;
}

/**
 * planSync({kind:"kv1", data:{a:"1"}}, {kind:"kv1", data:null}, {deletes:true}) → [{op:"kv1-write"}]
 * planSync({kind:"kv1", data:null}, {kind:"kv1", data:{a:"1"}}, {deletes:false}) → [{op:"skip", why:"deletes-off"}]
 */
export function planSync(source: KeyState, destination: KeyState, options: PlanOptions, name = ""): Action[] {
  const remove = (action: Action): Action[] => [
    options.deletes ? action : { op: "skip", why: "deletes-off" },
  ];
  // A key the source does not have at all: deleted here only when it is Courier's to delete.
  const removeKey = (action: Action): Action[] =>
    options.removable === false ? [{ op: "skip", why: "foreign" }] : remove(action);
  if (source.kind === "kv1" && destination.kind === "kv1") {
    if (source.data === null) return destination.data === null ? [] : removeKey({ op: "kv1-delete" });
    return Bun.deepEquals(source.data, destination.data) ? [] : [{ op: "kv1-write" }];
  }
  if (source.kind === "policy" && destination.kind === "policy") {
    if (name === "root") return [{ op: "skip", why: "root-policy" }];
    if (source.text === null) {
      if (destination.text === null) return [];
      return name === "default"
        ? [{ op: "skip", why: "default-policy" }]
        : removeKey({ op: "policy-delete" });
    }
    return source.text === destination.text ? [] : [{ op: "policy-write" }];
  }
  if (source.kind === "kv2" && destination.kind === "kv2")
    return planKv2(source, destination, remove, removeKey);
  return [];
}

type Kv2State = Extract<KeyState, { kind: "kv2" }>;

type Remover = (action: Action) => Action[];

function planKv2(source: Kv2State, destination: Kv2State, remove: Remover, removeKey: Remover): Action[] {
  if (!source.metadata) return destination.metadata ? removeKey({ op: "kv2-delete-metadata" }) : [];
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

/** What was done, by name: a plan's ops plus "create-namespace", "create-mount" and "kv2-undelete". */
export type Done =
  | Exclude<Action["op"], "skip" | "kv2-restore">
  | "create-namespace"
  | "create-mount"
  | "kv2-undelete";

export async function applyPlan(
  destination: SyncVault,
  key: SyncKey,
  source: KeyState,
  actions: Action[],
  done: Done[],
): Promise<void> {
  const ref = refOf(key);
  for (const action of actions) {
    switch (action.op) {
      case "skip":
        break;
      case "kv1-write":
        if (source.kind === "kv1" && source.data) await destination.kv1.write(ref, source.data);
        done.push(action.op);
        break;
      case "kv1-delete":
        await destination.kv1.delete(ref);
        done.push(action.op);
        break;
      case "kv2-write-metadata":
        if (source.kind === "kv2" && source.metadata) {
          await destination.kv2.writeMetadata(ref, source.metadata.settings);
        }
        done.push(action.op);
        break;
      case "kv2-write":
        await destination.kv2.writeData(ref, liveData(source), action.cas);
        done.push(action.op);
        break;
      case "kv2-restore":
        await restore(destination, key, source, action.version, done);
        break;
      case "kv2-soft-delete":
        await destination.kv2.deleteVersions(ref, [action.version]);
        done.push(action.op);
        break;
      case "kv2-destroy":
        await destination.kv2.destroyVersions(ref, [action.version]);
        done.push(action.op);
        break;
      case "kv2-delete-metadata":
        await destination.kv2.deleteMetadata(ref);
        done.push(action.op);
        break;
      case "policy-write":
        if (source.kind === "policy" && source.text !== null) {
          await destination.policies.write(key.namespace, key.path, source.text);
        }
        done.push(action.op);
        break;
      case "policy-delete":
        await destination.policies.delete(key.namespace, key.path);
        done.push(action.op);
        break;
    }
  }
}

/**
 * The source's current version is live where the destination's is soft-deleted. Undeleting is
 * right when the deleted data is the source's (an undelete on the source): no new version. The
 * deleted data cannot be read before, so undelete, look, and if it is not the source's, put the
 * version back as it was and write the source's data as a new version.
 */
async function restore(
  destination: SyncVault,
  key: SyncKey,
  source: KeyState,
  version: number,
  done: Done[],
) {
  const ref = refOf(key);
  const data = liveData(source);
  await destination.kv2.undeleteVersions(ref, [version]);
  done.push("kv2-undelete");
  const read = await destination.kv2.readData(ref, version);
  if (read.state === "live" && Bun.deepEquals(read.data, data)) return;
  await destination.kv2.deleteVersions(ref, [version]);
  done.push("kv2-soft-delete");
  await destination.kv2.writeData(ref, data, version);
  done.push("kv2-write");
}

function liveData(source: KeyState): Record<string, unknown> {
  if (source.kind === "kv2" && source.current.state === "live" && source.current.data !== UNREAD) {
    return source.current.data;
  }
  throw new Error("a KV v2 write was planned for a source without live data");
}

// How a destination's copy of a key differs from the source's.

export type Status = "equal" | "missing" | "extra" | "differs";

export type Aspect =
  /** The destination has no such mount, or one of another KV version. */
  | "mount"
  /** KV data (v1, or v2's current version) is not the source's. */
  | "data"
  /** Whether the current version is soft-deleted differs. */
  | "deleted"
  /** The source's current version is destroyed, the destination's is not. */
  | "destroyed"
  | keyof Kv2Settings
  | "policy";

export interface Difference {
  status: Status;
  /** What differs, for "differs" (and "missing" for a missing mount); empty otherwise. */
  aspects: Aspect[];
}

const EQUAL: Difference = { status: "equal", aspects: [] };
const SETTINGS = Object.keys(DEFAULT_KV2_SETTINGS) as (keyof Kv2Settings)[];

/**
 * compareStates({kind:"kv1", data:{a:"1"}}, {kind:"kv1", data:null}) → {status:"missing", aspects:[]}
 * compareStates(v2 live {a:"1"}, v2 live {a:"2"}) → {status:"differs", aspects:["data"]}
 */
export function compareStates(source: KeyState, destination: KeyState): Difference {
  if (source.kind === "kv1" && destination.kind === "kv1") {
    return presence(source.data !== null, destination.data !== null, () =>
      Bun.deepEquals(source.data, destination.data) ? [] : ["data"],
    );
  }
  if (source.kind === "policy" && destination.kind === "policy") {
    return presence(source.text !== null, destination.text !== null, () =>
      source.text === destination.text ? [] : ["policy"],
    );
  }
  if (source.kind === "kv2" && destination.kind === "kv2") {
    const src = source.metadata;
    const dst = destination.metadata;
    return presence(src !== null, dst !== null, () => [
      ...settingsDiff(src!.settings, dst!.settings),
      ...currentDiff(source.current, destination.current),
    ]);
  }
  return { status: "differs", aspects: ["mount"] };
}

/**
 * The settings of two KV v2 keys that differ.
 * settingsDiff({…, max_versions: 5}, {…, max_versions: 0}) → ["max_versions"]
 */
export function settingsDiff(source: Kv2Settings, destination: Kv2Settings): (keyof Kv2Settings)[] {
  return SETTINGS.filter((name) => !Bun.deepEquals(source[name], destination[name]));
}

/**
 * How the current versions differ, named from the destination's side of the fix.
 * currentDiff({state:"destroyed"}, {state:"live"}) → ["destroyed"]
 */
export function currentDiff(source: CurrentVersion, destination: CurrentVersion): Aspect[] {
  if (source.state === "live") {
    if (destination.state === "live") return Bun.deepEquals(source.data, destination.data) ? [] : ["data"];
    return destination.state === "deleted" ? ["deleted"] : ["data"];
  }
  if (source.state === "destroyed") {
    return destination.state === "live" || destination.state === "deleted" ? ["destroyed"] : [];
  }
  // Soft-deleted or no version at all on the source: no readable data there, so none here either.
  return destination.state === "live" ? ["deleted"] : [];
}

function presence(onSource: boolean, onDestination: boolean, differences: () => Aspect[]): Difference {
  if (!onSource && !onDestination) return EQUAL;
  if (!onDestination) return { status: "missing", aspects: [] };
  if (!onSource) return { status: "extra", aspects: [] };
  const aspects = differences();
  return aspects.length === 0 ? EQUAL : { status: "differs", aspects };
}
