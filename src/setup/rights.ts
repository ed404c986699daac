// What each of Courier's tokens must be allowed to do, as one table: the preflight checks it with
// sys/capabilities-self (one line per capability a token lacks, with the policy line that grants
// it) and `courier setup policy` prints it as HCL, so the two never disagree.
//
// Capabilities follow Vault's existence check: a write to a path whose backend has one (KV v1
// keys, KV v2 data/ and metadata/) needs "create" for a new key and "update" for an existing
// one; paths without one (KV v2 delete/, undelete/, destroy/, and everything under sys/) always
// need "update" alone. Include/exclude globs do not narrow the table: a full pass lists every
// folder from the mount's root, so list and read are needed on the whole mount.
import type { Config } from "../config/schema.ts";
import { effectivePrune, type PruneMode } from "../sync/managed.ts";
import { destinationKey, destinationNamespaceOf, type PathMap } from "../sync/path-map.ts";
import { policyLine } from "../vault/errors.ts";
import { levelsOf } from "../vault/namespaces.ts";

export type Capability = "create" | "read" | "update" | "delete" | "list" | "sudo";

/** One path a token needs, with why, for the policy's comment. */
export interface Right {
  path: string;
  capabilities: Capability[];
  why: string;
  /** The namespace below the token's that the path reaches into ("team1/"), for messages. */
  namespace?: string;
}

/** A KV mount in scope, as the source's mount table describes it. */
export interface KvMount {
  /** With trailing slash: "secret/". */
  path: string;
  version: 1 | 2;
}

/**
 * A namespace below the token's own, with its KV mounts in scope. `path` is relative to the
 * namespace the policy is written in ("team1/sub/"): a policy there grants paths in a namespace
 * below by prefixing them with that namespace's path ("team1/sub/secret/data/*"), as Vault and
 * OpenBao match a request in a child namespace against its path from the policy's namespace.
 */
export interface NamespaceMounts {
  path: string;
  mounts: readonly KvMount[];
  /** false: no namespace's policies land here (a parent only sync.map's TO needs, like dr/). */
  policies?: boolean;
}

export interface RightsScope {
  mounts: readonly KvMount[];
  /**
   * The source's namespaces below its own that are in scope; none leaves the policies as they
   * were. Each is named: a glob cannot stand in for them, as `+` takes one path segment and `*`
   * only ends a path, so no glob reaches every depth of namespace and every mount name at once.
   */
  namespaces?: readonly NamespaceMounts[];
  /** sync.policies */
  policies: boolean;
  /** sync.create_mounts */
  createMounts: boolean;
  /** sync.prune as it acts (off when deletes are): a destination deletes namespaces the source lost. */
  prune?: PruneMode;
}

/** The scope the configuration syncs, over the KV mounts found on the source. */
export function rightsScope(
  config: Config,
  mounts: readonly KvMount[],
  namespaces: readonly NamespaceMounts[] = [],
): RightsScope {
  return {
    mounts,
    namespaces,
    policies: config.sync.policies,
    createMounts: config.sync.create_mounts,
    prune: effectivePrune(config.sync.prune as PruneMode, config.sync.deletes),
  };
}

/**
 * The scope as a destination holds it under sync.map: each source mount, and each namespace's
 * policies, where the map puts them, and every namespace level the mapped paths need (dr/ for
 * team1/=dr/team1/), so the policy grants rights where Courier writes, and the making of each level.
 * Namespace paths are taken as full paths (a source token in the root namespace).
 * destinationScope({mounts:[secret/ v2], namespaces:[team1/ (kv/)]}, [secret/=mirror/, team1/=dr/team1/])
 *   → {mounts:[mirror/ v2], namespaces:[dr/ (nothing), dr/team1/ (kv/, policies)]}
 */
export function destinationScope(scope: RightsScope, map: PathMap): RightsScope {
  if (map.length === 0) return scope;
  const places = new Map<string, { mounts: KvMount[]; policies: boolean }>();
  const place = (namespace: string) => {
    const found = places.get(namespace) ?? { mounts: [], policies: false };
    places.set(namespace, found);
    return found;
  };
  const add = (namespace: string, mounts: readonly KvMount[]) => {
    place(destinationNamespaceOf(namespace, map)).policies = true;
    for (const mount of mounts) {
      const at = destinationKey({ kind: "kv", namespace, mount: mount.path, path: "" }, map);
      place(at.namespace).mounts.push({ path: at.mount, version: mount.version });
    }
  };
  add("", scope.mounts);
  for (const namespace of scope.namespaces ?? []) add(namespace.path, namespace.mounts);
  for (const namespace of [...places.keys()]) for (const level of levelsOf(namespace)) place(level);
  const namespaces = [...places.entries()]
    .filter(([path]) => path !== "")
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([path, { mounts, policies }]) => ({ path, mounts, policies }));
  return { ...scope, mounts: places.get("")?.mounts ?? [], namespaces };
}

/** The token Courier reads the source with. */
export function sourceRights(scope: RightsScope): Right[] {
  return withNamespaces(scope, namespaceSourceRights, sourceRightsIn);
}

/** The token Courier writes each destination with; it reads too, to write only what differs. */
export function destinationRights(scope: RightsScope): Right[] {
  return withNamespaces(scope, (prefix) => namespaceDestinationRights(prefix, scope), destinationRightsIn);
}

/**
 * The rights in the token's own namespace, then, when namespaces below it are in scope, those to
 * find and make namespaces there and the same rights again in each, under its path.
 */
function withNamespaces(
  scope: RightsScope,
  namespaceRights: (prefix: string) => Right[],
  rightsIn: (scope: RightsScope) => Right[],
): Right[] {
  const rights = rightsIn(scope);
  const namespaces = scope.namespaces ?? [];
  if (namespaces.length === 0) return rights;
  rights.push(...namespaceRights(""));
  for (const namespace of namespaces) {
    const policies = scope.policies && namespace.policies !== false;
    // A level only sync.map's TO needs (dr/): Courier makes namespaces in it and writes nothing else.
    if (namespace.mounts.length === 0 && !policies) {
      rights.push(
        ...namespaceRights(namespace.path).map((right) => ({ ...right, namespace: namespace.path })),
      );
      continue;
    }
    const inside = rightsIn({ ...scope, mounts: namespace.mounts, policies });
    rights.push(...inside.map((right) => prefixed(namespace.path, right)));
    rights.push(...namespaceRights(namespace.path).map((right) => ({ ...right, namespace: namespace.path })));
  }
  return rights;
}

/** prefixed("team1/", {path:"secret/data/*", why:"read secrets of secret/"}) → team1/secret/data/*, "… (namespace team1/)" */
function prefixed(namespace: string, right: Right): Right {
  return {
    ...right,
    path: `${namespace}${right.path}`,
    why: `${right.why} (namespace ${namespace})`,
    namespace,
  };
}

/** On the source: list a namespace's children, and read each one's custom_metadata to copy it. */
function namespaceSourceRights(prefix: string): Right[] {
  const where = prefix === "" ? "" : ` in ${prefix}`;
  return [
    { path: `${prefix}sys/namespaces`, capabilities: ["list"], why: `find the namespaces${where}` },
    {
      path: `${prefix}sys/namespaces/*`,
      capabilities: ["read"],
      why: `read the custom_metadata of the namespaces${where}`,
    },
  ];
}

/**
 * On a destination: see whether a namespace exists, and make it (sync.create_mounts) when not;
 * pruning, find the ones the source no longer has and delete them.
 */
function namespaceDestinationRights(prefix: string, scope: RightsScope): Right[] {
  const where = prefix === "" ? "" : ` in ${prefix}`;
  const capabilities: Capability[] = scope.createMounts ? ["create", "read", "update"] : ["read"];
  const why = scope.createMounts
    ? `find and make the namespaces${where} the source has`
    : `find the namespaces${where}`;
  const rights: Right[] = [{ path: `${prefix}sys/namespaces/*`, capabilities, why }];
  if ((scope.prune ?? "off") !== "off") {
    // Whether all a namespace holds is Courier's: its mounts and auth methods (KV keys and policies
    // are listed with the rights above). The root namespace is never deleted.
    if (prefix !== "") {
      rights.push(
        {
          path: `${prefix}sys/mounts`,
          capabilities: ["read"],
          why: `see what ${prefix} holds, should the source lose it`,
        },
        {
          path: `${prefix}sys/auth`,
          capabilities: ["read"],
          why: `see what ${prefix} holds, should the source lose it`,
        },
      );
    }
    rights.push(
      {
        path: `${prefix}sys/namespaces`,
        capabilities: ["list"],
        why: `find the namespaces${where} the source no longer has (sync.prune)`,
      },
      {
        path: `${prefix}sys/namespaces/*`,
        capabilities: ["delete"],
        why: `delete the namespaces${where} the source no longer has (sync.prune)`,
      },
    );
  }
  return rights;
}

function sourceRightsIn(scope: RightsScope): Right[] {
  const rights: Right[] = [
    {
      path: "sys/mounts",
      capabilities: ["read"],
      why: "the mount table: which mounts are KV, and their version",
    },
  ];
  for (const mount of scope.mounts) {
    if (mount.version === 2) {
      rights.push(
        { path: `${mount.path}data/*`, capabilities: ["read"], why: `read secrets of ${mount.path}` },
        {
          path: `${mount.path}metadata/*`,
          capabilities: ["read", "list"],
          why: `read versions and settings, and walk ${mount.path}`,
        },
      );
    } else {
      rights.push({
        path: `${mount.path}*`,
        capabilities: ["read", "list"],
        why: `read and walk ${mount.path}`,
      });
    }
  }
  if (scope.policies) {
    rights.push({
      path: "sys/policies/acl/*",
      capabilities: ["read", "list"],
      why: "read and list ACL policies",
    });
  }
  return rights;
}

function destinationRightsIn(scope: RightsScope): Right[] {
  const rights: Right[] = [];
  const write: Capability[] = ["create", "read", "update", "delete"];
  for (const mount of scope.mounts) {
    if (mount.version === 2) {
      rights.push(
        {
          path: `${mount.path}data/*`,
          capabilities: write,
          why: `write and soft-delete secrets of ${mount.path}`,
        },
        {
          path: `${mount.path}metadata/*`,
          capabilities: [...write, "list"],
          why: `key settings, whole-key deletes, and walking ${mount.path}`,
        },
        { path: `${mount.path}delete/*`, capabilities: ["update"], why: "mirror a deleted version" },
        { path: `${mount.path}undelete/*`, capabilities: ["update"], why: "mirror an undeleted version" },
        { path: `${mount.path}destroy/*`, capabilities: ["update"], why: "mirror a destroyed version" },
      );
    } else {
      rights.push({
        path: `${mount.path}*`,
        capabilities: [...write, "list"],
        why: `write, delete and walk ${mount.path}`,
      });
    }
  }
  if (scope.policies) {
    rights.push({
      path: "sys/policies/acl/*",
      capabilities: ["read", "update", "delete", "list"],
      why: "write, delete and list ACL policies",
    });
  }
  if (scope.createMounts) {
    rights.push({ path: "sys/mounts/*", capabilities: ["update"], why: "create a KV mount the source has" });
  }
  return rights;
}

/**
 * What `courier setup` itself needs on the source to manage audit devices (every sys/audit path
 * also needs sudo). Usually an operator's token, not Courier's own.
 * setupRights(["courier"], false) → sys/audit read+sudo, sys/audit/courier update+sudo
 */
export function setupRights(devicePaths: readonly string[], replace: boolean): Right[] {
  if (devicePaths.length === 0) return [];
  const rights: Right[] = [
    { path: "sys/audit", capabilities: ["read", "sudo"], why: "list the audit devices" },
  ];
  for (const path of devicePaths) {
    const capabilities: Capability[] = replace ? ["update", "delete", "sudo"] : ["update", "sudo"];
    rights.push({ path: `sys/audit/${path}`, capabilities, why: `enable the audit device ${path}/` });
  }
  return rights;
}

export interface MissingRight {
  path: string;
  capability: Capability;
  namespace?: string;
}

/**
 * The capabilities a token lacks. Vault answers ["root"] for a root token (everything) and
 * ["deny"] for a path it may not touch at all.
 * missingRights([{path:"a/*",capabilities:["read","list"]}], {"a/*":["read"]}) → [{path:"a/*",capability:"list"}]
 */
export function missingRights(rights: readonly Right[], granted: Record<string, unknown>): MissingRight[] {
  const missing: MissingRight[] = [];
  for (const right of rights) {
    const has = capabilitiesIn(granted[right.path]);
    if (has.includes("root")) continue;
    for (const capability of right.capabilities) {
      if (has.includes("deny") || !has.includes(capability)) {
        missing.push({ path: right.path, capability, namespace: right.namespace });
      }
    }
  }
  return missing;
}

/**
 * One report line.
 * describeMissing("source http://127.0.0.1:8200", {path:"secret/data/*",capability:"read"})
 *   → 'source http://127.0.0.1:8200 lacks "read" on secret/data/*: path "secret/data/*" { capabilities = ["read"] }'
 */
export function describeMissing(vault: string, missing: MissingRight): string {
  const inside = missing.namespace ? ` (inside namespace ${missing.namespace})` : "";
  return `${vault} lacks "${missing.capability}" on ${missing.path}${inside}: ${policyLine(missing.path, [missing.capability])}`;
}

/**
 * The table as an HCL policy an operator can hand to `vault policy write NAME -`.
 * renderPolicy("courier-source", "Courier's token on the source Vault", [{path:"sys/mounts",capabilities:["read"],why:"the mount table"}])
 *   → '# courier-source: Courier\'s token on the source Vault\n\n# the mount table\npath "sys/mounts" {\n  capabilities = ["read"]\n}\n'
 */
export function renderPolicy(name: string, about: string, rights: readonly Right[]): string {
  const blocks = merge(rights).map((right) => {
    const caps = right.capabilities.map((c) => `"${c}"`).join(", ");
    return `# ${right.why}\npath "${right.path}" {\n  capabilities = [${caps}]\n}\n`;
  });
  return `# ${name}: ${about}\n\n${blocks.join("\n")}`;
}

/** One block per path: two rights on one path (Vault merges them anyway) read better as one. */
function merge(rights: readonly Right[]): Right[] {
  const byPath = new Map<string, Right>();
  for (const right of rights) {
    const held = byPath.get(right.path);
    if (!held) {
      byPath.set(right.path, { ...right, capabilities: [...right.capabilities] });
      continue;
    }
    for (const c of right.capabilities) if (!held.capabilities.includes(c)) held.capabilities.push(c);
    held.why = `${held.why}; ${right.why}`;
  }
  return [...byPath.values()];
}

function capabilitiesIn(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}
