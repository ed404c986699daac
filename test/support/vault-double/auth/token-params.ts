// Reading auth/token/create parameters the way Vault's token store does: type, display name,
// metadata, and the TTL a new token gets from ttl, period and explicit_max_ttl.
import { DoubleHttpError } from "../errors.ts";
import type { Namespace, TokenEntry } from "../types.ts";
import { parseDurationSeconds } from "./duration.ts";
import { newAccessor } from "./token-ids.ts";
import type { CreateOptions } from "./token-store.ts";
import { calculateTtl } from "./token-ttl.ts";

/**
 * Sets entry.explicitMaxTtl, period and ttl from the request and returns the TTL (seconds). A root
 * token asked for no TTL gets none (0 = never expires); anything else gets at least the default.
 */
export function creationTtl(
  entry: TokenEntry,
  params: Record<string, unknown>,
  sudo: boolean,
  opts: CreateOptions,
): number {
  const seconds = (key: string): number => {
    const v = parseDurationSeconds(params[key] ?? "");
    if (v === undefined) throw bad(`time: invalid duration "${String(params[key])}"`);
    if (v < 0) throw bad(`${key} must be positive`);
    return v;
  };
  entry.explicitMaxTtl = seconds("explicit_max_ttl");
  const period = seconds("period");
  if (period > 0 && !sudo) throw bad("root or sudo privileges required to create periodic token");
  entry.period = period;
  const requested = params.ttl !== undefined ? seconds("ttl") : seconds("lease");
  let ttl = requested;
  const isRoot = entry.policies.includes("root");
  if (period > 0 || requested > 0 || !isRoot) {
    const start = Math.floor(entry.issuedAt / 1000);
    try {
      ttl = calculateTtl({
        increment: 0,
        backendTtl: requested,
        period,
        explicitMaxTtl: entry.explicitMaxTtl,
        mountMaxTtl: opts.mountMaxTtl ?? 0,
        mountDefaultTtl: opts.mountDefaultTtl ?? 0,
        start,
        now: start,
      }).ttl;
    } catch (err) {
      throw bad((err as Error).message);
    }
  }
  if (ttl === 0 && entry.explicitMaxTtl > 0) ttl = entry.explicitMaxTtl;
  entry.ttl = ttl;
  return ttl;
}

export function blank(id: string, namespace: Namespace, now: number): TokenEntry {
  return {
    id,
    accessor: newAccessor(namespace.id),
    policies: [],
    namespace,
    displayName: "token",
    meta: null,
    ttl: 0,
    explicitMaxTtl: 0,
    period: 0,
    renewable: false,
    orphan: true,
    numUses: 0,
    type: "service",
    path: "auth/token/create",
    issuedAt: now,
    expiresAt: 0,
    entityId: "",
  };
}

export function tokenType(value: unknown): "service" | "batch" {
  if (value === undefined || value === "" || value === "service") return "service";
  if (value === "batch") return "batch";
  throw bad("invalid 'token_type' value");
}

// "token-" + the name with anything outside [a-zA-Z0-9-] turned into "-", trailing "-" dropped.
export function displayName(value: unknown): string {
  if (typeof value !== "string" || value === "") return "token";
  return `token-${value}`.replace(/[^a-zA-Z0-9-]/g, "-").replace(/-$/, "");
}

export function metaOf(value: unknown): Record<string, string> | null {
  if (value === undefined || value === null || typeof value !== "object") return null;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

export function bad(message: string): DoubleHttpError {
  return new DoubleHttpError(400, message);
}
