// The source's namespaces below the token's own that `courier setup policy` must name: each one
// in scope (sync.namespaces; every one by default) with its KV mounts in scope, found the way a
// pass finds them (LIST sys/namespaces, recursively, and each one's mount table).

import { compileScope } from "../audit/scope.ts";
import type { Config } from "../config/schema.ts";
import type { SetupVault } from "./journal.ts";
import { tableOf } from "./preflight.ts";
import type { KvMount, NamespaceMounts } from "./rights.ts";

/**
 * sourceNamespaces(source with team1/ (secret/) and team1/sub/ (kv/), config)
 *   → [{path:"team1/", mounts:[secret/ v2]}, {path:"team1/sub/", mounts:[kv/ v2]}]
 * A Vault without namespaces, or a token that may not list them, has none: the policies stay as
 * they are without namespaces.
 */
export async function sourceNamespaces(source: SetupVault, config: Config): Promise<NamespaceMounts[]> {
  const own = source.namespace.replace(/^\/+|\/+$/g, "");
  const root = own === "" ? "" : `${own}/`;
  const scope = compileScope({
    namespaces: config.sync.namespaces,
    mounts: config.sync.mounts.length > 0 ? config.sync.mounts : undefined,
  });
  const found: NamespaceMounts[] = [];
  const walk = async (namespace: string): Promise<void> => {
    for (const child of await childrenOf(source, namespace)) {
      if (scope.namespaceInScope(child)) {
        const mounts = await kvMountsOf(source, child);
        found.push({
          path: child.slice(root.length),
          mounts: mounts.filter((m) => scope.mountInScope(child, m.path)),
        });
      }
      // A namespace out of scope may still hold ones in scope (sync.namespaces "team1/sub/**").
      await walk(child);
    }
  };
  await walk(root);
  return found;
}

async function childrenOf(source: SetupVault, namespace: string): Promise<string[]> {
  const reply = await source.read({ method: "GET", path: "sys/namespaces", list: true, namespace });
  if (reply.status !== 200) return [];
  const keys = (reply.body as { data?: { keys?: unknown } } | undefined)?.data?.keys;
  if (!Array.isArray(keys)) return [];
  return keys
    .map(String)
    .filter((key) => key.endsWith("/"))
    .sort()
    .map((key) => namespace + key);
}

async function kvMountsOf(source: SetupVault, namespace: string): Promise<KvMount[]> {
  const request = { method: "GET", path: "sys/mounts", namespace } as const;
  const reply = await source.read(request);
  if (reply.status !== 200) throw source.client.http.failure(request, reply);
  const mounts: KvMount[] = [];
  for (const [path, info] of [...tableOf(reply.body)].sort(([a], [b]) => a.localeCompare(b))) {
    if (info.kvVersion) mounts.push({ path, version: info.kvVersion });
  }
  return mounts;
}
