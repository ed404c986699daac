// Reading one key on the source and on a destination, mount first: the source's mount says how
// the key is stored (KV v1, v2, or a policy), and a destination's mount must be the same kind.

import type { SyncKey } from "../sync-key.ts";
import { mountTableChanged } from "../vault/errors.ts";
import type { MountInfo, MountSpec } from "../vault/mounts.ts";
import { ABSENT_KV2, type KeyState, readKeyState } from "./key-state.ts";
import { SyncError } from "./sync-error.ts";
import type { SyncOptions, SyncVault } from "./vault-port.ts";

export interface SourceRead {
  /** null for a policy. */
  mount: MountInfo | null;
  state: KeyState;
}

/**
 * Any error thrown here means "the source could not be read": it never becomes a delete. A "no
 * handler" answer means the source's mount table changed under a mount known from before (the
 * mount disabled, or moved): the key is read once more from a fresh look at the table. A mount that
 * is gone leaves the key's state unknown, never absent: the destinations keep their copies.
 */
export async function readSource(source: SyncVault, key: SyncKey, options: SyncOptions): Promise<SourceRead> {
  try {
    return await readSourceOnce(source, key, options);
  } catch (error) {
    if (!mountTableChanged(error)) throw error;
    source.mounts.forget(key.namespace);
    return readSourceOnce(source, key, { ...options, sourceMount: undefined });
  }
}

async function readSourceOnce(source: SyncVault, key: SyncKey, options: SyncOptions): Promise<SourceRead> {
  const now = (options.now ?? Date.now)();
  if (key.kind === "policy") return { mount: null, state: await readKeyState(source, key, null, now) };
  const mount = options.sourceMount ?? (await source.mounts.find(key.namespace, key.mount));
  if (!mount) {
    throw new SyncError("VAULT_ERROR", `${source.address}: no mount ${where(key)} on the source`, true);
  }
  if (mount.kvVersion === null) {
    throw new SyncError(
      "VAULT_ERROR",
      `${source.address}: ${where(key)} is a ${mount.type} mount, not KV`,
      false,
    );
  }
  return { mount, state: await readKeyState(source, key, mount.kvVersion, now) };
}

export type DestinationRead =
  | { kind: "state"; state: KeyState }
  | { kind: "no-mount" }
  | { kind: "other-mount"; found: MountInfo };

export async function readDestination(
  destination: SyncVault,
  key: SyncKey,
  sourceMount: MountInfo | null,
  now: number,
): Promise<DestinationRead> {
  if (!sourceMount) return { kind: "state", state: await readKeyState(destination, key, null, now) };
  const found = await destination.mounts.find(key.namespace, key.mount);
  if (!found) return { kind: "no-mount" };
  if (found.kvVersion !== sourceMount.kvVersion) return { kind: "other-mount", found };
  return { kind: "state", state: await readKeyState(destination, key, sourceMount.kvVersion, now) };
}

/** What a key looks like on a Vault that has nothing for it. */
export function emptyState(kvVersion: 1 | 2 | null): KeyState {
  if (kvVersion === null) return { kind: "policy", text: null };
  return kvVersion === 1 ? { kind: "kv1", data: null } : ABSENT_KV2;
}

/** isAbsent({kind:"kv1", data:null}) → true */
export function isAbsent(state: KeyState): boolean {
  if (state.kind === "kv1") return state.data === null;
  if (state.kind === "policy") return state.text === null;
  return state.metadata === null;
}

/** The mount to create on a destination: the source's type and options ("generic" is kv's old name). */
export function mountSpecFrom(mount: MountInfo): MountSpec {
  return {
    type: mount.type === "generic" ? "kv" : mount.type,
    description: mount.description,
    options: mount.options,
  };
}

export function mountMissingMessage(destination: SyncVault, key: SyncKey, sourceMount: MountInfo): string {
  return (
    `${destination.address}: mount ${where(key)} does not exist; enable it there ` +
    `(type ${sourceMount.type}, KV v${sourceMount.kvVersion}) or turn on sync.create_mounts`
  );
}

export function otherMountMessage(destination: SyncVault, key: SyncKey, source: MountInfo, found: MountInfo) {
  const kind = (m: MountInfo) => (m.kvVersion === null ? `a ${m.type} mount` : `KV v${m.kvVersion}`);
  return `${destination.address}: mount ${where(key)} is ${kind(found)}, the source's is ${kind(source)}`;
}

/** where({namespace: "team-a/", mount: "secret/"}) → "team-a/secret/" */
function where(key: SyncKey): string {
  return `${key.namespace}${key.mount}`;
}
