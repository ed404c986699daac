// Passes the audit stream can cause — mounts marked because hints overflowed or came faster than
// --audit.max_rate, datagrams the kernel dropped — walk no faster than --audit.max_rate keys a
// second (MIN_PACE at least, so a limit set very low still lets a pass finish). Otherwise a flood
// of forged hints would get past the limit the long way round: each hint over it marks the mount,
// and the pass that follows reads every key in it, again and again while the flood lasts. Paced, a
// flood costs the source about twice the limit at most (the live hints plus one paced walk).
// Passes no sender can cause — start-up, the interval, a destination back after an outage — run
// at full speed.

import { systemClock, TokenBucket } from "../dispatch/clock.ts";

/** Keys a second a paced pass may always walk. */
const MIN_PACE = 50;

/** Reasons for a pass that the audit stream cannot cause. */
const UNPACED = new Set(["start-up", "interval", "destination back"]);

/** Waits until the next key may be offered. */
export type Pace = () => Promise<void>;

/**
 * The pace for a pass, or undefined when it runs at full speed.
 * pacingFor("marked mounts", 2000) → 2,000 keys/s;  pacingFor("marked mounts", 1) → 50 keys/s;
 * pacingFor("start-up", 2000) → undefined
 */
export function pacingFor(reason: string, maxRate: number): Pace | undefined {
  if (UNPACED.has(reason) || maxRate <= 0) return undefined;
  const perSecond = Math.max(MIN_PACE, maxRate);
  // A tenth of a second's worth at once, so waits are few and not shorter than a timer can sleep.
  const burst = Math.max(1, Math.ceil(perSecond / 10));
  const bucket = new TokenBucket({ perSecond, burst }, systemClock);
  const refillMs = Math.max(1, Math.ceil((burst * 1000) / perSecond));
  return async () => {
    while (!bucket.tryTake()) await Bun.sleep(refillMs);
  };
}
