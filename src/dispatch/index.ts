// Dispatch: the dedup ring and the scheduler that feeds executors from it.

export type { BackoffOptions } from "../backoff.ts";
export { backoffDelay } from "../backoff.ts";
export type { Clock, RateLimit, TimerHandle } from "./clock.ts";
export { systemClock } from "./clock.ts";
export type {
  KeyStatus,
  MarkReason,
  MountRef,
  OfferResult,
  Priority,
  RingOptions,
  RingStats,
  Taken,
} from "./ring.ts";
export { DedupRing } from "./ring.ts";
export { Scheduler } from "./scheduler.ts";
export type { HintResult, Leftovers, SchedulerOptions } from "./scheduler-types.ts";
export type { DestinationCounts, SchedulerStats } from "./stats.ts";
export type { DestinationOutcome, Execute, Task, TaskError, TaskOutcome } from "./task.ts";
