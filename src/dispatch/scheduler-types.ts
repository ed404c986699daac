// The scheduler's options and answers, apart from its workings.

import type { BackoffOptions } from "../backoff.ts";
import type { SyncKey } from "../sync-key.ts";
import type { Clock, RateLimit } from "./clock.ts";
import type { DedupRing, MountRef, OfferResult, Priority } from "./ring.ts";
import type { Execute, Task, TaskOutcome } from "./task.ts";

export interface SchedulerOptions {
  ring: DedupRing;
  /** Runs at once (`--worker.concurrency`). */
  concurrency: number;
  destinations: string[];
  execute: Execute;
  backoff: BackoffOptions;
  clock?: Clock;
  /** Bounds live hints that would cause new work; over it, the key's mount is marked for a pass. */
  rateLimit?: RateLimit;
  /** Most keys with retries at once (default: the ring's capacity); past it, mounts are marked. */
  maxRetrying?: number;
  random?: () => number;
  /** A key hinted while it ran runs again no sooner than this after that run started (default 100). */
  rerunDelayMs?: number;
  /** Told about every finished run, for logs. Must not throw. */
  onSettled?: (event: { task: Task; outcome: TaskOutcome | undefined; ms: number }) => void;
}

/** What offering a hint did: the ring's answer, or refused by the rate limit or after stop(). */
export type HintResult = OfferResult | "rate-limited" | "stopped";

/** What stop() could not finish, for the caller to log or persist. */
export interface Leftovers {
  pending: { key: SyncKey; priority: Priority }[];
  inFlight: { key: SyncKey; destinations: string[] }[];
  retries: { key: SyncKey; destinations: string[] }[];
  mounts: MountRef[];
}
