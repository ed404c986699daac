// One log line per sync: debug when it went well, warn when a destination failed. It names the
// key, the destinations and what was done — never a value (outcomes hold none).

import type { Task } from "../dispatch/task.ts";
import type { Logger } from "../observe/logger.ts";
import type { SyncResult } from "../sync/outcome.ts";
import { describeKey } from "../sync-key.ts";

export function logSync(log: Logger, task: Task, result: SyncResult, ms: number): void {
  const key = describeKey(task.key);
  if (result.sourceError) {
    log.warn("could not read the source; will retry", {
      key,
      attempt: task.attempt,
      error: result.sourceError.message,
    });
    return;
  }
  for (const outcome of result.destinations) {
    const fields = {
      key,
      destination: outcome.destination,
      result: outcome.result,
      done: outcome.done.join(",") || undefined,
      skipped: outcome.skipped.join(",") || undefined,
      ms: Math.round(ms * 10) / 10,
    };
    if (outcome.error)
      log.warn("sync failed", { ...fields, attempt: task.attempt, error: outcome.error.message });
    else log.debug("synced", fields);
  }
}
