// One key's state on one Vault, read fresh: what compare and plan work on. It holds secret values
// in memory only; nothing derived from it for outcomes or logs carries them.

import type { SyncKey } from "../sync-key.ts";
import type { Kv2Metadata, KvRef } from "../vault/kv.ts";
import { versionState } from "../vault/kv.ts";
import { SyncError } from "./sync-error.ts";
import type { SyncVault } from "./vault-port.ts";

/** The current version of a KV v2 key; "none" when the key has no version (metadata only, or absent). */
export type CurrentVersion =
  | { state: "live"; version: number; data: Record<string, unknown> }
  | { state: "deleted" | "destroyed" | "none"; version: number };

export type KeyState =
  | { kind: "kv1"; data: Record<string, unknown> | null }
  | { kind: "kv2"; metadata: Kv2Metadata | null; current: CurrentVersion }
  | { kind: "policy"; text: string | null };

export const ABSENT_KV2: KeyState = { kind: "kv2", metadata: null, current: { state: "none", version: 0 } };

/** refOf({kind:"kv", namespace:"", mount:"secret/", path:"a"}) → {namespace:"", mount:"secret/", path:"a"} */
export function refOf(key: SyncKey): KvRef {
  return { namespace: key.namespace, mount: key.mount, path: key.path };
}

/** Reads a key as stored on `vault`; `kvVersion` says how (null for a policy). */
export async function readKeyState(
  vault: SyncVault,
  key: SyncKey,
  kvVersion: 1 | 2 | null,
  now: number,
): Promise<KeyState> {
  if (key.kind === "policy")
    return { kind: "policy", text: await vault.policies.read(key.namespace, key.path) };
  if (kvVersion === 1) return { kind: "kv1", data: await vault.kv1.read(refOf(key)) };
  return readKv2State(vault, refOf(key), now);
}

async function readKv2State(vault: SyncVault, ref: KvRef, now: number): Promise<KeyState> {
  const metadata = await vault.kv2.readMetadata(ref);
  if (!metadata) return ABSENT_KV2;
  const version = metadata.current_version;
  const state = versionState(metadata.versions[String(version)], now);
  if (state !== "live") return { kind: "kv2", metadata, current: { state, version } };
  // The latest version, not `?version=N`: on a hot key, version N may already be pruned by
  // max_versions when the second read arrives. The answer names its own version and state.
  const read = await vault.kv2.readData(ref);
  if (read.state === "absent") {
    // Metadata named a version the data path does not know: the key was deleted between the reads.
    throw new SyncError("VAULT_ERROR", `${vault.address}: ${ref.mount}${ref.path} changed while read`, true);
  }
  const current: CurrentVersion =
    read.state === "live"
      ? { state: "live", version: read.version, data: read.data }
      : { state: read.state, version: read.version };
  return { kind: "kv2", metadata, current };
}
