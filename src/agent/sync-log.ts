// What the agent's log says about syncs and logins. One line per sync: debug when it went well or
// lost a race to another writer (it is run again), warn when a destination failed (a permanent
// failure repeated word for word only once). It names
// the key, the destinations and what was done — never a value (outcomes hold none). Logins and
// renewals: a failure once, at the level it deserves (a refused login needs a person: error; a
// renewal that failed leaves a token that still works: warn), its repeats at debug, and one line
// when it works again. The syncs that waited on a failed login log at debug, so a spent
// secret_id is one error line, not one per key and retry.

import type { Task } from "../dispatch/scheduler.ts";
import type { Logger } from "../observe/logger.ts";
import { isRace, type SyncResult } from "../sync/outcome.ts";
import { describeKey } from "../sync-key.ts";
import { LoginFailed, type TokenEvent } from "../vault/auth.ts";

export function logSync(log: Logger, task: Task, result: SyncResult, ms: number): void {
  const key = describeKey(task.key);
  if (result.sourceError) {
    // A spent login is reported once by the token log; a key that moved while read is a race.
    const expected = result.sourceError.code === "VAULT_LOGIN_FAILED" || isRace(result.sourceError);
    const level = expected ? "debug" : "warn";
    log[level]("could not read the source; will retry", {
      key,
      attempt: task.attempt,
      error: result.sourceError.message,
    });
    return;
  }
  const debug = log.enabled("debug");
  for (const outcome of result.destinations) {
    // The usual outcome logs at debug only: with debug off, its fields are not even built.
    if (!outcome.error && !debug) continue;
    const fields = {
      key,
      destination: outcome.destination,
      result: outcome.result,
      done: outcome.done.join(",") || undefined,
      skipped: outcome.skipped.join(",") || undefined,
      ms: Math.round(ms * 10) / 10,
    };
    if (!outcome.error) log.debug("synced", fields);
    // Expected when something else writes the key too (a second Courier, a cascade): run again.
    else if (isRace(outcome.error))
      log.debug("sync lost a race; will retry", {
        ...fields,
        attempt: task.attempt,
        error: outcome.error.message,
      });
    else if (outcome.error.code === "VAULT_LOGIN_FAILED")
      log.debug("sync waits for a login", { ...fields, attempt: task.attempt, error: outcome.error.message });
    else if (outcome.result === "failed" && !firstTime(outcome.destination, outcome.error.message))
      log.debug("sync failed again", { ...fields, attempt: task.attempt, error: outcome.error.message });
    else log.warn("sync failed", { ...fields, attempt: task.attempt, error: outcome.error.message });
  }
}

export function logTokenEvents(log: Logger): (event: TokenEvent) => void {
  return (event) => {
    if (event.kind === "recovered") {
      const msg = event.action === "login" ? "logged in again" : "token renewed again";
      log.info(msg, { vault: event.vault, failures: event.failures });
      return;
    }
    const { error } = event;
    const fields = {
      vault: event.vault,
      error: error instanceof LoginFailed ? error.detail : error.message,
      hint: error instanceof LoginFailed && error.hint ? error.hint : undefined,
      failures: event.failures,
      retryInS: Math.round(event.retryInMs / 100) / 10,
    };
    const msg =
      error instanceof LoginFailed
        ? error.summary
        : "token renewal failed; the token is used until it expires";
    if (event.repeated) log.debug(`${msg} (again)`, fields);
    else if (event.action === "login") log.error(msg, fields);
    else log.warn(msg, fields);
  };
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
