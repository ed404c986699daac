// How a setting's value is written, whichever way it arrives (flag, environment or YAML file).
// Durations are written as Vault writes them; sizes as bytes or with a unit; booleans as Go's
// strconv.ParseBool reads them, because VAULT_SKIP_VERIFY and the old Go flags were read that way.

/** A value that could not be read; `problem` says what it must be, never what it was. */
export class Invalid {
  constructor(readonly problem: string) {}
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION_PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;
const DURATION_MESSAGE = 'must be a duration such as "500ms", "30s", "15m", "1h30m", or 0';

/**
 * Milliseconds from a Vault-style duration; a bare number counts seconds, as in Vault.
 * parseDuration("1h30m") → 5400000; parseDuration("0") → 0; parseDuration(30) → 30000
 */
export function parseDuration(input: unknown): number | Invalid {
  if (typeof input === "number") {
    return Number.isFinite(input) && input >= 0 ? Math.round(input * 1000) : new Invalid(DURATION_MESSAGE);
  }
  if (typeof input !== "string") return new Invalid(DURATION_MESSAGE);
  const text = input.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  if (text === "") return new Invalid(DURATION_MESSAGE);
  let total = 0;
  let at = 0;
  while (at < text.length) {
    DURATION_PART.lastIndex = at;
    const match = DURATION_PART.exec(text);
    if (!match) return new Invalid(DURATION_MESSAGE);
    total += Number(match[1]) * (DURATION_UNITS[match[2] as string] as number);
    at = DURATION_PART.lastIndex;
  }
  return Math.round(total);
}

/**
 * The shortest Vault-style spelling of a duration in milliseconds.
 * formatDuration(5400000) → "1h30m"; formatDuration(500) → "500ms"; formatDuration(0) → "0"
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0";
  let rest = ms;
  let out = "";
  for (const unit of ["d", "h", "m", "s", "ms"]) {
    const size = DURATION_UNITS[unit] as number;
    const count = Math.floor(rest / size);
    if (count > 0) out += `${count}${unit}`;
    rest -= count * size;
  }
  return out;
}

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};
const SIZE_MESSAGE = 'must be a size in bytes, or with a unit such as "64KiB", "8MiB", "1MB"';

/**
 * Bytes from a number or a size with a unit (KiB/MiB/GiB are 1024-based, KB/MB/GB 1000-based).
 * parseSize("8MiB") → 8388608; parseSize("1.5KiB") → 1536; parseSize(4096) → 4096
 */
export function parseSize(input: unknown): number | Invalid {
  if (typeof input === "number") {
    return Number.isInteger(input) && input >= 0 ? input : new Invalid(SIZE_MESSAGE);
  }
  if (typeof input !== "string") return new Invalid(SIZE_MESSAGE);
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(input.trim());
  if (!match) return new Invalid(SIZE_MESSAGE);
  const unit = SIZE_UNITS[(match[2] as string).toLowerCase() || "b"];
  if (unit === undefined) return new Invalid(SIZE_MESSAGE);
  return Math.floor(Number(match[1]) * unit);
}

/**
 * The shortest exact spelling of a byte count, binary units first.
 * formatSize(8388608) → "8MiB"; formatSize(1000) → "1000"
 */
export function formatSize(bytes: number): string {
  for (const unit of ["GiB", "MiB", "KiB"]) {
    const size = SIZE_UNITS[unit.toLowerCase()] as number;
    if (bytes > 0 && bytes % size === 0) return `${bytes / size}${unit}`;
  }
  return String(bytes);
}

const TRUE_WORDS = new Set(["1", "t", "T", "TRUE", "true", "True"]);
const FALSE_WORDS = new Set(["0", "f", "F", "FALSE", "false", "False"]);

/**
 * A boolean exactly as Go's strconv.ParseBool reads one: anything else is an error.
 * parseBool("false") → false; parseBool("T") → true; parseBool("yes") → Invalid
 */
export function parseBool(input: unknown): boolean | Invalid {
  if (typeof input === "boolean") return input;
  if (typeof input === "string") {
    if (TRUE_WORDS.has(input.trim())) return true;
    if (FALSE_WORDS.has(input.trim())) return false;
  }
  return new Invalid("must be true or false (also accepted: 1, 0, t, f, TRUE, FALSE)");
}

/**
 * A list from a comma-separated string or a YAML sequence; blanks are dropped.
 * splitList("a, b,,c") → ["a","b","c"]; splitList(["a"," b "]) → ["a","b"]
 */
export function splitList(input: unknown): string[] | Invalid {
  const message = "must be a comma-separated list or a YAML list of strings";
  const parts = typeof input === "string" ? input.split(",") : input;
  if (!Array.isArray(parts)) return new Invalid(message);
  const out: string[] = [];
  for (const part of parts) {
    if (typeof part !== "string" && typeof part !== "number") return new Invalid(message);
    const text = String(part).trim();
    if (text !== "") out.push(text);
  }
  return out;
}

/**
 * A whole number at least `min`, from a number or its decimal spelling.
 * parseInteger("12", 1) → 12; parseInteger("1.5", 1) → Invalid
 */
export function parseInteger(input: unknown, min: number): number | Invalid {
  const message = `must be a whole number of at least ${min}`;
  const value = typeof input === "string" && /^\s*-?\d+\s*$/.test(input) ? Number(input) : input;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) return new Invalid(message);
  return value;
}
