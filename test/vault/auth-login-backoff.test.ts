// A managed token under load and failure: however many calls need a login at once, Vault sees
// one; a failed login or renewal waits out a backoff before the next try, is reported once, and a
// secret_id Vault refused is never sent again — a new one written to the file is picked up.
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AuthSettings } from "../../src/vault/auth.ts";
import { LoginFailed, ManagedToken, type TokenEvent } from "../../src/vault/auth.ts";
import { VaultHttp, type VaultReply, type VaultRequest } from "../../src/vault/http.ts";
import { VaultApi } from "../support/vault-api.ts";
import { startVaultDouble, type VaultDouble } from "../support/vault-double/index.ts";

/** The real HTTP client, counting what it sends by path. */
class CountingHttp extends VaultHttp {
  sent = new Map<string, number>();
  override send(request: VaultRequest, token: string): Promise<VaultReply> {
    this.sent.set(request.path, (this.sent.get(request.path) ?? 0) + 1);
    return super.send(request, token);
  }
  count(path: string): number {
    return this.sent.get(path) ?? 0;
  }
}

const BACKOFF = { initialMs: 1_000, maxMs: 8_000, factor: 2, jitter: 0.5 };

let vault: VaultDouble;
let dir: string;
/** Courier's clock, still unless a test moves it (with the double's). */
let clock = Date.now();
const now = () => clock;
const opened: VaultHttp[] = [];

const api = (method: string, path: string, body?: unknown, token = vault.rootToken) =>
  new VaultApi(vault.address, token).call(method, path, body);
const control = (route: string, body?: unknown) =>
  fetch(`${vault.address}/_double/${route}`, {
    method: body === undefined ? "DELETE" : "POST",
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
const advance = async (ms: number) => {
  clock += ms;
  await control("clock", { advance_ms: ms });
};
const newSecretId = async () =>
  (await api("POST", "auth/approle/role/courier/secret-id", {})).body.data.secret_id as string;
let roleId = "";

/** A managed token on a counting client, with the test's clock and no randomness in its waits. */
function managed(auth: AuthSettings) {
  const http = new CountingHttp(vault.address);
  opened.push(http);
  const events: TokenEvent[] = [];
  const tokens = new ManagedToken(http, auth, {
    now,
    random: () => 0,
    backoff: BACKOFF,
    onEvent: (event) => events.push(event),
  });
  return { http, tokens, events };
}

beforeAll(async () => {
  vault = await startVaultDouble();
  dir = mkdtempSync(join(tmpdir(), "courier-login-"));
  await api("PUT", "sys/policies/acl/reader", { policy: 'path "secret/data/*" { capabilities = ["read"] }' });
  await api("POST", "sys/auth/approle", { type: "approle" });
  // Each secret_id is good for one login: a second login with it would be refused.
  await api("POST", "auth/approle/role/courier", {
    token_ttl: "30s",
    token_policies: ["reader"],
    secret_id_num_uses: 1,
  });
  roleId = (await api("GET", "auth/approle/role/courier/role-id")).body.data.role_id;
});
afterEach(async () => {
  await control("faults");
  for (const http of opened.splice(0)) http.close();
});
afterAll(async () => {
  await vault?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("one login for many callers", () => {
  test("fifty calls that need a token at once share one login", async () => {
    const { http, tokens } = managed({ method: "approle", roleId, secretId: await newSecretId() });
    const got = await Promise.all(Array.from({ length: 50 }, () => tokens.token()));
    expect(new Set(got).size).toBe(1);
    expect(http.count("auth/approle/login")).toBe(1);
  });

  test("fifty 403s for a revoked token at once lead to one new login, and each call gets it", async () => {
    const file = join(dir, "revoked-secret-id");
    writeFileSync(file, await newSecretId());
    const { http, tokens } = managed({ method: "approle", roleId, secretId: "", secretIdFile: file });
    const first = await tokens.token();
    await api("POST", "auth/token/revoke", { token: first });
    writeFileSync(file, await newSecretId());
    const retried = await Promise.all(Array.from({ length: 50 }, () => tokens.afterDenied(first)));
    expect(retried.every(Boolean)).toBe(true);
    expect(await tokens.token()).not.toBe(first);
    expect(http.count("auth/approle/login")).toBe(2);
  });

  test("a 403 with a token replaced since is answered with the new token, without a call", async () => {
    const { http, tokens } = managed({ method: "approle", roleId, secretId: await newSecretId() });
    const current = await tokens.token();
    expect(await tokens.afterDenied("an-older-token")).toBe(true);
    expect(await tokens.token()).toBe(current);
    expect([...http.sent.keys()]).toEqual(["auth/approle/login"]);
  });
});

describe("a refused login", () => {
  test("is reported once, waits out its backoff, is not sent again, and a new secret_id in the file is used", async () => {
    const file = join(dir, "secret-id");
    writeFileSync(file, await newSecretId());
    await api("POST", "auth/approle/login", { role_id: roleId, secret_id: await Bun.file(file).text() }); // used up
    const { http, tokens, events } = managed({ method: "approle", roleId, secretId: "", secretIdFile: file });
    const logins = () => http.count("auth/approle/login");

    const refused = await tokens.token().catch((e) => e);
    expect(refused).toBeInstanceOf(LoginFailed);
    expect(refused.hint).toContain(`write it to ${file}`);
    // Within the backoff: the same failure, no call.
    expect(await tokens.token().catch((e) => e)).toBe(refused);
    expect(logins()).toBe(1);
    // After it: the file still holds the refused secret_id, so it is not sent again.
    await advance(1_000);
    expect(await tokens.token().catch((e) => e)).toBe(refused);
    expect(logins()).toBe(1);

    writeFileSync(file, `${await newSecretId()}\n`);
    expect(await tokens.token().catch((e) => e)).toBe(refused); // the next try is 2 s after the last
    await advance(2_000);
    expect(await tokens.token()).toStartWith("hvs.");
    expect(logins()).toBe(2);
    expect(
      events.map((e) => [e.kind, e.failures, e.kind === "failed" ? [e.retryInMs, e.repeated] : []]),
    ).toEqual([
      ["failed", 1, [1_000, false]],
      ["failed", 2, [2_000, true]],
      ["recovered", 2, []],
    ]);
  });

  test("while the role_id is locked out (403) says so, and tries again after each backoff", async () => {
    const { http, tokens } = managed({ method: "approle", roleId, secretId: await newSecretId() });
    await control("faults", [
      { kind: "status", status: 403, path: "auth/approle/login", errors: ["permission denied"] },
    ]);
    const denied = await tokens.token().catch((e) => e);
    expect(denied.summary).toBe(
      "AppRole login denied: the role_id is locked out after repeated failed logins",
    );
    expect(denied.hint).toContain("sys/locked-users/");
    await advance(999);
    await tokens.token().catch(() => {});
    expect(http.count("auth/approle/login")).toBe(1);
    await control("faults");
    await advance(1);
    expect(await tokens.token()).toStartWith("hvs.");
    expect(http.count("auth/approle/login")).toBe(2);
  });
});

describe("a renewal that fails", () => {
  test("keeps the token in use, tries again only after its backoff, and reports the recovery", async () => {
    const created = await api("POST", "auth/token/create", {
      policies: ["reader"],
      ttl: "60s",
      renewable: true,
    });
    const token = created.body.auth.client_token;
    const { http, tokens, events } = managed({ method: "token", token });
    await tokens.token();
    await control("faults", [
      { kind: "status", status: 500, path: "auth/token/renew-self", errors: ["boom"] },
    ]);
    await advance(41_000);
    expect(await tokens.token()).toBe(token);
    expect(await tokens.token()).toBe(token);
    expect(http.count("auth/token/renew-self")).toBe(1);
    await control("faults");
    await advance(1_000);
    expect(await tokens.token()).toBe(token);
    expect(http.count("auth/token/renew-self")).toBe(2);
    expect(events.map((e) => `${e.kind} ${e.action}`)).toEqual(["failed renewal", "recovered renewal"]);
  });
});
