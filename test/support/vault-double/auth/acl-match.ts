// Vault's choice among non-exact rules (ACL.CheckAllowedFromNonExactPaths): the longest `*`
// prefix rule and every matching `+` segment rule compete; the winner is the one whose first
// wildcard comes latest, then a non-prefix over a prefix, then fewer `+`, then the longer path,
// then the lexically greater path.
import type { Permissions } from "./acl.ts";

interface Candidate {
  firstWildcard: number;
  isPrefix: boolean;
  wildcards: number;
  path: string;
  perms: Permissions;
}

/** `("secret/a/b", prefix{"secret/":…}, segment{"secret/+/b":…})` → the segment rule's permissions */
export function pickNonExact(
  path: string,
  prefix: Map<string, Permissions>,
  segment: Map<string, Permissions>,
): Permissions | undefined {
  const candidates: Candidate[] = [];
  let longest: string | undefined;
  for (const p of prefix.keys()) {
    if (path.startsWith(p) && (longest === undefined || p.length > longest.length)) longest = p;
  }
  if (longest !== undefined) {
    const perms = prefix.get(longest) as Permissions;
    if (segment.size === 0) return perms;
    candidates.push({ firstWildcard: longest.length, isPrefix: true, wildcards: 0, path: longest, perms });
  }
  const parts = path.split("/");
  for (const [rulePath, perms] of segment) {
    const c = matchSegments(rulePath, parts);
    if (c) candidates.push({ ...c, perms });
  }
  if (candidates.length === 0) return undefined;
  candidates.sort(lowerFirst);
  return candidates[candidates.length - 1]?.perms;
}

function matchSegments(rulePath: string, parts: string[]): Omit<Candidate, "perms"> | undefined {
  const isPrefix = rulePath.endsWith("*");
  const trimmed = isPrefix ? rulePath.slice(0, -1) : rulePath;
  const ruleParts = trimmed.split("/");
  if (parts.length < ruleParts.length) return undefined;
  if (!isPrefix && ruleParts.length !== parts.length) return undefined;
  let wildcards = 0;
  for (let i = 0; i < ruleParts.length; i++) {
    const rp = ruleParts[i] as string;
    const pp = parts[i] as string;
    if (rp === "+") wildcards++;
    else if (rp === pp) continue;
    else if (isPrefix && i === ruleParts.length - 1 && pp.startsWith(rp)) continue;
    else return undefined;
  }
  return { firstWildcard: rulePath.indexOf("+"), isPrefix, wildcards, path: trimmed };
}

function lowerFirst(a: Candidate, b: Candidate): number {
  if (a.firstWildcard !== b.firstWildcard) return a.firstWildcard - b.firstWildcard;
  if (a.isPrefix !== b.isPrefix) return a.isPrefix ? -1 : 1;
  if (a.wildcards !== b.wildcards) return b.wildcards - a.wildcards;
  if (a.path.length !== b.path.length) return a.path.length - b.path.length;
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}
