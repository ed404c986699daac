// The main thread's token, relayed to workers: here the workers' side (RelayedToken) talks to the
// main thread's side (relayTokens) directly, as the pool's messages would carry it, over a managed
// AppRole token against the Vault double. Four "workers" with many syncs each make one login.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SyncError } from "../../src/sync/state.ts";
import { ManagedToken } from "../../src/vault/auth.ts";
import { VaultHttp, type VaultReply, type VaultRequest } from "../../src/vault/http.ts";
import { RelayedToken, relayTokens, type TokenUpdate } from "../../src/workers/token-relay.ts";
import { startVaultDouble, type VaultDouble } from "../support/vault-double/index.ts";

class CountingHttp extends VaultHttp {
  logins = 0;
  override send(request: VaultRequest, token: string): Promise<VaultReply> {
    if (request.path === "auth/approle/login") this.logins++;
    return super.send(request, token);
  }
}

let vault: VaultDouble;
let roleId = "";
const api = async (method: string, path: string, body?: unknown) => {
  const response = await fetch(`${vault.address}/v1/${path}`, {
    method,
    headers: { "X-Vault-Token": vault.rootToken },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
};
const newSecretId = async () =>
  (await api("POST", "auth/approle/role/courier/secret-id", {})).body.data.secret_id as string;

/** The main thread with one Vault (number 0), and `count` workers wired to it. */
async function mainAndWorkers(count: number, secretId: string) {
  const http = new CountingHttp(vault.address);
  const source = new ManagedToken(http, { method: "approle", roleId, secretId });
  let asked = 0;
  const workers: RelayedToken[] = [];
  const relay = relayTokens([source], (update: TokenUpdate) => {
    for (const worker of workers) worker.update(update.token);
  });
  for (let i = 0; i < count; i++) {
    workers.push(
      new RelayedToken(0, (question) => {
        asked++;
        return relay.answer(question);
      }),
    );
  }
  return { http, source, workers, asked: () => asked, relay };
}

beforeAll(async () => {
  vault = await startVaultDouble();
  await api("POST", "sys/auth/approle", { type: "approle" });
  await api("POST", "auth/approle/role/courier", { secret_id_num_uses: 2, token_ttl: "5m" });
  roleId = (await api("GET", "auth/approle/role/courier/role-id")).body.data.role_id;
});
afterAll(() => vault?.stop());

describe("a token relayed to workers", () => {
  test("four workers with 32 syncs each make one login, each worker asking once", async () => {
    const { http, workers, asked } = await mainAndWorkers(4, await newSecretId());
    const tokens = await Promise.all(workers.flatMap((w) => Array.from({ length: 32 }, () => w.token())));
    expect(new Set(tokens).size).toBe(1);
    expect({ logins: http.logins, asked: asked() }).toEqual({ logins: 1, asked: 4 });
    http.close();
  });

  test("a token the main thread replaced reaches every worker unasked, and a 403 with the old one retries at once", async () => {
    const { http, source, workers, asked } = await mainAndWorkers(4, await newSecretId());
    const first = await workers[0]!.token();
    await api("POST", "auth/token/revoke", { token: first });
    expect(await source.afterDenied(first)).toBe(true); // a main-thread call met the 403 first
    const askedBefore = asked();
    expect(await Promise.all(workers.map((w) => w.afterDenied(first)))).toEqual([true, true, true, true]);
    expect(asked()).toBe(askedBefore);
    expect(new Set(await Promise.all(workers.map((w) => w.token())))).toEqual(
      new Set([await source.token()]),
    );
    expect(http.logins).toBe(2);
    http.close();
  });

  test("403s for an expired token in every worker at once lead to one login", async () => {
    const { http, workers } = await mainAndWorkers(4, await newSecretId());
    const first = await workers[0]!.token();
    await Promise.all(workers.map((w) => w.token()));
    await api("POST", "auth/token/revoke", { token: first });
    const retried = await Promise.all(
      workers.flatMap((w) => Array.from({ length: 32 }, () => w.afterDenied(first))),
    );
    expect(retried.every(Boolean)).toBe(true);
    expect(http.logins).toBe(2);
    http.close();
  });

  test("when the main thread cannot log in, a worker's call fails as a retry with the login's message", async () => {
    const { http, workers } = await mainAndWorkers(2, "not-a-secret-id");
    const error = await workers[0]!.token().catch((e) => e);
    expect(error).toBeInstanceOf(SyncError);
    expect(error.code).toBe("VAULT_LOGIN_FAILED");
    expect(error.transient).toBe(true);
    expect(error.message).toContain("issue a new secret_id");
    // The second worker gets the same failure without another login (the main thread backs off).
    expect((await workers[1]!.token().catch((e) => e)).message).toBe(error.message);
    expect(http.logins).toBe(1);
    http.close();
  });
});
