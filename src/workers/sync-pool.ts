// The pool of sync workers. The worker's URL is built here, beside sync.worker.ts: inside a
// compiled binary `import.meta.url` is the binary's root, so only a sibling file resolves it right.

import { WorkerPool } from "./pool.ts";
import type { SyncWorkerInit, SyncWorkerResult, SyncWorkerTask } from "./sync-task.ts";

export type SyncPool = WorkerPool<SyncWorkerInit, SyncWorkerTask, SyncWorkerResult>;

export function createSyncPool(
  size: number,
  init: SyncWorkerInit,
  onCrash?: (info: { worker: number; tasks: number; reason: string }) => void,
): SyncPool {
  return new WorkerPool({ url: new URL("./sync.worker.ts", import.meta.url), size, init, onCrash });
}
