// A token bucket: on average `perSecond` events, with bursts of up to `burst` at once. Used to
// bound how much work a flood of audit hints can turn into reads of the source Vault.

import type { Clock } from "./clock.ts";

export interface RateLimit {
  perSecond: number;
  burst: number;
}

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly limit: RateLimit,
    private readonly clock: Pick<Clock, "now">,
  ) {
    this.tokens = limit.burst;
    this.last = clock.now();
  }

  /** Takes one token if there is one. */
  tryTake(): boolean {
    // Time that seems to run backwards (a clock adjusted) neither refills nor is counted twice.
    const now = Math.max(this.last, this.clock.now());
    this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.last) / 1000) * this.limit.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
