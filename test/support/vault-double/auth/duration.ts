// Vault's parseutil.ParseDurationSecond: a bare number is seconds, otherwise a Go duration
// ("1h30m", "500ms") or whole days ("7d"). Numbers from JSON count as seconds too.

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** `"1h30m"` → 5400000, `"90"` → 90000, `3` → 3000, `"7d"` → 604800000; undefined when it does not parse. */
export function parseDurationMs(input: unknown): number | undefined {
  if (typeof input === "number") return Number.isFinite(input) ? input * 1000 : undefined;
  if (typeof input !== "string") return undefined;
  const text = input.trim();
  if (text === "") return 0;
  if (/^-?\d+$/.test(text)) return Number(text) * 1000;
  const days = /^(\d+)d$/.exec(text);
  if (days) return Number(days[1]) * 86_400_000;
  return parseGoDuration(text);
}

/** Whole seconds, as Vault stores TTLs. `"1m30s"` → 90 */
export function parseDurationSeconds(input: unknown): number | undefined {
  const ms = parseDurationMs(input);
  return ms === undefined ? undefined : Math.trunc(ms / 1000);
}

// Go's time.ParseDuration: optional sign, then one or more <number><unit> parts.
function parseGoDuration(text: string): number | undefined {
  const sign = text.startsWith("-") ? -1 : 1;
  let rest = text.replace(/^[+-]/, "");
  if (rest === "0") return 0;
  let total = 0;
  const part = /^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/;
  if (rest === "") return undefined;
  while (rest !== "") {
    const m = part.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0);
    rest = rest.slice(m[0].length);
  }
  return sign * total;
}
