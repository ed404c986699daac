// A problem syncing finds itself (not one Vault reported): a missing or mismatched mount, a key
// that changed while it was being read.

import { CourierError, type ErrorCode } from "../errors.ts";

export class SyncError extends CourierError {
  override name = "SyncError";
  constructor(
    code: ErrorCode,
    message: string,
    /** Worth trying again later without anyone changing anything. */
    readonly transient: boolean,
  ) {
    super(code, message);
  }
}
