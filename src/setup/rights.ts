// What each of Courier's tokens must be allowed to do, as one table: the preflight checks it with
// sys/capabilities-self and `courier setup policy` prints it as HCL, so the two never disagree.
//
// Capabilities follow Vault's existence check: a write to a path whose backend has one (KV v1
// keys, KV v2 data/ and metadata/) needs "create" for a new key and "update" for an existing
// one; paths without one (KV v2 delete/, undelete/, destroy/, and everything under sys/) always
// need "update" alone. Include/exclude globs do not narrow the table: a full pass lists every
// folder from the mount's root, so list and read are needed on the whole mount.

export type Capability = "create" | "read" | "update" | "delete" | "list" | "sudo";

/** One path a token needs, with why, for the policy's comment. */
export interface Right {
  path: string;
  capabilities: Capability[];
  why: string;
}

/** A KV mount in scope, as the source's mount table describes it. */
export interface KvMount {
  /** With trailing slash: "secret/". */
  path: string;
  version: 1 | 2;
}

export interface RightsScope {
  mounts: readonly KvMount[];
  /** sync.policies */
  policies: boolean;
  /** sync.create_mounts */
  createMounts: boolean;
}

/** The token Courier reads the source with. */
export function sourceRights(scope: RightsScope): Right[] {
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

/** The token Courier writes each destination with; it reads too, to write only what differs. */
export function destinationRights(scope: RightsScope): Right[] {
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
