// Mount entries and namespaces: what a dev server and a fresh namespace start with, and how a
// request path finds its mount (longest prefix, "foo" also meaning "foo/").
import { createBackend } from "./backends/factory.ts";
import type { DoubleContext } from "./context.ts";
import { DEFAULT_POLICY } from "./default-policy.ts";
import type { NamespaceState } from "./state.ts";
import type { MountEntry, Namespace } from "./types.ts";

export interface NewMount {
  path: string;
  type: string;
  description?: string;
  mountClass?: "secret" | "auth";
  options?: Record<string, string> | null;
  config?: Partial<MountEntry["config"]>;
  local?: boolean;
  sealWrap?: boolean;
}

/** "kv" → "kv_1a2b3c4d"; auth methods get "auth_<type>_…" like Vault's accessors. */
function accessorFor(type: string, mountClass: "secret" | "auth"): string {
  const suffix = crypto.randomUUID().slice(0, 8);
  return mountClass === "auth" ? `auth_${type}_${suffix}` : `${type}_${suffix}`;
}

export function newMountEntry(spec: NewMount): MountEntry {
  const mountClass = spec.mountClass ?? (spec.path.startsWith("auth/") ? "auth" : "secret");
  return {
    path: spec.path.endsWith("/") ? spec.path : `${spec.path}/`,
    type: spec.type,
    description: spec.description ?? "",
    accessor: accessorFor(spec.type, mountClass),
    uuid: crypto.randomUUID(),
    mountClass,
    // An empty map prints as null in mount listings, like a Go nil map.
    options: spec.options ?? {},
    config: { default_lease_ttl: 0, max_lease_ttl: 0, force_no_cache: false, ...spec.config },
    local: spec.local ?? false,
    sealWrap: spec.sealWrap ?? false,
    storage: new Map(),
  };
}

/** Adds a mount and its backend to a namespace. */
export function addMount(ctx: DoubleContext, nsState: NamespaceState, spec: NewMount): MountEntry {
  const entry = newMountEntry(spec);
  nsState.mounts.set(entry.path, entry);
  nsState.backends.set(entry.path, createBackend(ctx, nsState, entry));
  return entry;
}

export function removeMount(nsState: NamespaceState, path: string): void {
  nsState.mounts.delete(path);
  nsState.backends.delete(path);
}

/**
 * A namespace as Vault creates it: the root one like `vault server -dev` (secret/ is KV v2), a
 * child with the ns_* built-ins and no secret/; both with the default policy.
 */
export function createNamespace(ctx: DoubleContext, ns: Namespace): NamespaceState {
  const nsState: NamespaceState = {
    ns,
    mounts: new Map(),
    backends: new Map(),
    policies: new Map([["default", DEFAULT_POLICY]]),
    children: new Set(),
    customMetadata: {},
  };
  ctx.state.namespaces.set(ns.path, nsState);
  const root = ns.path === "";
  const pre = root ? "" : "ns_";
  addMount(ctx, nsState, {
    path: "cubbyhole/",
    type: `${pre}cubbyhole`,
    description: "per-token private secret storage",
    local: true,
  });
  addMount(ctx, nsState, {
    path: "identity/",
    type: `${pre}identity`,
    description: "identity store",
    config: { passthrough_request_headers: ["Authorization"] },
  });
  if (root) {
    addMount(ctx, nsState, {
      path: "secret/",
      type: "kv",
      description: "key/value secret storage",
      options: { version: "2" },
    });
  }
  addMount(ctx, nsState, {
    path: "sys/",
    type: `${pre}system`,
    description: "system endpoints used for control, policy and debugging",
    config: { passthrough_request_headers: ["Accept"] },
    sealWrap: true,
  });
  addMount(ctx, nsState, {
    path: "auth/token/",
    type: `${pre}token`,
    description: "token based credentials",
    config: { token_type: "default-service" },
  });
  return nsState;
}

/**
 * The mount a namespace-relative path falls in, and the path inside it.
 * ("secret/data/app") → secret/, "data/app"; ("secret") → secret/, ""; ("nope/x") → undefined
 */
export function resolveMount(
  nsState: NamespaceState,
  path: string,
): { mount: MountEntry; subpath: string } | undefined {
  let best: MountEntry | undefined;
  for (const mount of nsState.mounts.values()) {
    if (path.startsWith(mount.path) && (!best || mount.path.length > best.path.length)) best = mount;
  }
  if (!best && !path.endsWith("/")) {
    const mount = nsState.mounts.get(`${path}/`);
    if (mount) return { mount, subpath: "" };
  }
  return best ? { mount: best, subpath: path.slice(best.path.length) } : undefined;
}
