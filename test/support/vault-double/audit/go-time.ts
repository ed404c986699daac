// Time strings as Go's time package formats them in Vault's audit entries and token lookups.

const GO_TIME_KEYS = Symbol("goTimeKeys");

/**
 * Marks which keys of a response data map Vault's backend holds as Go time.Time values (token
 * expire_time, issue_time). The audit HMAC walk turns a time.Time into its text and skips it, so
 * these stay plain in audit entries, unlike times a backend already formatted as strings (KV
 * created_time). The mark is a hidden symbol: the HTTP body is unaffected.
 * `markGoTimes({expire_time: "…"}, ["expire_time"])` → the same object, marked
 */
export function markGoTimes<T extends object>(data: T, keys: readonly string[]): T {
  Object.defineProperty(data, GO_TIME_KEYS, { value: new Set(keys), enumerable: false });
  return data;
}

/** The keys markGoTimes set on this map, if any. */
export function goTimeKeys(data: object): ReadonlySet<string> | undefined {
  return (data as { [GO_TIME_KEYS]?: Set<string> })[GO_TIME_KEYS];
}

/** Go's RFC3339Nano in UTC: fraction trimmed of trailing zeros. 1749067366117 → "2025-06-04T20:02:46.117Z" */
export function rfc3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString(); // always .sssZ
  return iso.replace(/\.?0+Z$/, "Z");
}

/** Go's RFC3339 (whole seconds) in this machine's zone, as Vault writes token_issue_time. → "2025-06-04T16:01:31-04:00" */
export function rfc3339Local(ms: number): string {
  const d = new Date(Math.floor(ms / 1000) * 1000);
  const offsetMin = -d.getTimezoneOffset();
  const local = new Date(d.getTime() + offsetMin * 60_000).toISOString().slice(0, 19);
  if (offsetMin === 0) return `${local}Z`;
  const sign = offsetMin > 0 ? "+" : "-";
  const abs = Math.abs(offsetMin);
  return `${local}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Go's RFC3339Nano in local time, as JSON-encoded time.Time values (expire_time, issue_time) appear. */
export function rfc3339NanoLocal(ms: number): string {
  const whole = rfc3339Local(ms);
  const frac = String(Math.floor(ms) % 1000)
    .padStart(3, "0")
    .replace(/0+$/, "");
  if (frac === "") return whole;
  const zoneAt = whole.endsWith("Z") ? whole.length - 1 : whole.length - 6;
  return `${whole.slice(0, zoneAt)}.${frac}${whole.slice(zoneAt)}`;
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}
