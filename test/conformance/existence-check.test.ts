// Which capability a write needs follows Vault's existence check: "create" for a path that does
// not exist yet, "update" for one that does, and always "update" where a path has no check.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { REAL_SERVER, startTarget, type Target } from "./target.ts";

let t: Target;
let v1: string;
let v2: string;
beforeAll(async () => {
  t = await startTarget();
  v1 = await t.mount("kv", { options: { version: "1" } });
  v2 = await t.mount("kv-v2");
});
afterAll(() => t.stop());

/** A token whose only policy grants `capabilities` on `path`. */
async function tokenFor(path: string, capabilities: string[]): Promise<string> {
  const policy = t.unique("pol");
  const hcl = `path "${path}" {\n  capabilities = ${JSON.stringify(capabilities)}\n}\n`;
  await t.req("PUT", `sys/policies/acl/${policy}`, { body: { policy: hcl } });
  t.cleanup(() => t.req("DELETE", `sys/policies/acl/${policy}`));
  const resp = await t.req("POST", "auth/token/create", { body: { policies: [policy], ttl: "10m" } });
  if (resp.status !== 200) throw new Error(`token create: ${resp.status} ${resp.text}`);
  return resp.json.auth.client_token as string;
}

describe("the capability a write needs", () => {
  test("KV v1: create may write a new key but not overwrite it", async () => {
    const token = await tokenFor(`${v1}/c/*`, ["create"]);
    expect((await t.req("PUT", `${v1}/c/new`, { token, body: { v: "1" } })).status).toBe(204);
    const again = await t.req("PUT", `${v1}/c/new`, { token, body: { v: "2" } });
    expect(again.status).toBe(403);
    // A valid token the ACL refuses: Vault's core hands back the error wrapped in a multierror.
    expect(again.json).toEqual({ errors: ["1 error occurred:\n\t* permission denied\n\n"] });
  });

  test("KV v1: update may overwrite an existing key but not create one", async () => {
    await t.req("PUT", `${v1}/u/existing`, { body: { v: "1" } });
    const token = await tokenFor(`${v1}/u/*`, ["update"]);
    expect((await t.req("PUT", `${v1}/u/existing`, { token, body: { v: "2" } })).status).toBe(204);
    expect((await t.req("PUT", `${v1}/u/fresh`, { token, body: { v: "1" } })).status).toBe(403);
  });

  test("KV v2 data/: create for a new key, update once it has metadata", async () => {
    const token = await tokenFor(`${v2}/data/*`, ["create"]);
    expect((await t.req("POST", `${v2}/data/k`, { token, body: { data: { v: "1" } } })).status).toBe(200);
    expect((await t.req("POST", `${v2}/data/k`, { token, body: { data: { v: "2" } } })).status).toBe(403);
  });

  test("KV v2 delete/, undelete/ and destroy/ have no existence check: update is enough, create is not", async () => {
    await t.req("POST", `${v2}/data/d`, { body: { data: { v: "1" } } });
    const updater = await tokenFor(`${v2}/delete/*`, ["update"]);
    expect((await t.req("POST", `${v2}/delete/d`, { token: updater, body: { versions: [1] } })).status).toBe(
      204,
    );
    const creator = await tokenFor(`${v2}/undelete/*`, ["create"]);
    expect(
      (await t.req("POST", `${v2}/undelete/d`, { token: creator, body: { versions: [1] } })).status,
    ).toBe(403);
  });

  test("PATCH needs the patch capability, not update", async () => {
    await t.req("POST", `${v2}/data/p`, { body: { data: { v: "1" } } });
    const updater = await tokenFor(`${v2}/data/p`, ["read", "update"]);
    const headers = { "Content-Type": "application/merge-patch+json" };
    expect(
      (await t.req("PATCH", `${v2}/data/p`, { token: updater, body: { data: { v: "2" } }, headers })).status,
    ).toBe(403);
    const patcher = await tokenFor(`${v2}/data/p`, ["patch"]);
    expect(
      (await t.req("PATCH", `${v2}/data/p`, { token: patcher, body: { data: { v: "2" } }, headers })).status,
    ).toBe(200);
  });

  test("LIST needs list on the folder path with its trailing slash", async () => {
    await t.req("PUT", `${v1}/l/a`, { body: { v: "1" } });
    const token = await tokenFor(`${v1}/l/`, ["list"]);
    expect((await t.req("LIST", `${v1}/l`, { token })).status).toBe(200);
    expect((await t.req("GET", `${v1}/l/a`, { token })).status).toBe(403);
  });
});

describe.skipIf(REAL_SERVER)("doubles in one process", () => {
  test("are independent: a key written to one is not in the other, and tokens do not cross", async () => {
    const other = await startTarget();
    try {
      const key = t.unique("solo");
      await t.req("POST", `secret/data/${key}`, { body: { data: { v: "1" } } });
      expect((await other.req("GET", `secret/data/${key}`)).status).toBe(404);
      const created = await t.req("POST", "auth/token/create", { body: { policies: ["default"] } });
      const token = created.json.auth.client_token as string;
      expect((await other.req("GET", "auth/token/lookup-self", { token })).status).toBe(403);
    } finally {
      await other.stop();
    }
  });
});
