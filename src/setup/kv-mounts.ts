// Which KV mounts are in scope, and their versions, read from the source: the rights differ
// between KV v1 and v2, so the table needs both. sys/mounts answers for every mount; without
// read on it, each mount named in sync.mounts is looked up alone (sys/internal/ui/mounts/<m>,
// which any token that can reach the mount may read).

import { vaultPath } from "../vault/http.ts";
import { mountInfo } from "../vault/mounts.ts";
import type { KvMount } from "./rights.ts";
import type { SetupVault } from "./setup-vault.ts";

export interface MountsInScope {
  mounts: KvMount[];
  /** One line each: a named mount the source does not have, or that is not KV. */
  problems: string[];
  /** False when sync.mounts is empty and the mount table could not be read. */
  complete: boolean;
}

export async function kvMountsInScope(source: SetupVault, wanted: readonly string[]): Promise<MountsInScope> {
  const reply = await source.read({ method: "GET", path: "sys/mounts" });
  if (reply.status === 200) return fromTable(source.name, tableOf(reply.body), wanted);
  if (reply.status !== 403) throw source.client.http.failure({ method: "GET", path: "sys/mounts" }, reply);
  const out: MountsInScope = { mounts: [], problems: [], complete: wanted.length > 0 };
  for (const mount of wanted) {
    const path = vaultPath("sys/internal/ui/mounts", mount);
    const one = await source.read({ method: "GET", path });
    const data = (one.body as { data?: Record<string, unknown> } | undefined)?.data;
    if (one.status === 200 && data?.path === mount) {
      const info = mountInfo(mount, data);
      out.problems.push(...check(source.name, mount, info));
      if (info.kvVersion) out.mounts.push({ path: mount, version: info.kvVersion });
    } else {
      out.problems.push(
        `sync.mounts names ${mount}, which ${source.name} does not have or the token cannot see`,
      );
    }
  }
  return out;
}

/**
 * The mounts in scope from a full mount table.
 * fromTable("source …", {"secret/": {type:"kv",…version 2}}, []) → {mounts:[{path:"secret/",version:2}], problems:[], complete:true}
 */
export function fromTable(
  name: string,
  table: Map<string, ReturnType<typeof mountInfo>>,
  wanted: readonly string[],
): MountsInScope {
  const out: MountsInScope = { mounts: [], problems: [], complete: true };
  const paths = wanted.length > 0 ? wanted : [...table.keys()].filter((p) => table.get(p)?.kvVersion).sort();
  for (const path of paths) {
    const info = table.get(path);
    if (!info) {
      out.problems.push(`sync.mounts names ${path}, which ${name} does not have`);
      continue;
    }
    out.problems.push(...check(name, path, info));
    if (info.kvVersion) out.mounts.push({ path, version: info.kvVersion });
  }
  return out;
}

function check(name: string, path: string, info: ReturnType<typeof mountInfo>): string[] {
  if (info.kvVersion) return [];
  return [`sync.mounts names ${path}, which is a ${info.type} mount on ${name}, not KV`];
}

function tableOf(body: unknown): Map<string, ReturnType<typeof mountInfo>> {
  // Newer Vault puts the mounts under data; older Vault also (or only) at the top level.
  const entries = (body as { data?: Record<string, unknown> }).data ?? (body as Record<string, unknown>);
  const table = new Map<string, ReturnType<typeof mountInfo>>();
  for (const [path, entry] of Object.entries(entries ?? {})) {
    if (path.endsWith("/") && entry && typeof entry === "object") table.set(path, mountInfo(path, entry));
  }
  return table;
}
