// One log line per sync: debug when it went well, warn when a destination failed (a permanent
// failure repeated word for word only once). A sync that waited on a failed login is debug: the
// token source reports the login itself, once (token-log.ts). It names the key, the destinations
// and what was done — never a value (outcomes hold none).

import type { Task } from "../dispatch/scheduler.ts";
import type { Logger } from "../observe/logger.ts";
import type { SyncResult } from "../sync/outcome.ts";
import { describeKey } from "../sync-key.ts";

export function logSync(log: Logger, task: Task, result: SyncResult, ms: number): void {
  const key = describeKey(task.key);
  if (result.sourceError) {
    const level = result.sourceError.code === "VAULT_LOGIN_FAILED" ? "debug" : "warn";
    log[level]("could not read the source; will retry", {
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
    if (!outcome.error) log.debug("synced", fields);
    else if (outcome.error.code === "VAULT_LOGIN_FAILED")
      log.debug("sync waits for a login", { ...fields, attempt: task.attempt, error: outcome.error.message });
    else if (outcome.result === "failed" && !firstTime(outcome.destination, outcome.error.message))
      log.debug("sync failed again", { ...fields, attempt: task.attempt, error: outcome.error.message });
    else log.warn("sync failed", { ...fields, attempt: task.attempt, error: outcome.error.message });
  }
}

/**
 * A permanent failure that names no key (a mount missing on a destination with create_mounts
 * off) would otherwise warn once per key and write: it is reported once per destination, and
 * its repeats go to debug. Transient failures always warn: they say a destination is struggling.
 */
const reported = new Set<string>();
const MAX_REPORTED = 1_000;

function firstTime(destination: string, message: string): boolean {
  const id = `${destination}\u0000${message}`;
  if (reported.has(id)) return false;
  if (reported.size >= MAX_REPORTED) reported.clear();
  reported.add(id);
  return true;
}
