// The three auth calls a token source needs. Each takes its token explicitly: they run before a
// token source has a token, or to replace the one it has.

import type { TokenInfo, TokenLease } from "./types.ts";
import type { VaultHttp, VaultRequest } from "./vault-http.ts";

/** GET auth/token/lookup-self → what the token is allowed and how long it lives. */
export async function lookupSelf(http: VaultHttp, token: string, namespace = ""): Promise<TokenInfo> {
  const request: VaultRequest = { method: "GET", path: "auth/token/lookup-self", namespace };
  const reply = await http.send(request, token);
  if (reply.status !== 200) throw http.failure(request, reply);
  const data = (reply.body as { data?: Record<string, unknown> } | undefined)?.data;
  if (!data) throw http.malformed(request, reply, "lookup-self answered without data");
  return {
    ttl: Number(data.ttl ?? 0),
    renewable: data.renewable === true,
    policies: Array.isArray(data.policies) ? data.policies.map(String) : [],
  };
}

/** POST auth/token/renew-self → the same token with a fresh lease. */
export async function renewSelf(http: VaultHttp, token: string, namespace = ""): Promise<TokenLease> {
  const request: VaultRequest = {
    method: "POST",
    path: "auth/token/renew-self",
    namespace,
    body: {},
    capabilities: ["update"],
  };
  const reply = await http.send(request, token);
  if (reply.status !== 200) throw http.failure(request, reply);
  return leaseOf(http, request, reply.body, token);
}

/** POST auth/<mount>/login with role_id and secret_id → a new token. */
export async function appRoleLogin(
  http: VaultHttp,
  credentials: { roleId: string; secretId: string; mount?: string; namespace?: string },
): Promise<TokenLease> {
  const request: VaultRequest = {
    method: "POST",
    path: `auth/${(credentials.mount ?? "approle").replace(/^\/+|\/+$/g, "")}/login`,
    namespace: credentials.namespace ?? "",
    body: { role_id: credentials.roleId, secret_id: credentials.secretId },
  };
  const reply = await http.send(request, "");
  if (reply.status !== 200) throw http.failure(request, reply);
  return leaseOf(http, request, reply.body, undefined);
}

function leaseOf(http: VaultHttp, request: VaultRequest, body: unknown, fallbackToken: string | undefined) {
  const auth = (body as { auth?: Record<string, unknown> } | undefined)?.auth;
  const token = typeof auth?.client_token === "string" ? auth.client_token : fallbackToken;
  if (!auth || !token) throw http.malformed(request, { status: 200, body: undefined }, "answer has no auth");
  return {
    token,
    leaseDuration: Number(auth.lease_duration ?? 0),
    renewable: auth.renewable === true,
  };
}
