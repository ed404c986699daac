// An AppRole role: reading its fields from a write (new or existing role) and answering a read.
import { DoubleHttpError } from "../errors.ts";
import { weakBool } from "../go-format.ts";
import { parseDurationSeconds } from "./duration.ts";
import { policyList, sanitizePolicies } from "./token-policies.ts";

export interface Role {
  name: string;
  roleId: string;
  bindSecretId: boolean;
  secretIdTtl: number;
  secretIdNumUses: number;
  tokenPolicies: string[];
  tokenTtl: number;
  tokenMaxTtl: number;
  tokenPeriod: number;
  tokenExplicitMaxTtl: number;
  tokenNumUses: number;
  tokenNoDefaultPolicy: boolean;
  tokenType: string;
}

/** A role after a write: given fields replace the old values, the rest keep them (or defaults). */
export function readRole(name: string, data: Record<string, unknown>, existing: Role | undefined): Role {
  const seconds = (key: string, fallback: number) => {
    if (data[key] === undefined) return fallback;
    const v = parseDurationSeconds(data[key]);
    if (v === undefined) throw fieldError(key, data[key]);
    return v;
  };
  const int = (key: string, fallback: number) => {
    if (data[key] === undefined) return fallback;
    const v = Number(data[key]);
    if (!Number.isInteger(v)) throw fieldError(key, data[key]);
    return v;
  };
  const bool = (key: string, fallback: boolean) =>
    data[key] === undefined ? fallback : weakBool(data[key]) === true;
  const policiesRaw = data.token_policies ?? data.policies;
  const role: Role = {
    name: existing?.name ?? name,
    roleId:
      typeof data.role_id === "string" && data.role_id !== ""
        ? data.role_id
        : (existing?.roleId ?? crypto.randomUUID()),
    bindSecretId: bool("bind_secret_id", existing?.bindSecretId ?? true),
    secretIdTtl: seconds("secret_id_ttl", existing?.secretIdTtl ?? 0),
    secretIdNumUses: int("secret_id_num_uses", existing?.secretIdNumUses ?? 0),
    tokenPolicies:
      policiesRaw === undefined
        ? (existing?.tokenPolicies ?? [])
        : sanitizePolicies(policyList(policiesRaw), false),
    tokenTtl: seconds("token_ttl", existing?.tokenTtl ?? 0),
    tokenMaxTtl: seconds("token_max_ttl", existing?.tokenMaxTtl ?? 0),
    tokenPeriod: seconds("token_period", existing?.tokenPeriod ?? 0),
    tokenExplicitMaxTtl: seconds("token_explicit_max_ttl", existing?.tokenExplicitMaxTtl ?? 0),
    tokenNumUses: int("token_num_uses", existing?.tokenNumUses ?? 0),
    tokenNoDefaultPolicy: bool("token_no_default_policy", existing?.tokenNoDefaultPolicy ?? false),
    tokenType: typeof data.token_type === "string" ? data.token_type : (existing?.tokenType ?? "default"),
  };
  if (role.secretIdNumUses < 0) throw new DoubleHttpError(400, "secret_id_num_uses cannot be negative");
  const cidrs = [data.secret_id_bound_cidrs, data.token_bound_cidrs, data.bound_cidr_list].some(
    (v) => v !== undefined && v !== "" && !(Array.isArray(v) && v.length === 0),
  );
  if (!role.bindSecretId && !cidrs) {
    throw new DoubleHttpError(400, "at least one constraint should be enabled on the role");
  }
  if (role.tokenMaxTtl > 0 && role.tokenTtl > role.tokenMaxTtl) {
    throw new DoubleHttpError(400, "token_ttl should not be greater than token_max_ttl");
  }
  return role;
}

/** GET role/<name>: Vault's field names, legacy `policies`/`period` included. */
export function roleData(role: Role): Record<string, unknown> {
  return {
    bind_secret_id: role.bindSecretId,
    local_secret_ids: false,
    period: role.tokenPeriod,
    policies: role.tokenPolicies,
    secret_id_bound_cidrs: null,
    secret_id_num_uses: role.secretIdNumUses,
    secret_id_ttl: role.secretIdTtl,
    token_bound_cidrs: [],
    token_explicit_max_ttl: role.tokenExplicitMaxTtl,
    token_max_ttl: role.tokenMaxTtl,
    token_no_default_policy: role.tokenNoDefaultPolicy,
    token_num_uses: role.tokenNumUses,
    token_period: role.tokenPeriod,
    token_policies: role.tokenPolicies,
    token_ttl: role.tokenTtl,
    token_type: role.tokenType,
  };
}

function fieldError(name: string, value: unknown): DoubleHttpError {
  return new DoubleHttpError(
    400,
    `Field validation failed: error converting input ${String(value)} for field "${name}"`,
  );
}
