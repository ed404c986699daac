// The source Vault's own mount table, per namespace: the only thing that says which mount a path
// is in and which KV version it speaks. Audit entries from older Vault carry no mount fields at
// all, and a forged entry can carry any, so classification never takes a mount from the entry.
// It holds vault/mounts.ts's MountInfo, parsed there: the mount a line is classified against is
// the one its sync is handed.

import { CourierError } from "../errors.ts";
import { type MountInfo, parseMountTable } from "../vault/mounts.ts";

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
    const mounts = parseMountTable(body);
    if (!mounts) throw new CourierError("VAULT_ERROR", "the source's sys/mounts answer is not a JSON object");
    this.set(namespace, mounts);
    return mounts.length;
  }

  has(namespace: string): boolean {
    return this.#namespaces.has(namespace);
  }

  /** The mount at exactly `mount` ("secret/"), or undefined: what a key's sync is handed. */
  at(namespace: string, mount: string): MountInfo | undefined {
    return this.#namespaces.get(namespace)?.byPath.get(mount);
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
