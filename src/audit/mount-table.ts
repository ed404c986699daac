// The source Vault's own mount table, per namespace: the only thing that says which mount a path
// is in and which KV version it speaks. Audit entries from older Vault carry no mount fields at
// all, and a forged entry can carry any, so classification never takes a mount from the entry.

import { CourierError } from "../errors.ts";

export interface MountInfo {
  /** Mount path with its trailing slash, relative to the namespace ("secret/"). */
  path: string;
  /** The engine type from sys/mounts ("kv", "generic", "transit", …). */
  type: string;
  /** 1 or 2 for KV mounts, null for every other engine. */
  kvVersion: 1 | 2 | null;
}

export interface MountTable {
  /** The mount `path` falls in, by longest prefix; undefined when the namespace or mount is unknown. */
  lookup(namespace: string, path: string): MountInfo | undefined;
  /** Whether the namespace's table has been read (so the namespace exists on the source). */
  has(namespace: string): boolean;
}

/** A mount table held in memory, filled from `GET sys/mounts` answers (one per namespace). */
export class InMemoryMountTable implements MountTable {
  readonly #namespaces = new Map<string, Mounts>();

  /** Replaces what is known of one namespace's mounts. */
  set(namespace: string, mounts: readonly MountInfo[]): void {
    const byPath = new Map<string, MountInfo>();
    let depth = 0;
    let longest = 0;
    for (const mount of mounts) {
      byPath.set(mount.path, mount);
      depth = Math.max(depth, slashes(mount.path));
      longest = Math.max(longest, mount.path.length);
    }
    this.#namespaces.set(namespace, { byPath, depth, longest });
  }

  /** Replaces one namespace's mounts with what a `GET sys/mounts` answer lists; returns the count. */
  setFromResponse(namespace: string, body: unknown): number {
    const mounts = parseMountsResponse(body);
    this.set(namespace, mounts);
    return mounts.length;
  }

  has(namespace: string): boolean {
    return this.#namespaces.has(namespace);
  }

  /** Every mount of one namespace, shortest path first. */
  mounts(namespace: string): MountInfo[] {
    const known = this.#namespaces.get(namespace);
    return known ? [...known.byPath.values()].sort((a, b) => a.path.localeCompare(b.path)) : [];
  }

  /**
   * Longest mount prefix, tried at each "/" from the deepest a mount of this namespace reaches
   * back to the first, so the cost follows the mounts' depth (usually one segment), not the path's.
   * lookup("", "team/kv/app/db") with mounts "team/kv/" and "team/" → "team/kv/"
   */
  lookup(namespace: string, path: string): MountInfo | undefined {
    const known = this.#namespaces.get(namespace);
    if (known === undefined) return undefined;
    const { byPath, depth, longest } = known;
    // A path naming the mount itself ("secret") belongs to that mount.
    if (path.length < longest && !path.endsWith("/")) {
      const whole = byPath.get(`${path}/`);
      if (whole !== undefined) return whole;
    }
    let slash = -1;
    for (let i = 0; i < depth; i++) {
      const next = path.indexOf("/", slash + 1);
      if (next === -1) break;
      slash = next;
    }
    while (slash > 0) {
      const mount = byPath.get(path.slice(0, slash + 1));
      if (mount !== undefined) return mount;
      slash = path.lastIndexOf("/", slash - 1);
    }
    return undefined;
  }
}

interface Mounts {
  byPath: Map<string, MountInfo>;
  /** The most "/" any mount path holds ("team/kv/" → 2). */
  depth: number;
  /** The longest mount path, in characters. */
  longest: number;
}

/** slashes("team/kv/") → 2 */
function slashes(path: string): number {
  let count = 0;
  for (let at = path.indexOf("/"); at !== -1; at = path.indexOf("/", at + 1)) count++;
  return count;
}

/**
 * Reads the mounts out of a `GET sys/mounts` body. Vault answers with the mounts both at the top
 * level (the old shape, kept for compatibility) and under `data` (newer); either alone works.
 * parseMountsResponse({"data":{"secret/":{"type":"kv","options":{"version":"2"}}}})
 *   → [{path:"secret/", type:"kv", kvVersion:2}]
 */
export function parseMountsResponse(body: unknown): MountInfo[] {
  if (!isObject(body)) {
    throw new CourierError("VAULT_ERROR", "the source's sys/mounts answer is not a JSON object");
  }
  const data = body.data;
  const source =
    isObject(data) && Object.keys(data).some((key) => isMountEntry(key, data[key])) ? data : body;
  const mounts: MountInfo[] = [];
  for (const [key, value] of Object.entries(source)) {
    if (!isMountEntry(key, value)) continue;
    mounts.push({ path: key, type: value.type, kvVersion: kvVersionOf(value.type, value.options) });
  }
  return mounts;
}

/**
 * The KV version of a mount, or null when it is not KV. Vault stores "kv-v1"/"kv-v2" mounts as
 * type "kv" with options.version set; the aliases are accepted anyway. "generic" is the old
 * name of KV v1.
 * kvVersionOf("kv", {version:"2"}) → 2;  kvVersionOf("kv", null) → 1;  kvVersionOf("pki", {}) → null
 */
export function kvVersionOf(type: string, options: unknown): 1 | 2 | null {
  if (type === "kv-v2") return 2;
  if (type === "kv-v1" || type === "generic") return 1;
  if (type !== "kv") return null;
  return isObject(options) && options.version === "2" ? 2 : 1;
}

function isMountEntry(key: string, value: unknown): value is { type: string; options?: unknown } {
  return key.endsWith("/") && isObject(value) && typeof value.type === "string";
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
