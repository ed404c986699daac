// What the operator asked Courier to replicate. KV keys must sit in a mount in scope and pass the
// include/exclude globs (see glob.ts for the syntax); ACL policies are governed by `policies`
// and by `exclude` alone, so that an include list written for secrets does not silently turn
// policies off. Exclude always wins over include. A glob is matched against the key's full
// name, mount included ("secret/app/**"), so one list can speak of several mounts unambiguously.

import { POLICY_MOUNT } from "../sync-key.ts";
import { globMatchesUnder, globsToRegExp } from "./glob.ts";

export interface Scope {
  /** KV mounts to replicate ("secret/", or "team-a/secret/" in a namespace); undefined = every KV mount. */
  mounts?: readonly string[];
  /** Globs over "<namespace><mount><path>" ("secret/app/**"); undefined or empty = everything. */
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

/** Mounts named in a "can match nothing" message before the rest are only counted. */
const MOUNTS_NAMED = 8;

/**
 * The include and exclude globs that can match no key Courier would replicate, one problem line
 * each. Written the way the documentation once wrote them ("app/**", relative to the mount), they
 * replicate nothing, or exclude nothing, without a word: start-up refuses them instead.
 * `sourceKvMounts` are the KV mounts the source holds ("secret/", "team-a/kv/"); with
 * `scope.mounts` set, the mounts it names are the ones in scope. An exclude may also name the
 * ACL policies of `namespaces` ("sys/policies/acl/<name>").
 * globsMatchingNothing({include: ["app/**"]}, ["secret/"], [""])
 *   → ['sync.include "app/**" can match no key in the KV mounts in scope (secret/): …; did you mean "secret/app/**"?']
 */
export function globsMatchingNothing(
  scope: Scope,
  sourceKvMounts: readonly string[],
  namespaces: readonly string[],
): string[] {
  const mounts = [...new Set(scope.mounts?.map(normaliseMount) ?? sourceKvMounts)].sort();
  const policies = namespaces.map((namespace) => namespace + POLICY_MOUNT);
  const problems: string[] = [];
  for (const glob of scope.include ?? []) {
    if (mounts.some((mount) => globMatchesUnder(glob, mount))) continue;
    const namesPolicies = policies.some((policy) => globMatchesUnder(glob, policy));
    const why = namesPolicies
      ? "sync.include selects KV keys only; ACL policies follow sync.policies and sync.exclude"
      : globForm(glob, mounts);
    problems.push(
      `sync.include "${glob}" can match no key in the KV mounts in scope ${listed(mounts)}: ${why}`,
    );
  }
  for (const glob of scope.exclude ?? []) {
    if ([...mounts, ...policies].some((under) => globMatchesUnder(glob, under))) continue;
    problems.push(
      `sync.exclude "${glob}" can match no key in the KV mounts in scope ${listed(mounts)} nor an ACL policy (sys/policies/acl/<name>): ${globForm(glob, mounts)}`,
    );
  }
  return problems;
}

/** listed(["kv/", "secret/"]) → "(kv/, secret/)" */
function listed(mounts: readonly string[]): string {
  if (mounts.length === 0) return "(there are none)";
  const more = mounts.length > MOUNTS_NAMED ? `, and ${mounts.length - MOUNTS_NAMED} more` : "";
  return `(${mounts.slice(0, MOUNTS_NAMED).join(", ")}${more})`;
}

/** The form a glob takes, with the globs this one was probably meant to be. */
function globForm(glob: string, mounts: readonly string[]): string {
  const guesses = meantGlobs(glob, mounts).map((guess) => `"${guess}"`);
  const hint = guesses.length > 0 ? `; did you mean ${guesses.join(" or ")}?` : ', e.g. "secret/app/**"';
  return `a glob is matched against "<mount><path>"${hint}`;
}

/**
 * What a glob that matches nothing was probably meant to be: written relative to a mount, or
 * naming a folder ("secret/app/") where a key never ends in "/".
 * meantGlobs("app/", ["kv/", "secret/"]) → ["kv/app/**", "secret/app/**"]
 */
function meantGlobs(glob: string, mounts: readonly string[]): string[] {
  const whole = glob.endsWith("/") ? `${glob}**` : glob;
  if (whole !== glob && mounts.some((mount) => globMatchesUnder(whole, mount))) return [whole];
  const relative = whole.replace(/^\/+/, "");
  return mounts
    .filter((mount) => globMatchesUnder(mount + relative, mount))
    .slice(0, 3)
    .map((mount) => mount + relative);
}

/** "/secret" → "secret/", "team-a/kv/" → "team-a/kv/" */
export function normaliseMount(mount: string): string {
  const trimmed = mount.replace(/^\/+/, "");
  return trimmed.endsWith("/") ? trimmed : `${trimmed}/`;
}
