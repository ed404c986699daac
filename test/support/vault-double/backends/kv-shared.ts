// Helpers both KV engines (and cubbyhole) share: listing one folder level, and JSON merge patch.

/**
 * The names directly under `prefix` among stored keys, folders ending in "/", sorted like Vault's
 * storage lists them. (["a", "b/c", "b/d", "x/y/z"], "") → ["a", "b/", "x/"]; (…, "b/") → ["c", "d"]
 */
export function childKeys(keys: Iterable<string>, prefix: string): string[] {
  const out = new Set<string>();
  for (const key of keys) {
    if (!key.startsWith(prefix) || key.length === prefix.length) continue;
    const rest = key.slice(prefix.length);
    const slash = rest.indexOf("/");
    out.add(slash < 0 ? rest : rest.slice(0, slash + 1));
  }
  return [...out].sort();
}

/**
 * RFC 7396 JSON merge patch, as framework.HandlePatchOperation applies it: null removes a key,
 * objects merge, anything else replaces. ({a:1,b:{c:1}}, {b:{d:2},a:null}) → {b:{c:1,d:2}}
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== "object" || Array.isArray(patch)) return patch;
  const base: Record<string, unknown> =
    target !== null && typeof target === "object" && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete base[key];
    else base[key] = mergePatch(base[key], value);
  }
  return base;
}

/** A deep copy of JSON data, so callers never share objects with what the store holds. */
export function cloneJson<T>(value: T): T {
  return structuredClone(value);
}
