// Building blocks of the config schema. Each setting is a valibot schema that reads its value
// however it arrives (a flag or env string, or a native YAML value), carries its description for
// --help and the docs, and metadata saying what kind of value it is. Defaults are written the way
// a user would write them ("15m", "8MiB") and go through the same reader.
import * as v from "valibot";
import { Invalid, parseBool, parseDuration, parseInteger, parseSize, splitList } from "./values.ts";

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
) {
  return leaf({ kind: "choice", choices }, description, fallback, (input): C[number] | Invalid => {
    const word = typeof input === "string" ? input.trim().toLowerCase() : "";
    if (choices.includes(word)) return word as C[number];
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
