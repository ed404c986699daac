// The sandbox's own proof that the destinations equal the source, read straight from the servers
// and not from Courier's word: every key of the source's KV mounts and every ACL policy, compared
// by content. (The source's mount table decides which mounts; a destination lacking one simply
// lacks its keys.)
import { vaultCall, vaultList } from "./vault-http.ts";

/** Key ("secret/app/db", "policy ops") → its content as canonical JSON. */
export type Snapshot = Map<string, string>;

interface KvMount {
  path: string;
  version: 1 | 2;
}

/** The KV mounts of a server, from sys/mounts: "secret/" (v2), "kv/" (v1). */
export async function kvMounts(address: string): Promise<KvMount[]> {
  const { body } = await vaultCall(address, "GET", "sys/mounts");
  const table = ((body as { data?: unknown }).data ?? body) as Record<
    string,
    { type?: string; options?: { version?: string } | null }
  >;
  return Object.entries(table)
    .filter(([, mount]) => mount?.type === "kv" || mount?.type === "generic")
    .map(([path, mount]) => ({ path, version: mount.options?.version === "2" ? 2 : 1 }));
}

/** What `address` holds under `mounts` and in its ACL policies (root aside). */
export async function snapshot(address: string, mounts: readonly KvMount[]): Promise<Snapshot> {
  const out: Snapshot = new Map();
  for (const mount of mounts) {
    for (const path of await walk(address, mount, "")) {
      const read =
        mount.version === 2
          ? await vaultCall(address, "GET", `${mount.path}data/${path}`, undefined, [404])
          : await vaultCall(address, "GET", `${mount.path}${path}`, undefined, [404]);
      const data = (read.body as { data?: { data?: unknown } | null } | null)?.data;
      const value = mount.version === 2 ? (data?.data ?? "(deleted)") : (data ?? "(absent)");
      out.set(`${mount.path}${path}`, canonical(value));
    }
  }
  for (const name of await vaultList(address, "sys/policies/acl")) {
    if (name === "root") continue;
    const read = await vaultCall(address, "GET", `sys/policies/acl/${name}`, undefined, [404]);
    out.set(`policy ${name}`, canonical((read.body as { data?: { policy?: string } }).data?.policy ?? null));
  }
  return out;
}

async function walk(address: string, mount: KvMount, folder: string): Promise<string[]> {
  const listPath = mount.version === 2 ? `${mount.path}metadata/${folder}` : `${mount.path}${folder}`;
  const keys: string[] = [];
  for (const name of await vaultList(address, listPath)) {
    if (name.endsWith("/")) keys.push(...(await walk(address, mount, `${folder}${name}`)));
    else keys.push(`${folder}${name}`);
  }
  return keys;
}

/**
 * What a destination gets wrong, one phrase per key, sorted.
 * differences(Map([["a","1"],["b","2"]]), Map([["a","9"],["c","3"]]))
 *   → ["a differs", "b is missing", "c is not on the source"]
 */
export function differences(source: Snapshot, destination: Snapshot): string[] {
  const out: string[] = [];
  for (const [key, value] of source) {
    if (!destination.has(key)) out.push(`${key} is missing`);
    else if (destination.get(key) !== value) out.push(`${key} differs`);
  }
  for (const key of destination.keys()) if (!source.has(key)) out.push(`${key} is not on the source`);
  return out.sort();
}

/** canonical({b:1, a:[{d:2, c:3}]}) → '{"a":[{"c":3,"d":2}],"b":1}' */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === "object" && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

export interface Verdict {
  equal: boolean;
  secrets: number;
  policies: number;
  /** Destination name → what it gets wrong; only destinations that differ. */
  differences: Map<string, string[]>;
}

/** Compares until every destination equals the source, or `ms` passed; the last comparison decides. */
export async function waitForConvergence(
  source: string,
  destinations: readonly { name: string; address: string }[],
  ms: number,
): Promise<Verdict> {
  const deadline = Date.now() + ms;
  for (;;) {
    const verdict = await compareOnce(source, destinations);
    if (verdict.equal || Date.now() >= deadline) return verdict;
    await Bun.sleep(100);
  }
}

async function compareOnce(
  source: string,
  destinations: readonly { name: string; address: string }[],
): Promise<Verdict> {
  const mounts = await kvMounts(source);
  const want = await snapshot(source, mounts);
  const found = new Map<string, string[]>();
  for (const destination of destinations) {
    const wrong = differences(want, await snapshot(destination.address, mounts));
    if (wrong.length > 0) found.set(destination.name, wrong);
  }
  const policies = [...want.keys()].filter((key) => key.startsWith("policy ")).length;
  return { equal: found.size === 0, secrets: want.size - policies, policies, differences: found };
}
