// What the operator asked Courier to replicate. KV keys must sit in a mount in scope and pass the
// include/exclude globs (see glob.ts for the syntax); ACL policies are governed by `policies`
// and by `exclude` alone, so that an include list written for secrets does not silently turn
// policies off. Exclude always wins over include.

import { POLICY_MOUNT } from "../sync-key.ts";
import { globsToRegExp } from "./glob.ts";

export interface Scope {
  /** KV mounts to replicate ("secret/", or "team-a/secret/" in a namespace); undefined = every KV mount. */
  mounts?: readonly string[];
  /** Globs over "<namespace><mount><path>"; undefined or empty = everything. */
  include?: readonly string[];
  /** Globs over the same names, and over "<namespace>sys/policies/acl/<name>" for policies. */
  exclude?: readonly string[];
  /** Replicate ACL policies (default true). */
  policies?: boolean;
}

export interface CompiledScope {
  readonly policies: boolean;
  /** Is this KV mount replicated at all? */
  mountInScope(namespace: string, mount: string): boolean;
  /** Do the globs let this KV key through? */
  kvPathInScope(namespace: string, mount: string, path: string): boolean;
  /** Do the exclude globs let this policy through? */
  policyInScope(namespace: string, name: string): boolean;
}

/** Compiles the scope once; classification then costs a Set lookup and at most two RegExp tests. */
export function compileScope(scope: Scope = {}): CompiledScope {
  const mounts = scope.mounts === undefined ? undefined : new Set(scope.mounts.map(normaliseMount));
  const include = globsToRegExp(scope.include ?? []);
  const exclude = globsToRegExp(scope.exclude ?? []);
  return {
    policies: scope.policies ?? true,
    mountInScope: (namespace, mount) => mounts === undefined || mounts.has(namespace + mount),
    kvPathInScope(namespace, mount, path) {
      const name = namespace + mount + path;
      if (exclude?.test(name)) return false;
      return include === undefined || include.test(name);
    },
    policyInScope: (namespace, name) =>
      exclude === undefined || !exclude.test(namespace + POLICY_MOUNT + name),
  };
}

/** "/secret" → "secret/", "team-a/kv/" → "team-a/kv/" */
export function normaliseMount(mount: string): string {
  const trimmed = mount.replace(/^\/+/, "");
  return trimmed.endsWith("/") ? trimmed : `${trimmed}/`;
}
