// The pool of sync workers. The worker's URL is built here, beside sync.worker.ts: inside a
// compiled binary `import.meta.url` is the binary's root, so only a sibling file resolves it right.

import type { TokenSource } from "../vault/auth.ts";
import { WorkerPool } from "./pool.ts";
import type { SyncWorkerInit, SyncWorkerResult, SyncWorkerTask } from "./sync-task.ts";
import { relayTokens } from "./token-relay.ts";

export type SyncPool = WorkerPool<SyncWorkerInit, SyncWorkerTask, SyncWorkerResult>;

/**
 * `tokens` are the main thread's token sources, the source's first, then one per destination in
 * the order of `init.destinations`: the workers use them and never log in themselves.
 */
export function createSyncPool(
  size: number,
  init: SyncWorkerInit,
  tokens: readonly TokenSource[],
  onCrash?: (info: { worker: number; tasks: number; reason: string }) => void,
): SyncPool {
  let pool: SyncPool | undefined;
  const relay = relayTokens(tokens, (update) => pool?.broadcast(update));
  pool = new WorkerPool({
    url: new URL("./sync.worker.ts", import.meta.url),
    size,
    init,
    onCrash,
    answer: relay.answer,
    onStop: relay.stop,
  });
  return pool;
}
