// Which namespace a request is in: X-Vault-Namespace stacked in front of the path, then the
// longest namespace path that prefixes it (so "team-a/secret/…" at the root works too).
import type { DoubleState, NamespaceState } from "./state.ts";

export interface Resolved {
  nsState: NamespaceState;
  /** The request path relative to that namespace. */
  path: string;
}

/**
 * ("team-a", "secret/data/x") → team-a/ and "secret/data/x"; an unknown header namespace → undefined.
 * A header of "root" means the root namespace.
 */
export function resolveNamespace(
  state: DoubleState,
  header: string | undefined,
  path: string,
): Resolved | undefined {
  let prefix = (header ?? "").replace(/^\/+|\/+$/g, "");
  if (prefix === "root") prefix = "";
  if (prefix !== "") prefix += "/";
  const root = state.namespaces.get("")!;
  if (prefix === "" && state.namespaces.size === 1) return { nsState: root, path };
  const full = prefix + path;
  let best = root;
  for (const [nsPath, nsState] of state.namespaces) {
    if (nsPath.length > best.ns.path.length && full.startsWith(nsPath)) best = nsState;
  }
  // The whole header must name a namespace; otherwise its tail would leak into the path.
  if (!best.ns.path.startsWith(prefix)) return undefined;
  return { nsState: best, path: full.slice(best.ns.path.length) };
}
