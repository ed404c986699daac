// The source's namespaces below the token's own that `courier setup policy` must name: each one
// in scope (sync.namespaces; every one by default) with its KV mounts in scope, found the way a
// pass finds them (LIST sys/namespaces, recursively, and each one's mount table).

import { compileScope } from "../audit/scope.ts";
import type { Config } from "../config/schema.ts";
import type { SetupVault } from "./journal.ts";
import { tableOf } from "./preflight.ts";
import { describeMissing, type KvMount, type NamespaceMounts } from "./rights.ts";

/**
 * sourceNamespaces(source with team1/ (secret/) and team1/sub/ (kv/), config)
 *   → [{path:"team1/", mounts:[secret/ v2]}, {path:"team1/sub/", mounts:[kv/ v2]}]
 * A Vault without namespaces, or a token that may not list them, has none: the policies stay as
 * they are without namespaces.
 */
export async function sourceNamespaces(
  source: SetupVault,
  config: Config,
  /** The preflight's way: a namespace whose mount table the token may not read has no mounts known (the rights check names the right). */
  tolerateDenied = false,
): Promise<NamespaceMounts[]> {
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
        const mounts = await kvMountsOf(source, child, tolerateDenied);
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

async function kvMountsOf(
  source: SetupVault,
  namespace: string,
  tolerateDenied: boolean,
): Promise<KvMount[]> {
  const request = { method: "GET", path: "sys/mounts", namespace } as const;
  const reply = await source.read(request);
  if (reply.status === 403 && tolerateDenied) return [];
  if (reply.status !== 200) throw source.client.http.failure(request, reply);
  const mounts: KvMount[] = [];
  for (const [path, info] of [...tableOf(reply.body)].sort(([a], [b]) => a.localeCompare(b))) {
    if (info.kvVersion) mounts.push({ path, version: info.kvVersion });
  }
  return mounts;
}

/**
 * The preflight's view of the source's namespaces in scope, whose rights it then checks under each
 * one's path. A token that may not list sys/namespaces hides whether there are any: that is noted
 * (none below would be found, nor replicated) but is no problem, as a source with none below needs
 * no namespace right (the policy `setup policy` prints for it has none). A server without
 * namespaces (Vault OSS) is none of its business.
 */
export async function preflightNamespaces(
  source: SetupVault,
  config: Config,
): Promise<{ namespaces: NamespaceMounts[]; note?: string }> {
  const reply = await source.read({ method: "GET", path: "sys/namespaces", list: true });
  if (reply.status === 403) {
    if (!(await servesNamespaces(source))) return { namespaces: [] };
    const line = describeMissing(source.name, { path: "sys/namespaces", capability: "list" });
    return {
      namespaces: [],
      note: `${line}; without it no namespace below is found, checked or replicated (grant it if the source has any)`,
    };
  }
  return { namespaces: await sourceNamespaces(source, config, true) };
}

/**
 * Whether the server has namespaces, asked without any right: one that has them answers a request
 * into a namespace it lacks "namespace not found"; one without them ignores the header.
 */
async function servesNamespaces(source: SetupVault): Promise<boolean> {
  const own = source.namespace.replace(/^\/+|\/+$/g, "");
  const probe = `${own === "" ? "" : `${own}/`}courier-preflight-${crypto.randomUUID().slice(0, 8)}/`;
  const reply = await source.read({ method: "GET", path: "auth/token/lookup-self", namespace: probe });
  return reply.status === 404 && /namespace not found/i.test(JSON.stringify(reply.body ?? ""));
}
