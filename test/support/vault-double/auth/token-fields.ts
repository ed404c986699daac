// The bodies the token backend answers with, key for key as Vault writes them (Go sorts map keys,
// so lookup data is built in sorted order).
import { markGoTimes, rfc3339NanoLocal } from "../audit/go-time.ts";
import type { TokenEntry } from "../types.ts";
import type { TokenStore } from "./token-store.ts";

/** auth/token/lookup(-self|-accessor) data for a live token. */
export function lookupData(t: TokenEntry, store: TokenStore, now: number): Record<string, unknown> {
  const lease = store.lease(t.id);
  const hasLease = lease?.hasLease ?? false;
  const expires = t.expiresAt !== 0;
  const data: Record<string, unknown> = {
    accessor: t.accessor,
    creation_time: Math.floor(t.issuedAt / 1000),
    creation_ttl: t.ttl,
    display_name: t.displayName,
    entity_id: t.entityId,
    expire_time: expires ? rfc3339NanoLocal(t.expiresAt) : null,
    explicit_max_ttl: t.explicitMaxTtl,
    id: t.id,
  };
  if (hasLease) data.issue_time = rfc3339NanoLocal(t.issuedAt);
  if (lease && lease.lastRenewal > 0) {
    data.last_renewal = rfc3339NanoLocal(lease.lastRenewal);
    data.last_renewal_time = Math.floor(lease.lastRenewal / 1000);
  }
  Object.assign(data, {
    meta: t.meta,
    ...(t.namespace.id !== "root" ? { namespace_path: t.namespace.path } : {}),
    num_uses: t.numUses,
    orphan: t.orphan,
    path: t.path,
    ...(t.period > 0 ? { period: t.period } : {}),
    policies: t.policies,
    ...(hasLease ? { renewable: expires && t.renewable } : {}),
    ttl: expires ? Math.max(0, Math.round((t.expiresAt - now) / 1000)) : 0,
    type: t.type,
  });
  return markGoTimes(data, ["expire_time", "issue_time", "last_renewal"]);
}

/** The `auth` object of a create, login or renew answer (Vault's logical.HTTPAuth). */
export function httpAuth(t: TokenEntry, leaseDuration: number, clientToken = t.id): Record<string, unknown> {
  return {
    client_token: clientToken,
    accessor: t.accessor,
    policies: t.policies,
    token_policies: t.policies,
    metadata: t.meta,
    lease_duration: leaseDuration,
    renewable: t.renewable,
    entity_id: t.entityId,
    token_type: t.type,
    orphan: t.orphan,
    mfa_requirement: null,
    num_uses: t.numUses,
  };
}
