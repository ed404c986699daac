// Authorising a request: the token's ACL, evaluated on the path as seen from the token's own
// namespace (a root token reaching team-a/ checks "team-a/secret/…" against root policies), and
// the policy results the audit log records.
import { type Acl, aclFor, parsePolicy } from "./auth/acl.ts";
import type { DoubleContext } from "./context.ts";
import type { Backend, Capability, LogicalRequest, Namespace, TokenEntry } from "./types.ts";

export interface RequestAcl {
  acl: Acl;
  /** What to put in front of a namespace-relative path before asking the ACL. */
  prefix: string;
  token: TokenEntry;
}

/** The ACL for this token in this namespace; undefined when the token cannot reach the namespace. */
export function requestAcl(ctx: DoubleContext, token: TokenEntry, ns: Namespace): RequestAcl | undefined {
  const home = token.namespace.path;
  if (!ns.path.startsWith(home)) return undefined;
  const tokenNs = ctx.state.namespaces.get(home);
  if (!tokenNs) return undefined;
  return { acl: aclFor(token, tokenNs), prefix: ns.path.slice(home.length), token };
}

export function allows(ra: RequestAcl, path: string, capability: Capability): boolean {
  return ra.acl.allows(ra.prefix + path, capability);
}

/** How the token check of one request ended: Vault words a refusal differently for each. */
export type Authorization = "allowed" | "denied" | "bad-token";

/**
 * Vault's CheckToken for one request, which also records req.policyResults as the audit log's
 * auth.policy_results shows it: a path that needs no token (a login) is {allowed:true} with no
 * policies; a token's ACL gives the policies that granted the operation (and sudo on root paths),
 * or {allowed:false}; a bad or missing token leaves it unset.
 */
export function authorize(
  ctx: DoubleContext,
  req: LogicalRequest,
  backend: Backend | undefined,
): Authorization {
  const sub = req.mountSubpath;
  if (needsNoToken(backend, sub)) {
    req.policyResults = { allowed: true };
    return "allowed";
  }
  if (!req.token) return "bad-token";
  const ra = requestAcl(ctx, req.token, req.namespace);
  const results = ra?.acl.check(ra.prefix + req.path, req.operation);
  const sudo = !matchesAny(backend?.rootPaths, sub) || (ra !== undefined && allows(ra, req.path, "sudo"));
  req.policyResults = results?.allowed && sudo ? results : { allowed: false };
  return req.policyResults.allowed ? "allowed" : "denied";
}

/** A login path (Vault's PathsSpecial.Unauthenticated): no token needed, and none is used up. */
export function needsNoToken(backend: Backend | undefined, subpath: string): boolean {
  return matchesAny(backend?.unauthenticatedPaths, subpath);
}

/** ("login", ["login"]) → true; ("internal/ui/mounts/x", ["internal/ui/mounts/*"]) → true */
function matchesAny(patterns: string[] | undefined, path: string): boolean {
  if (!patterns) return false;
  return patterns.some((p) => (p.endsWith("*") ? path.startsWith(p.slice(0, -1)) : path === p));
}

const ANY_GRANT: Capability[] = ["create", "read", "update", "patch", "delete", "list", "sudo"];

/**
 * Vault's hasMountAccess: a token may see a mount if it has any capability on the mount path
 * itself, or any rule that grants something below it. ("secret/", policy on "secret/data/app") → true
 */
export function hasMountAccess(ctx: DoubleContext, ra: RequestAcl, mountPath: string): boolean {
  const full = ra.prefix + mountPath;
  const direct = ra.acl.capabilities(full);
  if (!direct.includes("deny")) return true;
  const tokenNs = ctx.state.namespaces.get(ra.token.namespace.path);
  if (!tokenNs) return false;
  const names = ra.token.policies.includes("default") ? ra.token.policies : [...ra.token.policies, "default"];
  for (const name of names) {
    const text = tokenNs.policies.get(name);
    if (text === undefined) continue;
    let rules: ReturnType<typeof parsePolicy>["rules"];
    try {
      rules = parsePolicy(text).rules;
    } catch {
      continue;
    }
    for (const rule of rules) {
      if (rule.capabilities.includes("deny")) continue;
      if (!rule.capabilities.some((c) => ANY_GRANT.includes(c))) continue;
      if (pathUnder(rule.path, full)) return true;
    }
  }
  return false;
}

/**
 * Does a policy path name something at or below `prefix` (Vault walks its rule tree under the
 * mount path)? A `+` segment stands for the mount's own segment there.
 * ("secret/data/app", "secret/") → true; ("+/data/*", "secret/") → true; ("kv/*", "secret/") → false
 */
function pathUnder(rulePath: string, prefix: string): boolean {
  const mountParts = prefix.split("/");
  const resolved = rulePath
    .replace(/\*$/, "")
    .split("/")
    .map((part, i) => (part === "+" && i < mountParts.length - 1 ? mountParts[i] : part))
    .join("/");
  return resolved.startsWith(prefix);
}
