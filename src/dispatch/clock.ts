// Time and rate as the dispatcher sees them: a clock, injected so tests can step through backoff,
// rate limits and grace periods without sleeping (production uses the system clock), and a token
// bucket metered by it, which bounds how much work a flood of audit hints can turn into reads of
// the source Vault (and paces a reconcile pass).

/** An opaque handle returned by setTimeout and given back to clearTimeout. */
export type TimerHandle = unknown;

export interface Clock {
  /** Milliseconds on a monotonic scale; only differences matter. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** The real clock: a monotonic `performance.now()` and the runtime's timers. */
export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** On average `perSecond` events, with bursts of up to `burst` at once. */
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
