// Vault is written in Go; these helpers print and parse values the way its libraries do, so the
// double's bodies match byte for byte where clients might compare text.

/**
 * A go-multierror as Vault prints it when it wraps errors.
 * "permission denied" → "1 error occurred:\n\t* permission denied\n\n"
 * ["a","b"] → "2 errors occurred:\n\t* a\n\t* b\n\n"
 */
export function multierror(messages: string | string[]): string {
  const list = typeof messages === "string" ? [messages] : messages;
  const head = list.length === 1 ? "1 error occurred" : `${list.length} errors occurred`;
  return `${head}:\n${list.map((m) => `\t* ${m}`).join("\n")}\n\n`;
}

/**
 * Go's time.Duration.String() for whole seconds.
 * 0 → "0s", 59 → "59s", 60 → "1m0s", 3600 → "1h0m0s", 2764800 → "768h0m0s", -1 → "-1s"
 */
export function goDuration(seconds: number): string {
  if (seconds === 0) return "0s";
  const sign = seconds < 0 ? "-" : "";
  let rest = Math.abs(Math.trunc(seconds));
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  const s = rest - m * 60;
  if (h > 0) return `${sign}${h}h${m}m${s}s`;
  if (m > 0) return `${sign}${m}m${s}s`;
  return `${sign}${s}s`;
}

const UNIT_NS: Record<string, number> = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
  d: 86400e9,
};

/**
 * Vault's parseutil.ParseDurationSecond: a number of seconds, or a Go duration string ("1h30m",
 * also "d"); whole seconds result. Returns undefined for text it cannot read.
 * 3600 → 3600, "3600" → 3600, "1h" → 3600, "90s" → 90, "1d" → 86400, "" → 0, "abc" → undefined
 */
export function parseDurationSeconds(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? Math.trunc(value) : undefined;
  if (typeof value !== "string") return value === null || value === undefined ? 0 : undefined;
  const text = value.trim();
  if (text === "") return 0;
  if (/^[-+]?\d+$/.test(text)) return Number.parseInt(text, 10);
  const match = /^([-+]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h|d))+$/.exec(text);
  if (!match) return undefined;
  let totalNs = 0;
  for (const part of text.matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d)/g)) {
    totalNs += Number.parseFloat(part[1]!) * UNIT_NS[part[2]!]!;
  }
  const seconds = Math.trunc(totalNs / 1e9);
  return match[1] === "-" ? -seconds : seconds;
}

/**
 * RFC 3339 with nanoseconds, trailing zeros trimmed, as Go's time.RFC3339Nano prints UTC times.
 * (1700000000123, 456000) → "2023-11-14T22:13:20.123456Z"
 */
export function rfc3339Nano(ms: number, subMsNanos = 0): string {
  const iso = new Date(Math.floor(ms)).toISOString(); // 2023-11-14T22:13:20.123Z
  const millis = iso.slice(20, 23);
  const fraction = `${millis}${String(subMsNanos).padStart(6, "0")}`.replace(/0+$/, "");
  return `${iso.slice(0, 19)}${fraction ? `.${fraction}` : ""}Z`;
}

/** A timestamp as KV v2 keeps it: ms for comparisons, text exactly as Vault prints it. */
export interface Stamp {
  ms: number;
  text: string;
}

/** Now, with sub-millisecond digits so two stamps in one ms still differ like Go's do. */
export function stampAt(ms: number): Stamp {
  const sub = Math.floor((performance.now() % 1) * 1e6);
  return { ms, text: rfc3339Nano(ms, sub) };
}

const TRUE_WORDS = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE_WORDS = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/** Go's strconv.ParseBool. "true" → true, "0" → false, "yes" → undefined */
export function parseGoBool(text: string): boolean | undefined {
  if (TRUE_WORDS.has(text)) return true;
  if (FALSE_WORDS.has(text)) return false;
  return undefined;
}

/**
 * mapstructure.WeakDecode into an int, as the framework reads TypeInt fields.
 * 3 → 3, "3" → 3, true → 1, "x" → undefined, 2.7 → 2
 */
export function weakInt(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? Math.trunc(value) : undefined;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string") {
    if (value === "") return 0;
    if (/^[-+]?\d+$/.test(value)) return Number.parseInt(value, 10);
    if (/^[-+]?0x[0-9a-fA-F]+$/.test(value)) return Number.parseInt(value, 16);
    return undefined;
  }
  return undefined;
}

/** mapstructure.WeakDecode into a bool. true → true, "true" → true, 1 → true, "" → false, "x" → undefined */
export function weakBool(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value === "number") return value !== 0;
  if (typeof value === "string") return value === "" ? false : parseGoBool(value);
  return undefined;
}
