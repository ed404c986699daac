// Vault's framework.CalculateTTL, in whole seconds: the TTL a token gets at creation or renewal,
// capped so it never outlives issue time + max TTL (the mount's, or the token's explicit max).

/** Vault's system default and maximum lease TTL: 32 days. */
export const SYSTEM_MAX_TTL = 2_764_800;

export interface TtlInput {
  /** Requested increment on renewal; 0 = none. */
  increment: number;
  /** The TTL the token asked for (creation) or was last granted (renewal); 0 = the default. */
  backendTtl: number;
  period: number;
  explicitMaxTtl: number;
  /** Mount max and default (0 = system). */
  mountMaxTtl: number;
  mountDefaultTtl: number;
  /** Seconds since the epoch, both truncated like Go's Truncate(time.Second). */
  start: number;
  now: number;
}

/** `{backendTtl:0, …defaults}` → {ttl: 2764800, warnings: []}; throws Error("past the max TTL, cannot renew") */
export function calculateTtl(input: TtlInput): { ttl: number; warnings: string[] } {
  const warnings: string[] = [];
  let maxTtl = input.mountMaxTtl > 0 ? input.mountMaxTtl : SYSTEM_MAX_TTL;
  if (input.explicitMaxTtl > 0 && input.explicitMaxTtl < maxTtl) maxTtl = input.explicitMaxTtl;
  let ttl: number;
  let maxValid: number | undefined;
  if (input.period > 0) {
    ttl = input.period;
    if (ttl > maxTtl) {
      warnings.push(
        `period of "${human(ttl)}" exceeded the effective max_ttl of "${human(maxTtl)}"; period value is capped accordingly`,
      );
      ttl = maxTtl;
    }
    if (input.explicitMaxTtl > 0) maxValid = input.start + input.explicitMaxTtl;
  } else {
    const fallback = input.mountDefaultTtl > 0 ? input.mountDefaultTtl : SYSTEM_MAX_TTL;
    ttl = input.increment > 0 ? input.increment : input.backendTtl > 0 ? input.backendTtl : fallback;
    maxValid = input.start + maxTtl;
  }
  if (maxValid !== undefined) {
    const left = maxValid - input.now;
    if (left <= 0) throw new Error("past the max TTL, cannot renew");
    if (left < ttl) {
      warnings.push(
        `TTL of "${human(ttl)}" exceeded the effective max_ttl of "${human(left)}"; TTL value is capped accordingly`,
      );
      ttl = left;
    }
  }
  return { ttl, warnings };
}

// Vault's humanDuration: Go's Duration.String() without trailing zero units. 3600 → "1h", 90 → "1m30s"
function human(seconds: number): string {
  if (seconds === 0) return "0s";
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  let out = h > 0 ? `${h}h${m}m${s}s` : m > 0 ? `${m}m${s}s` : `${s}s`;
  if (out.endsWith("m0s")) out = out.slice(0, -2);
  out = out.replace(/h0m/, "h");
  return out;
}
