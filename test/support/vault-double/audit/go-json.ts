// Vault encodes audit entries with Go's encoding/json: struct fields in declaration order, map keys
// sorted, and HTML-significant characters escaped. JSON.stringify keeps insertion order, so callers
// build objects in the order Go would write them and this file only fixes the escaping.

// Go escapes these even inside strings (SetEscapeHTML defaults to true); JSON.stringify never does.
const GO_ESCAPES: Record<string, string> = {
  "<": "\\u003c",
  ">": "\\u003e",
  "&": "\\u0026",
  "\u2028": "\\u2028",
  "\u2029": "\\u2029",
};
const GO_ESCAPE_RE = /[<>&\u2028\u2029]/g;

/** Compact JSON exactly as Go's json.Encoder writes it, without the trailing newline. `{"a":"<"}` → `{"a":"\u003c"}` */
export function goJson(value: unknown): string {
  return JSON.stringify(value).replace(GO_ESCAPE_RE, (c) => GO_ESCAPES[c] ?? c);
}

/** A copy with every object's keys sorted, as Go writes a map. `{b:1,a:{d:1,c:2}}` → `{a:{c:2,d:1},b:1}` */
export function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = sortedKeys((value as Record<string, unknown>)[key]);
  return out;
}

/** Drops the keys whose value Go's `omitempty` would leave out: "", 0, false, null/undefined, empty map or list. */
export function omitEmpty<T extends Record<string, unknown>>(fields: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (isEmpty(value)) continue;
    out[key] = value;
  }
  return out as Partial<T>;
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === "" || value === 0 || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.keys(value).length === 0;
  return false;
}
