// What the log says about logins and renewals: a failure once, at the level it deserves (a refused
// login needs a person: error; a renewal that failed leaves a token that still works: warn), its
// repeats at debug, and one line when it works again. The syncs that waited on it log at debug
// (sync-log.ts), so a spent secret_id is one error line, not one per key and retry.

import type { Logger } from "../observe/logger.ts";
import { LoginFailed, type TokenEvent } from "../vault/auth.ts";

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
