// Comparing what a token needs with what sys/capabilities-self says it has, one line per right
// it lacks: which Vault, which path, which capability, and the policy line that grants it.
import { policyLine } from "../vault/errors.ts";
import type { Capability, Right } from "./rights.ts";

export interface MissingRight {
  path: string;
  capability: Capability;
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
      if (has.includes("deny") || !has.includes(capability)) missing.push({ path: right.path, capability });
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
  return `${vault} lacks "${missing.capability}" on ${missing.path}: ${policyLine(missing.path, [missing.capability])}`;
}

/** The paths to ask sys/capabilities-self about, each once. */
export function pathsOf(rights: readonly Right[]): string[] {
  return [...new Set(rights.map((right) => right.path))];
}

function capabilitiesIn(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}
