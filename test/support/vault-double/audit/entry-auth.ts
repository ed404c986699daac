// The `auth` blocks of an audit entry: the caller's token (top level) and a token a response hands
// out (response.auth). Only client_token and accessors are HMAC'd; the rest is plain.
import type { LogicalRequest, TokenEntry } from "../types.ts";
import { omitEmpty, sortedKeys } from "./go-json.ts";
import { rfc3339Local } from "./go-time.ts";
import type { Hasher } from "./hmac.ts";

export interface HashPolicy {
  /** log_raw=true writes tokens and data in the clear. */
  raw: boolean;
  /** hmac_accessor=false writes accessors in the clear. */
  hmacAccessor: boolean;
}

/**
 * The top-level `auth` of both entries. A bad token leaves Vault with no auth at all, which it
 * writes as `{"token_type":"default"}`; an unauthenticated path adds the policy_results it granted.
 */
export function callerAuth(req: LogicalRequest, hash: Hasher, policy: HashPolicy): Record<string, unknown> {
  const token = req.token;
  const results = req.policyResults;
  const policyResults = results && {
    allowed: results.allowed,
    ...omitEmpty({
      granting_policies: results.grantingPolicies?.map((p) =>
        omitEmpty({
          name: p.name,
          namespace_id: p.namespaceId,
          namespace_path: p.namespacePath,
          type: "acl",
        }),
      ),
    }),
  };
  if (!token) {
    if (!results) return { token_type: "default" };
    return {
      ...omitEmpty({ client_token: secret(req.clientToken, hash, policy.raw) }),
      policy_results: policyResults,
      token_type: "default",
    };
  }
  const policies = [...token.policies].sort();
  return omitEmpty({
    accessor: accessor(token.accessor, hash, policy),
    client_token: secret(req.clientToken, hash, policy.raw),
    display_name: token.displayName,
    entity_id: token.entityId,
    metadata: token.meta ? sortedKeys(token.meta) : undefined,
    policies,
    policy_results: policyResults,
    remaining_uses: req.clientTokenRemainingUses ?? token.numUses,
    token_policies: policies,
    token_issue_time: rfc3339Local(token.issuedAt),
    token_ttl: token.ttl,
    token_type: token.type,
  });
}

/**
 * response.auth from the HTTP-shaped auth a login or token create answers with
 * (client_token, accessor, policies, token_policies, metadata, lease_duration, entity_id, …).
 */
export function issuedAuth(
  auth: Record<string, unknown>,
  hash: Hasher,
  policy: HashPolicy,
  issued: TokenEntry | undefined,
): Record<string, unknown> {
  const str = (k: string) => (typeof auth[k] === "string" ? (auth[k] as string) : "");
  const list = (k: string) => (Array.isArray(auth[k]) ? (auth[k] as string[]) : undefined);
  return omitEmpty({
    accessor: accessor(str("accessor"), hash, policy),
    client_token: secret(str("client_token"), hash, policy.raw),
    display_name: issued?.displayName,
    entity_id: str("entity_id"),
    metadata: auth.metadata ? sortedKeys(auth.metadata) : undefined,
    num_uses: typeof auth.num_uses === "number" ? auth.num_uses : 0,
    policies: list("policies"),
    token_policies: list("token_policies"),
    token_ttl: typeof auth.lease_duration === "number" ? auth.lease_duration : 0,
    token_type: str("token_type"),
  });
}

function secret(value: string, hash: Hasher, raw: boolean): string {
  if (value === "") return "";
  return raw ? value : hash(value);
}

export function accessor(value: string, hash: Hasher, policy: HashPolicy): string {
  if (value === "") return "";
  return policy.raw || !policy.hmacAccessor ? value : hash(value);
}
