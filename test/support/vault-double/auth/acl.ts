// Evaluates a token's policies like Vault's ACL: an exact path rule wins; otherwise the best of
// the `*` prefix and `+` segment rules by Vault's priority order; a deny on the chosen rule beats
// everything; the root policy allows all. Rules with the same path from several policies merge.
import type { NamespaceState } from "../state.ts";
import type { Capability, PolicyResults, TokenEntry } from "../types.ts";
import { pickNonExact } from "./acl-match.ts";
import { CAP_BITS, type ParsedPolicy, type PathRule, parsePolicy } from "./policy.ts";

export type { ParsedPolicy } from "./policy.ts";
export { parsePolicy } from "./policy.ts";

export interface Acl {
  /** Vault's rules: exact path, `*` suffix glob (longest prefix wins), `+` one segment; deny wins; root = everything. */
  allows(path: string, capability: Capability): boolean;
  /** What sys/capabilities-self answers for one path: e.g. ["create","read"], ["root"], ["deny"]. */
  capabilities(path: string): string[];
  /** allows() plus the policies that granted it, for the audit log's auth.policy_results. */
  check(path: string, capability: Capability): PolicyResults;
}

/** Merged permissions for one rule path: capability bits and which policies granted each bit. */
export interface Permissions {
  caps: number;
  granting: Map<number, string[]>;
}

const CAP_ORDER = Object.entries(CAP_BITS) as [Capability, number][];

/**
 * The ACL for a token: its policies (which already include "default" when it was given one),
 * read from `ns.policies`, the namespace whose policies the token holds. Paths passed to the
 * result are relative to that namespace. Unknown policy names grant nothing.
 */
export function aclFor(token: TokenEntry, ns: NamespaceState): Acl {
  if (token.policies.includes("root")) return rootAcl(ns);
  const exact = new Map<string, Permissions>();
  const prefix = new Map<string, Permissions>();
  const segment = new Map<string, Permissions>();
  for (const name of token.policies) {
    const text = ns.policies.get(name);
    if (text === undefined) continue;
    for (const rule of cachedParse(text).rules) {
      const table = rule.hasSegmentWildcards ? segment : rule.isPrefix ? prefix : exact;
      merge(table, rule, name);
    }
  }
  const lookup = (path: string, listing: boolean): Permissions | undefined => {
    const hit = exact.get(path) ?? (listing ? exact.get(path.replace(/\/$/, "")) : undefined);
    if (hit) return hit;
    const found = pickNonExact(path, prefix, segment);
    if (found || !listing || !path.endsWith("/")) return found;
    return pickNonExact(path.slice(0, -1), prefix, segment);
  };
  const nsInfo = { namespaceId: ns.ns.id, ...(ns.ns.path ? { namespacePath: ns.ns.path } : {}) };
  const check = (path: string, capability: Capability): PolicyResults => {
    const perms = lookup(path, capability === "list");
    const bit = CAP_BITS[capability];
    if (!perms || perms.caps & CAP_BITS.deny || !(perms.caps & bit)) return { allowed: false };
    const names = perms.granting.get(bit) ?? [];
    return { allowed: true, grantingPolicies: names.map((name) => ({ name, ...nsInfo })) };
  };
  return {
    allows: (path, capability) => check(path, capability).allowed,
    check,
    capabilities(path) {
      const perms = lookup(path, true);
      const caps = perms?.caps ?? 0;
      if (caps & CAP_BITS.deny || caps === 0) return ["deny"];
      return CAP_ORDER.filter(([, bit]) => caps & bit)
        .map(([name]) => name)
        .sort();
    },
  };
}

function rootAcl(ns: NamespaceState): Acl {
  const info = { name: "root", namespaceId: ns.ns.id, ...(ns.ns.path ? { namespacePath: ns.ns.path } : {}) };
  return {
    allows: () => true,
    capabilities: () => ["root"],
    check: () => ({ allowed: true, grantingPolicies: [info] }),
  };
}

// Vault merges same-path rules across policies: an existing deny stays, a new deny replaces all,
// otherwise capabilities add up and each policy is remembered as granting its own bits.
function merge(table: Map<string, Permissions>, rule: PathRule, policy: string): void {
  const existing = table.get(rule.path);
  if (!existing) {
    table.set(rule.path, { caps: rule.caps, granting: grantingFor(rule.caps, policy) });
    return;
  }
  if (existing.caps & CAP_BITS.deny) return;
  if (rule.caps & CAP_BITS.deny) {
    existing.caps = CAP_BITS.deny;
    existing.granting = new Map();
    return;
  }
  existing.caps |= rule.caps;
  for (const [bit, names] of grantingFor(rule.caps, policy)) {
    existing.granting.set(bit, [...(existing.granting.get(bit) ?? []), ...names]);
  }
}

function grantingFor(caps: number, policy: string): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const [, bit] of CAP_ORDER) if (caps & bit) out.set(bit, [policy]);
  return out;
}

// Policies are parsed once per distinct text: the pipeline asks for an ACL on every request.
const parsed = new Map<string, ParsedPolicy>();
function cachedParse(text: string): ParsedPolicy {
  let hit = parsed.get(text);
  if (!hit) {
    if (parsed.size > 500) parsed.clear();
    hit = parsePolicy(text);
    parsed.set(text, hit);
  }
  return hit;
}
