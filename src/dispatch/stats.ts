// The dispatcher's numbers, for metrics and the status line. Gauges say how things are now;
// counters only grow.

import type { RingStats } from "./ring.ts";

export interface DestinationCounts {
  /** Runs that left this destination equal to the source. */
  done: number;
  /** Permanent failures: counted and not retried. */
  failed: number;
  /** Retries scheduled (each one a backoff wait). */
  retried: number;
}

export interface SchedulerStats {
  /** Gauge: keys waiting in the ring, and of those the live and reconcile ones. */
  queueDepth: number;
  queueLive: number;
  queueReconcile: number;
  /** Gauge: runs executing now. */
  inFlight: number;
  /** Gauge: keys with at least one destination backing off or due. */
  retrying: number;
  /** Counters. */
  runs: number;
  retriesScheduled: number;
  overflow: number;
  rateLimited: number;
  retryOverflow: number;
  sourceErrors: number;
  executorErrors: number;
  coalesced: number;
  promoted: number;
  destinations: Record<string, DestinationCounts>;
}

/** Counters kept by the scheduler itself (the ring keeps its own). */
export function emptyCounters() {
  return {
    runs: 0,
    retriesScheduled: 0,
    rateLimited: 0,
    retryOverflow: 0,
    sourceErrors: 0,
    executorErrors: 0,
  };
}

/** Fresh per-destination counters, one entry per destination name. */
export function destinationCounters(names: readonly string[]): Map<string, DestinationCounts> {
  return new Map(names.map((name) => [name, { done: 0, failed: 0, retried: 0 }]));
}

/** One snapshot from the ring's numbers and the scheduler's; copies, so callers may keep it. */
export function composeStats(
  ring: RingStats,
  gauges: { inFlight: number; retrying: number },
  counts: ReturnType<typeof emptyCounters>,
  perDestination: Map<string, DestinationCounts>,
): SchedulerStats {
  return {
    queueDepth: ring.pendingLive + ring.pendingReconcile,
    queueLive: ring.pendingLive,
    queueReconcile: ring.pendingReconcile,
    ...gauges,
    overflow: ring.overflow,
    coalesced: ring.coalesced,
    promoted: ring.promoted,
    ...counts,
    destinations: Object.fromEntries([...perDestination].map(([name, c]) => [name, { ...c }])),
  };
}
