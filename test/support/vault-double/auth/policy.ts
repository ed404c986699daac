// Parses ACL policy text the way Vault's policy.ParseACLPolicy does, keeping what evaluation needs:
// each path's capabilities, whether it is a `*` prefix, and whether it has `+` segments.
import { DoubleHttpError } from "../errors.ts";
import type { Capability } from "../types.ts";
import { HclError, type HclItem, type HclValue, isObject, parseHcl } from "./hcl.ts";

export const CAP_BITS: Record<Capability, number> = {
  deny: 1,
  create: 2,
  read: 4,
  update: 8,
  delete: 16,
  list: 32,
  sudo: 64,
  patch: 128,
};

export interface PathRule {
  /** The path as written, minus a trailing `*` when that makes it a plain prefix rule. */
  path: string;
  isPrefix: boolean;
  hasSegmentWildcards: boolean;
  /** The capabilities as written (the old `policy = "…"` form expanded); ["deny"] when denied. */
  capabilities: Capability[];
  /** Bitmap of CAP_BITS; deny alone when denied. */
  caps: number;
}

export interface ParsedPolicy {
  name?: string;
  rules: PathRule[];
}

const PATH_KEYS = [
  "comment",
  "policy",
  "capabilities",
  "allowed_parameters",
  "denied_parameters",
  "required_parameters",
  "min_wrapping_ttl",
  "max_wrapping_ttl",
  "mfa_methods",
  "control_group",
  "subscribe_event_types",
  "pagination_limit",
];

// The pre-0.9 `policy = "…"` shorthand and what it grants.
const OLD_POLICIES: Record<string, Capability[]> = {
  deny: ["deny"],
  read: ["read", "list"],
  write: ["create", "read", "update", "delete", "list"],
  sudo: ["create", "read", "update", "delete", "list", "sudo"],
};

/** Throws DoubleHttpError(400, "failed to parse policy: …") on text Vault would refuse. */
export function parsePolicy(hcl: string): ParsedPolicy {
  try {
    return parse(hcl);
  } catch (err) {
    if (err instanceof HclError || err instanceof PolicyError) {
      throw new DoubleHttpError(400, `failed to parse policy: ${err.message}`);
    }
    throw err;
  }
}

class PolicyError extends Error {}

function parse(hcl: string): ParsedPolicy {
  const items = parseHcl(hcl);
  checkKeys(items, ["name", "path"], "");
  const out: ParsedPolicy = { rules: [] };
  for (const item of items) {
    if (item.keys[0] === "name" && typeof item.value === "string") out.name = item.value;
    if (item.keys[0] !== "path") continue;
    const rule = pathRule(item);
    if (rule) out.rules.push(rule);
  }
  return out;
}

function pathRule(item: HclItem): PathRule {
  const written = item.keys[1] ?? "path";
  if (!isObject(item.value)) throw new PolicyError(`path "${written}": expected an object`);
  checkKeys(item.value, PATH_KEYS, `path "${written}": `);
  const body = new Map(item.value.map((i) => [i.keys[0], i.value] as const));
  const path = written.startsWith("/") ? written.slice(1) : written;
  if (path.includes("+*"))
    throw new PolicyError(`path "${path}": invalid use of wildcards ('+*' is forbidden)`);
  const hasSegmentWildcards = path === "+" || path.includes("/+") || path.startsWith("+/");
  const isPrefix = path.endsWith("*") && !hasSegmentWildcards;
  const capabilities: string[] = [...strings(body.get("capabilities"), written)];
  const old = body.get("policy");
  if (old !== undefined) {
    const granted = typeof old === "string" ? OLD_POLICIES[old] : undefined;
    if (!granted) throw new PolicyError(`path "${written}": invalid policy "${String(old)}"`);
    capabilities.push(...granted);
  }
  let caps = 0;
  for (const cap of capabilities) {
    const bit = CAP_BITS[cap as Capability];
    if (bit === undefined) throw new PolicyError(`path "${written}": invalid capability "${cap}"`);
    if (cap === "deny") {
      caps = CAP_BITS.deny;
      break;
    }
    caps |= bit;
  }
  const granted = caps === CAP_BITS.deny ? ["deny"] : [...new Set(capabilities)];
  return {
    path: isPrefix ? path.slice(0, -1) : path,
    isPrefix,
    hasSegmentWildcards,
    capabilities: granted as Capability[],
    caps,
  };
}

function strings(value: HclValue | undefined, path: string): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value) && value.every((v) => typeof v === "string")) return value as string[];
  throw new PolicyError(`path "${path}": capabilities must be a list of strings`);
}

// hclutil.CheckHCLKeys, wrapped like go-multierror prints it.
function checkKeys(items: HclItem[], valid: string[], prefix: string): void {
  const bad = items.filter((i) => !valid.includes(i.keys[0] ?? ""));
  if (bad.length === 0) return;
  const lines = bad.map((i) => `* ${prefix}invalid key "${i.keys[0]}" on line ${i.line}`);
  const head = bad.length === 1 ? "1 error occurred:" : `${bad.length} errors occurred:`;
  throw new PolicyError(`${head}\n\t${lines.join("\n\t")}\n\n`);
}
