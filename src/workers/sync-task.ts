// What the agent sends a sync worker, and what it answers. Plain data: it crosses postMessage.

import type { SyncResult } from "../sync/outcome.ts";
import type { SyncKey } from "../sync-key.ts";
import type { VaultConnection } from "../vault/client.ts";
import type { MountInfo } from "../vault/mounts.ts";

export interface SyncWorkerInit {
  /** No credentials: each Vault's token comes from the main thread (token-relay.ts). */
  source: VaultConnection;
  destinations: VaultConnection[];
  deletes: boolean;
  createMounts: boolean;
}

export interface SyncWorkerTask {
  key: SyncKey;
  /** Addresses of the destinations this run covers (not always all of them). */
  destinations: string[];
  /** The source's mount for the key when the agent already knows it, saving a lookup. */
  sourceMount?: MountInfo;
}

export type SyncWorkerResult = SyncResult;
