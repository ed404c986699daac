// The unit of work everywhere in Courier: "this secret or policy may have changed".
// For KV v2 the path is the logical one, with data/, metadata/, delete/, undelete/ and destroy/
// stripped, so every operation on one secret lands on one key.

export type SyncKind = "kv" | "policy";

export interface SyncKey {
  kind: SyncKind;
  /** Namespace path as Vault writes it ("" for root, "team-a/" for a child). */
  namespace: string;
  /** Mount path with trailing slash ("secret/"); "sys/policies/acl/" for policies. */
  mount: string;
  /** Path inside the mount ("app/db"), or the policy name. */
  path: string;
  /**
   * Set by the agent on a run of a KV v2 key when every hint since the key was last synced to
   * every destination wrote through its data/, delete/, undelete/ or destroy/ path: its settings
   * are as that sync left them, so the source's data read alone tells what changed. Not part of
   * the key's identity; a key without it is read in full.
   */
  dataOnly?: true;
}

/** The mount every policy key carries, whichever API (acl or legacy) changed it. */
export const POLICY_MOUNT = "sys/policies/acl/";

/**
 * One string per key, for maps and dedup.
 * keyId({kind:"kv",namespace:"",mount:"secret/",path:"a"}) → "kv\u0000\u0000secret/\u0000a"
 */
export function keyId(key: SyncKey): string {
  return `${key.kind}\u0000${key.namespace}\u0000${key.mount}\u0000${key.path}`;
}

/** The mount a key belongs to, as one string: what a "this mount is dirty" mark names. */
export function mountId(key: Pick<SyncKey, "kind" | "namespace" | "mount">): string {
  return `${key.kind}\u0000${key.namespace}\u0000${key.mount}`;
}

/** For logs: "kv team-a/secret/app/db", "policy admins". Never holds a value. */
export function describeKey(key: SyncKey): string {
  return key.kind === "policy"
    ? `policy ${key.namespace}${key.path}`
    : `kv ${key.namespace}${key.mount}${key.path}`;
}
