// The scheduler's executor: a task goes to a sync worker, and the worker's result comes back as
// it is, to the scheduler and (through `onResult`) to the logs and metrics.

import type { Execute, Task } from "../dispatch/scheduler.ts";
import type { SyncResult } from "../sync/outcome.ts";
import type { SyncPool } from "../workers/pool.ts";

/** `onResult` sees the worker's full answer (what was written, deleted or skipped), for logs and metrics. */
export function poolExecutor(
  pool: SyncPool,
  onResult: (task: Task, result: SyncResult, ms: number) => void,
): Execute {
  return async (task) => {
    const started = performance.now();
    const result = await pool.run({ key: task.key, destinations: task.destinations });
    onResult(task, result, performance.now() - started);
    return result;
  };
}
