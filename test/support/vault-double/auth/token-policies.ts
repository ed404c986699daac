// How Vault's token store settles a new token's policies (resolveTokenPolicies without roles).
import { DoubleHttpError } from "../errors.ts";

/**
 * policyutil.SanitizePolicies: trimmed, lower-cased, de-duplicated, sorted; "root" swallows the
 * rest; "default" added when asked unless root is there.
 * `([" B", "a", "b"], true)` → ["a", "b", "default"]
 */
export function sanitizePolicies(policies: readonly string[], addDefault: boolean): string[] {
  const out = new Set<string>();
  for (const raw of policies) {
    const p = raw.trim().toLowerCase();
    if (p === "") continue;
    if (p === "root") return ["root"];
    out.add(p);
  }
  if (addDefault) out.add("default");
  return [...out].sort();
}

/** Accepts a JSON list or a comma-separated string, as Vault's TypeCommaStringSlice does. */
export function policyList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map(String);
  return String(value).split(",");
}

/** The final policy list for a token created by `parent`, or a 400 Vault would answer. */
export function resolvePolicies(
  requested: string[],
  parentPolicies: string[],
  opts: { sudo: boolean; noDefaultPolicy: boolean },
): string[] {
  let policies = requested.filter((p) => p.trim() !== "");
  let addDefault = false;
  if (policies.length === 0) {
    policies = sanitizePolicies(parentPolicies, false);
  } else if (!opts.sudo) {
    const parent = sanitizePolicies(parentPolicies, false);
    const wanted = sanitizePolicies(policies, false);
    if (!wanted.every((p) => parent.includes(p))) {
      throw new DoubleHttpError(400, "child policies must be subset of parent");
    }
    addDefault = !opts.noDefaultPolicy && parentPolicies.includes("default");
  } else {
    addDefault = !opts.noDefaultPolicy;
  }
  let final = sanitizePolicies(policies, addDefault);
  if (opts.noDefaultPolicy) final = final.filter((p) => p !== "default");
  if (final.includes("root") && !parentPolicies.includes("root")) {
    throw new DoubleHttpError(400, "root tokens may not be created without parent token being root");
  }
  return final;
}
