// How long to wait before the next try after failures in a row: a destination's syncs, a login.
// Exponential with a cap, then jittered so that many keys failing together (a destination down)
// come back spread out, not as one wave. Shared by the scheduler and the Vault token source.

export interface BackoffOptions {
  /** Ceiling of the first wait. */
  initialMs: number;
  /** No wait is ever longer than this. */
  maxMs: number;
  /** Growth per failure (2 doubles the ceiling each time). */
  factor: number;
  /**
   * Share of the ceiling that is random: 1 is "full jitter" (anywhere in [0, ceiling]), 0 is none
   * (exactly the ceiling). Values between keep a floor of (1 - jitter) × ceiling.
   */
  jitter: number;
}

/**
 * The wait after the n-th consecutive failure (n ≥ 1), given a random number in [0, 1).
 * backoffDelay({initialMs:100,maxMs:1000,factor:2,jitter:0}, 3, 0.5) → 400
 */
export function backoffDelay(options: BackoffOptions, failures: number, random: number): number {
  // Past 64 doublings every sane cap is long reached; clamping keeps factor ** n finite.
  const exponent = Math.min(64, Math.max(0, failures - 1));
  const ceiling = Math.min(options.maxMs, options.initialMs * options.factor ** exponent);
  const jitter = Math.min(1, Math.max(0, options.jitter));
  return ceiling * (1 - jitter * random);
}
