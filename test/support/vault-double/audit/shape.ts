// Test support: an audit entry's shape (every key path and the kind of value found there), so the
// double's entries can be compared with real Vault's without comparing values.

export type Kind = "hmac" | "string" | "number" | "boolean" | "null" | "object" | "array";

/** `{"a":{"b":"hmac-sha256:…"},"n":[1]}` → Map {"a"→object, "a.b"→hmac, "n"→array, "n[]"→number} */
export function shapeOf(
  value: unknown,
  path = "",
  out = new Map<string, Set<Kind>>(),
): Map<string, Set<Kind>> {
  const add = (kind: Kind) => {
    if (path === "") return;
    const kinds = out.get(path) ?? new Set<Kind>();
    kinds.add(kind);
    out.set(path, kinds);
  };
  if (value === null) add("null");
  else if (Array.isArray(value)) {
    add("array");
    for (const item of value) shapeOf(item, `${path}[]`, out);
  } else if (typeof value === "object") {
    add("object");
    for (const [k, v] of Object.entries(value)) shapeOf(v, path === "" ? k : `${path}.${k}`, out);
  } else if (typeof value === "string") add(value.startsWith("hmac-sha256:") ? "hmac" : "string");
  else add(typeof value as Kind);
  return out;
}

/**
 * The key paths of `expected` that `actual` lacks or holds with another kind of value. Keys under
 * `auth.metadata` are the caller's own (login metadata), so only the map itself is compared.
 */
export function missingFrom(expected: Map<string, Set<Kind>>, actual: Map<string, Set<Kind>>): string[] {
  const out: string[] = [];
  for (const [path, kinds] of expected) {
    if (path.startsWith("auth.metadata.")) continue;
    const got = actual.get(path);
    if (!got) out.push(`${path}: missing`);
    else if (![...kinds].every((k) => got.has(k))) out.push(`${path}: ${[...kinds]} vs ${[...got]}`);
  }
  return out;
}

/** Key order at every level, for comparing two entries written by the same Vault version. */
export function keyOrders(
  value: unknown,
  path = "",
  out = new Map<string, string[]>(),
): Map<string, string[]> {
  if (Array.isArray(value)) {
    for (const v of value) keyOrders(v, `${path}[]`, out);
  } else if (value && typeof value === "object") {
    out.set(path, Object.keys(value));
    for (const [k, v] of Object.entries(value)) keyOrders(v, path === "" ? k : `${path}.${k}`, out);
  }
  return out;
}
