import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { LoginFailed, staticToken } from "../../src/vault/auth.ts";
import { VaultClient } from "../../src/vault/client.ts";
import { VaultCallError } from "../../src/vault/errors.ts";
import { VaultApi } from "../support/vault-api.ts";
import { startVaultDouble, type VaultDouble } from "../support/vault-double/index.ts";

let vault: VaultDouble;
/** Courier's clock and the double's, moved together. */
let offset = 0;
const now = () => Date.now() + offset;

const api = (method: string, path: string, body?: unknown, token = vault.rootToken) =>
  new VaultApi(vault.address, token).call(method, path, body);
const control = (route: string, body?: unknown) =>
  fetch(`${vault.address}/_double/${route}`, {
    method: body === undefined ? "DELETE" : "POST",
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
const advance = async (ms: number) => {
  offset += ms;
  await control("clock", { advance_ms: ms });
};
const ttlOf = async (token: string) =>
  (await api("GET", "auth/token/lookup-self", undefined, token)).body?.data?.ttl;
const client = (auth: ConstructorParameters<typeof VaultClient>[0]["auth"]) =>
  new VaultClient({ address: vault.address, auth }, { now });

let role = { roleId: "", secretId: "" };

beforeAll(async () => {
  vault = await startVaultDouble();
  await api("PUT", "sys/policies/acl/reader", { policy: 'path "secret/data/*" { capabilities = ["read"] }' });
  await api("POST", "secret/data/app", { data: { pw: "x" } });
  await api("POST", "sys/auth/approle", { type: "approle" });
  await api("POST", "auth/approle/role/courier", { token_ttl: "30s", token_policies: ["reader"] });
  role = {
    roleId: (await api("GET", "auth/approle/role/courier/role-id")).body.data.role_id,
    secretId: (await api("POST", "auth/approle/role/courier/secret-id", {})).body.data.secret_id,
  };
});
afterEach(() => control("faults"));
afterAll(() => vault?.stop());

describe("a token given as is", () => {
  test("is renewed once two thirds of its TTL have passed", async () => {
    const created = await api("POST", "auth/token/create", {
      policies: ["reader"],
      ttl: "60s",
      renewable: true,
    });
    const token = created.body.auth.client_token;
    const courier = client({ method: "token", token });
    expect(await courier.tokens.token()).toBe(token);
    await advance(30_000);
    await courier.tokens.token();
    expect(await ttlOf(token)).toBeLessThanOrEqual(30); // not yet due: no renewal
    await advance(12_000);
    expect(await courier.tokens.token()).toBe(token);
    expect(await ttlOf(token)).toBeGreaterThanOrEqual(59); // renewed; else 18 would be left
    courier.close();
  });

  test("that cannot be renewed is used until Vault refuses it, with no renewal tried", async () => {
    const created = await api("POST", "auth/token/create", {
      policies: ["reader"],
      ttl: "60s",
      renewable: false,
    });
    const token = created.body.auth.client_token;
    const courier = client({ method: "token", token });
    await courier.tokens.token();
    await advance(45_000);
    expect(await courier.tokens.token()).toBe(token);
    expect(await ttlOf(token)).toBeLessThanOrEqual(15);
    expect((await courier.kv2.readData({ namespace: "", mount: "secret/", path: "app" })).state).toBe("live");
    courier.close();
  });

  test("that Vault has revoked fails with a permission error and is not retried", async () => {
    const created = await api("POST", "auth/token/create", { policies: ["reader"] });
    const courier = new VaultClient(
      { address: vault.address, auth: { method: "token", token: "unused" } },
      { tokens: staticToken(created.body.auth.client_token) },
    );
    await api("POST", "auth/token/revoke", { token: created.body.auth.client_token });
    const error = await courier.kv2
      .readData({ namespace: "", mount: "secret/", path: "app" })
      .catch((e) => e);
    expect(error).toBeInstanceOf(VaultCallError);
    expect(error.reason).toBe("permission-denied");
    courier.close();
  });
});

describe("AppRole", () => {
  const approle = () => client({ method: "approle", ...role });

  test("logs in on first use and reads with the role's policies", async () => {
    const courier = approle();
    const token = await courier.tokens.token();
    expect((await api("GET", "auth/token/lookup-self", undefined, token)).body.data.meta).toEqual({
      role_name: "courier",
    });
    expect(await courier.kv2.readData({ namespace: "", mount: "secret/", path: "app" })).toMatchObject({
      state: "live",
      version: 1,
      data: { pw: "x" },
    });
    courier.close();
  });

  test("renews its token before it expires", async () => {
    const courier = approle();
    const token = await courier.tokens.token();
    await advance(21_000);
    expect(await courier.tokens.token()).toBe(token);
    expect(await ttlOf(token)).toBeGreaterThanOrEqual(29); // renewed; else 9 would be left
    courier.close();
  });

  test("logs in again when renewal is refused", async () => {
    const courier = approle();
    const first = await courier.tokens.token();
    await control("faults", [
      { kind: "status", status: 403, path: "auth/token/renew-self", errors: ["permission denied"] },
    ]);
    await advance(21_000);
    const second = await courier.tokens.token();
    expect(second).not.toBe(first);
    expect(await ttlOf(second)).toBeGreaterThanOrEqual(29);
    courier.close();
  });

  test("logs in again and repeats the call when Vault stops accepting its token", async () => {
    const courier = approle();
    const first = await courier.tokens.token();
    await api("POST", "auth/token/revoke", { token: first });
    expect((await courier.kv2.readData({ namespace: "", mount: "secret/", path: "app" })).state).toBe("live");
    expect(await courier.tokens.token()).not.toBe(first);
    courier.close();
  });

  test("keeps its token when a 403 is only a path its policies do not grant", async () => {
    const courier = approle();
    const first = await courier.tokens.token();
    const error = await courier.kv1
      .read({ namespace: "", mount: "secret/", path: "metadata/app" })
      .catch((e) => e);
    expect(error).toBeInstanceOf(VaultCallError);
    expect(error.reason).toBe("permission-denied");
    expect(await courier.tokens.token()).toBe(first);
    courier.close();
  });

  test("with a wrong secret_id fails with Vault's message and what to do, naming the login path", async () => {
    const courier = client({ method: "approle", roleId: role.roleId, secretId: "not-the-secret" });
    const error = await courier.tokens.token().catch((e) => e);
    expect(error).toBeInstanceOf(LoginFailed);
    expect(error.code).toBe("VAULT_LOGIN_FAILED");
    expect(error.detail).toBe(
      `${vault.address}: POST auth/approle/login answered 400 invalid role or secret ID`,
    );
    expect(error.hint).toStartWith("issue a new secret_id (POST auth/approle/role/<role>/secret-id)");
    expect(error.message).not.toContain("not-the-secret");
    courier.close();
  });
});
