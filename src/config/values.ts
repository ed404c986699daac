// How a setting's value is read, whichever way it arrives (a flag or environment string, or a
// native YAML value), and the schema leaf each kind of setting is built from. Each leaf carries
// its description for --help and the docs, and metadata saying what kind of value it is. Defaults
// are written the way a user would write them ("15m", "8MiB") and go through the same reader.
// Durations are written as Vault writes them; sizes as bytes or with a unit; booleans as Go's
// strconv.ParseBool reads them, because VAULT_SKIP_VERIFY and the old Go flags were read that way.
import * as v from "valibot";

/** A value that could not be read; `problem` says what it must be, never what it was. */
export class Invalid {
  constructor(readonly problem: string) {}
}

// ── The leaves of the config schema ──────────────────────────────────────────────────────────────

export type SettingKind =
  | "string"
  | "secret"
  | "boolean"
  | "integer"
  | "duration"
  | "size"
  | "list"
  | "secret-list"
  | "choice"
  | "entries";

// A type literal, not an interface: valibot's metadata() wants an indexable record.
export type SettingMeta = {
  kind: SettingKind;
  /** Environment variables read below COURIER_<KEY>, such as Vault's own VAULT_ADDR. */
  env?: readonly string[];
  /** The default as the docs state it, when the schema computes it at start. */
  docDefault?: string;
  /** Allowed values of a choice. */
  choices?: readonly string[];
  /** A list of objects: only the config file can say it. */
  fileOnly?: boolean;
  /** A value to show in --help when there is no default worth showing. */
  hint?: string;
  /** A choice that once was a boolean: what `true` and `false` still mean, so old flags keep working. */
  fromBoolean?: { true: string; false: string };
};

type Read<T> = (input: unknown) => T | Invalid;
type Fallback = string | number | boolean | readonly string[] | readonly never[] | (() => number);

/** A schema that reads one value with `read`, reporting its Invalid as the issue message. */
function reader<T>(read: Read<T>) {
  return v.pipe(
    v.unknown(),
    v.rawTransform<unknown, T>(({ dataset, addIssue, NEVER }) => {
      const out = read(dataset.value);
      if (out instanceof Invalid) {
        addIssue({ message: out.problem });
        return NEVER;
      }
      return out;
    }),
  );
}

function leaf<T, const D extends Fallback>(
  meta: SettingMeta,
  description: string,
  fallback: D,
  read: Read<T>,
) {
  return v.pipe(v.optional(reader(read), fallback), v.description(description), v.metadata(meta));
}

/**
 * A string; numbers written in YAML are taken as their text. `check` may refuse or normalise it.
 * readText(3) → "3"; readText(true) → Invalid
 */
function readText(check?: (text: string) => string | Invalid): Read<string> {
  return (input) => {
    if (typeof input !== "string" && typeof input !== "number") return new Invalid("must be a string");
    const text = String(input).trim();
    return check && text !== "" ? check(text) : text;
  };
}

export function text(
  description: string,
  fallback = "",
  options: { env?: readonly string[]; check?: (text: string) => string | Invalid; hint?: string } = {},
) {
  const meta: SettingMeta = { kind: "string", env: options.env, hint: options.hint };
  return leaf(meta, description, fallback, readText(options.check));
}

/** A token or other secret: never echoed in a message, "***" in every display of the config. */
export function secret(description: string, options: { env?: readonly string[] } = {}) {
  return leaf({ kind: "secret", env: options.env }, description, "", readText());
}

export function flag(description: string, fallback: boolean, options: { env?: readonly string[] } = {}) {
  return leaf({ kind: "boolean", env: options.env }, description, fallback, parseBool);
}

export function integer(
  description: string,
  fallback: number | (() => number),
  min: number,
  docDefault?: string,
) {
  return leaf({ kind: "integer", docDefault }, description, fallback, (input) => parseInteger(input, min));
}

export function duration(description: string, fallback: string, check?: (ms: number) => number | Invalid) {
  return leaf({ kind: "duration" }, description, fallback, (input) => {
    const ms = parseDuration(input);
    return ms instanceof Invalid || !check ? ms : check(ms);
  });
}

export function size(description: string, fallback: string, min: number) {
  return leaf({ kind: "size" }, description, fallback, (input) => {
    const bytes = parseSize(input);
    if (bytes instanceof Invalid) return bytes;
    return bytes < min ? new Invalid(`must be at least ${min} bytes`) : bytes;
  });
}

/** A list; each item may be refused or normalised by `each`. */
export function list(
  description: string,
  options: { each?: (item: string) => string | Invalid; docDefault?: string; secret?: boolean } = {},
) {
  const meta: SettingMeta = { kind: options.secret ? "secret-list" : "list", docDefault: options.docDefault };
  const fallback: readonly never[] = [];
  return leaf(meta, description, fallback, (input) => {
    const items = splitList(input);
    if (items instanceof Invalid || !options.each) return items;
    const out: string[] = [];
    for (const item of items) {
      const checked = options.each(item);
      if (checked instanceof Invalid) {
        return options.secret
          ? new Invalid(checked.problem)
          : new Invalid(`item "${item}" ${checked.problem}`);
      }
      out.push(checked);
    }
    return out;
  });
}

/** One of a few words; `refused` gives a word its own explanation (jsonx → why not). */
export function choice<const C extends readonly string[]>(
  description: string,
  choices: C,
  fallback: C[number],
  refused: Record<string, string> = {},
  fromBoolean?: { true: C[number]; false: C[number] },
) {
  const meta: SettingMeta = { kind: "choice", choices, fromBoolean };
  return leaf(meta, description, fallback, (input): C[number] | Invalid => {
    const word = typeof input === "string" ? input.trim().toLowerCase() : "";
    if (choices.includes(word)) return word as C[number];
    if (fromBoolean) {
      const old = parseBool(input);
      if (!(old instanceof Invalid)) return old ? fromBoolean.true : fromBoolean.false;
    }
    return new Invalid(refused[word] ?? `must be one of ${choices.join(", ")}`);
  });
}

/** A list of objects, each validated by `item`: said only in the config file. */
export function entries<const S extends v.GenericSchema>(description: string, item: S) {
  const fallback: v.InferInput<S>[] = [];
  return v.pipe(
    v.optional(v.array(item, "must be a list of mappings"), fallback),
    v.description(description),
    v.metadata({ kind: "entries", fileOnly: true } satisfies SettingMeta),
  );
}

/** A group of settings (a mapping in the file); absent means every setting in it at its default. */
export function section<const E extends v.ObjectEntries>(settings: E) {
  const group = v.strictObject(settings, "must be a mapping of settings");
  return v.optional(group, {} as v.InferInput<typeof group>);
}

// ── Value readers, and how the start-up log writes values back ──────────────────────────────────

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
