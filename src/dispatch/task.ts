// What the scheduler hands an executor and what it gets back. Plain data only: tasks and
// outcomes cross the boundary to a Bun Worker by structured clone.

import type { ErrorCode } from "../errors.ts";
import type { SyncKey } from "../sync-key.ts";

export interface Task {
  key: SyncKey;
  /** The destinations this run must bring equal to the source (not always all of them). */
  destinations: string[];
  /** 1 on a first try; otherwise 1 + the most failures any of these destinations has had in a row. */
  attempt: number;
}

/** Why a step failed, safe to log: a code and a message that never hold a secret value or token. */
export interface TaskError {
  code: ErrorCode;
  message: string;
}

/** One destination's result: equal now, try again later, or give up (counted, never retried). */
export type DestinationOutcome = "done" | { retry: true; error: TaskError } | { failed: TaskError };

export type TaskOutcome =
  /** The source was read; each destination says how it went. A destination left out is retried. */
  | { destinations: Record<string, DestinationOutcome> }
  /**
   * The source could not be read (403, 5xx, sealed, timeout). Nothing was decided, so every
   * destination of the task is retried with backoff; a read error is never taken for "absent".
   */
  | { sourceError: TaskError };

/** The function that runs one task (in production: a message to a worker, awaited). */
export type Execute = (task: Task) => Promise<TaskOutcome>;
