// The scheduler's executor: a task goes to a sync worker, and the worker's per-destination result
// comes back in the scheduler's terms (done, retry later, or give up).

import type { DestinationOutcome, Execute, Task, TaskOutcome } from "../dispatch/task.ts";
import type { SyncResult } from "../sync/outcome.ts";
import type { SyncKey } from "../sync-key.ts";
import type { MountInfo } from "../vault/mounts.ts";
import type { SyncPool } from "../workers/sync-pool.ts";

/**
 * `onResult` sees the worker's full answer (what was written, deleted or skipped), for logs and
 * metrics. `sourceMountOf` is the source mount the main thread knows for a key: handed to the
 * worker, it spares the worker a read of the source's sys/mounts.
 */
export function poolExecutor(
  pool: SyncPool,
  onResult: (task: Task, result: SyncResult, ms: number) => void,
  sourceMountOf: (key: SyncKey) => MountInfo | undefined = () => undefined,
): Execute {
  return async (task) => {
    const started = performance.now();
    const sourceMount = sourceMountOf(task.key);
    const result = await pool.run({ key: task.key, destinations: task.destinations, sourceMount });
    onResult(task, result, performance.now() - started);
    return toTaskOutcome(result);
  };
}

/**
 * toTaskOutcome({destinations:[{destination:"http://b", result:"written", …}]})
 *   → {destinations:{"http://b":"done"}}
 */
export function toTaskOutcome(result: SyncResult): TaskOutcome {
  if (result.sourceError) {
    return { sourceError: { code: result.sourceError.code, message: result.sourceError.message } };
  }
  const destinations: Record<string, DestinationOutcome> = {};
  for (const outcome of result.destinations) {
    const error = outcome.error ? { code: outcome.error.code, message: outcome.error.message } : undefined;
    if (outcome.result === "retry") destinations[outcome.destination] = { retry: true, error: error! };
    else if (outcome.result === "failed") destinations[outcome.destination] = { failed: error! };
    else destinations[outcome.destination] = "done";
  }
  return { destinations };
}
