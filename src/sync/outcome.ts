// What a sync reports per destination: plain data (it leaves a Worker by postMessage), with names
// of what was done and Vault's error messages, never a secret value or a token. It is the one
// shape of a sync's answer all the way back: the scheduler reads retries from it, and the logs,
// metrics and passes read the rest.

import { CourierError, type ErrorCode } from "../errors.ts";
import { VaultCallError } from "../vault/errors.ts";
import type { Done, SkipReason } from "./plan.ts";
import { SyncError } from "./state.ts";

export type SyncResultKind =
  | "unchanged" // already equal: nothing written
  | "written" // something was written (data, settings, undelete, a mount)
  | "deleted" // only deletes were needed: delete, soft delete, destroy, metadata delete
  | "skipped" // a difference left alone on purpose (deletes off, root or default policy)
  | "retry" // a transient failure: try again later
  | "failed"; // a failure that needs someone to change something

export interface OutcomeError {
  code: ErrorCode;
  message: string;
  transient: boolean;
  /** Why a Vault call failed ("permission-denied", "sealed", …), when one did. */
  reason?: string;
  /** The HTTP status, when Vault answered. */
  status?: number;
}

export interface DestinationOutcome {
  /** The destination's address. */
  destination: string;
  result: SyncResultKind;
  /** Calls that succeeded, in order; on a failure, how far it got. */
  done: Done[];
  skipped: SkipReason[];
  error?: OutcomeError;
  /**
   * What the run learnt about whose the key is there (managed.ts): true, it now mirrors the
   * source's key; false, the key is gone there; absent, nothing new (a failure, another writer's key).
   */
  managed?: boolean;
  /**
   * When the caller keeps verifications (SyncOptions.verified): the fingerprint of both sides'
   * metadata when found equal, for the next run to trust; "" when there is none to keep.
   */
  verified?: string;
}

export interface SyncResult {
  /** Set when the source could not be read: nothing was decided, and every destination is "retry". */
  sourceError?: OutcomeError;
  /** One per destination, in the order given. */
  destinations: DestinationOutcome[];
}

const DELETES = new Set<Done>([
  "kv1-delete",
  "kv2-soft-delete",
  "kv2-destroy",
  "kv2-delete-metadata",
  "policy-delete",
]);

/**
 * resultOf(["kv2-write-metadata", "kv2-soft-delete"], []) → "written"
 * resultOf([], ["deletes-off"]) → "skipped"
 */
export function resultOf(done: Done[], skipped: SkipReason[]): SyncResultKind {
  if (done.some((op) => !DELETES.has(op))) return "written";
  if (done.length > 0) return "deleted";
  // Another writer's key where the source has none is not Courier's difference to mend.
  return skipped.some((why) => why !== "foreign") ? "skipped" : "unchanged";
}

/** Deletes that remove the whole key, not just a version of it. */
export const WHOLE_KEY_DELETES = new Set<Done>(["kv1-delete", "kv2-delete-metadata", "policy-delete"]);

/** Any thrown value → an outcome error; a bug (not a Courier error) is permanent and INTERNAL. */
export function toOutcomeError(error: unknown): OutcomeError {
  if (error instanceof VaultCallError) {
    return {
      code: error.code,
      message: error.message,
      transient: error.transient,
      reason: error.reason,
      ...(error.status === undefined ? {} : { status: error.status }),
    };
  }
  if (error instanceof SyncError) {
    const { code, message, transient, reason } = error;
    return reason === undefined ? { code, message, transient } : { code, message, transient, reason };
  }
  if (error instanceof CourierError) return { code: error.code, message: error.message, transient: false };
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { code: "INTERNAL", message, transient: false };
}

/**
 * Failures that mean "another writer changed it in between" (another Courier won a check-and-set,
 * the key was deleted between two reads, a standby had not caught up): a fresh read settles them.
 */
const RACES = new Set(["conflict", "changed-while-read", "inconsistent"]);

/** isRace({reason: "conflict", …}) → true; isRace({reason: "sealed", …}) → false */
export function isRace(error: OutcomeError | undefined): boolean {
  return error?.transient === true && RACES.has(error.reason ?? "");
}

/** The outcome for a destination where something failed after `done`. */
export function failedOutcome(destination: string, error: OutcomeError, done: Done[]): DestinationOutcome {
  return { destination, result: error.transient ? "retry" : "failed", done, skipped: [], error };
}
