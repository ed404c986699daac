// Reading request fields the way Vault's framework.FieldData does: weak typing ("3" is an int),
// and a 400 "Field validation failed" when a value cannot be read as its declared type.
import { DoubleHttpError } from "../errors.ts";
import { parseDurationSeconds, weakBool, weakInt } from "../go-format.ts";

type Data = Record<string, unknown> | undefined;

function invalid(name: string, value: unknown): DoubleHttpError {
  const shown = typeof value === "string" ? value : JSON.stringify(value);
  return new DoubleHttpError(
    400,
    `Field validation failed: error converting input ${shown} for field "${name}"`,
  );
}

export function has(data: Data, name: string): boolean {
  return data !== undefined && data[name] !== undefined && data[name] !== null;
}

/** TypeInt. {"n":"3"} → 3; missing → undefined; {"n":"x"} → throws 400 */
export function intField(data: Data, name: string): number | undefined {
  if (!has(data, name)) return undefined;
  const value = weakInt(data![name]);
  if (value === undefined) throw invalid(name, data![name]);
  return value;
}

/** TypeBool. {"b":"true"} → true */
export function boolField(data: Data, name: string): boolean | undefined {
  if (!has(data, name)) return undefined;
  const value = weakBool(data![name]);
  if (value === undefined) throw invalid(name, data![name]);
  return value;
}

/** TypeString; numbers and bools are printed like Go's weak decoding does. */
export function stringField(data: Data, name: string): string | undefined {
  if (!has(data, name)) return undefined;
  const value = data![name];
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  throw invalid(name, value);
}

/** TypeDurationSecond. {"ttl":"1h"} → 3600 */
export function durationField(data: Data, name: string): number | undefined {
  if (!has(data, name)) return undefined;
  const value = parseDurationSeconds(data![name]);
  if (value === undefined) throw invalid(name, data![name]);
  return value;
}

/** TypeMap: a JSON object. */
export function mapField(data: Data, name: string): Record<string, unknown> | undefined {
  if (!has(data, name)) return undefined;
  const value = data![name];
  if (typeof value !== "object" || Array.isArray(value)) throw invalid(name, value);
  return value as Record<string, unknown>;
}

/** TypeKVPairs / map[string]string: values printed as strings. */
export function stringMapField(data: Data, name: string): Record<string, string> | undefined {
  const map = mapField(data, name);
  if (!map) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(map)) {
    if (v === null || v === undefined) out[k] = "";
    else if (typeof v === "object") throw invalid(name, map);
    else out[k] = String(v);
  }
  return out;
}

/** TypeCommaIntSlice. [1,2] → [1,2]; "1,2" → [1,2]; 3 → [3] */
export function commaIntSliceField(data: Data, name: string): number[] {
  if (!has(data, name)) return [];
  const value = data![name];
  const items = Array.isArray(value) ? value : typeof value === "string" ? value.split(",") : [value];
  return items
    .filter((item) => !(typeof item === "string" && item.trim() === ""))
    .map((item) => {
      const n = weakInt(typeof item === "string" ? item.trim() : item);
      if (n === undefined) throw invalid(name, value);
      return n;
    });
}

/** TypeCommaStringSlice. ["a","b"] → ["a","b"]; "a, b" → ["a","b"] */
export function commaStringSliceField(data: Data, name: string): string[] {
  if (!has(data, name)) return [];
  const value = data![name];
  const items = Array.isArray(value) ? value.map(String) : String(value).split(",");
  return items.map((item) => item.trim()).filter((item) => item !== "");
}
