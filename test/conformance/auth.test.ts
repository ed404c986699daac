// Tokens, policies and AppRole as Vault answers them: creation, lookup, renewal, revocation, ACL
// enforcement and capabilities. Holds for real Vault; clock-moving tests run on the double only.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { serviceTokenPattern } from "./flavors.ts";
import { startTarget, type Target } from "./target.ts";

const onDoubleOnly = Boolean(process.env.VAULT_CONFORMANCE_ADDR && process.env.VAULT_CONFORMANCE_TOKEN);

let t: Target;
beforeAll(async () => {
  t = await startTarget();
});
afterAll(() => t.stop());

const LOOKUP_KEYS = [
  "accessor",
  "creation_time",
  "creation_ttl",
  "display_name",
  "entity_id",
  "expire_time",
  "explicit_max_ttl",
  "id",
  "issue_time",
  "meta",
  "num_uses",
  "orphan",
  "path",
  "policies",
  "renewable",
  "ttl",
  "type",
];

const AUTH_KEYS = [
  "accessor",
  "client_token",
  "entity_id",
  "lease_duration",
  "metadata",
  "mfa_requirement",
  "num_uses",
  "orphan",
  "policies",
  "renewable",
  "token_policies",
  "token_type",
];

/** Writes an ACL policy under a fresh name (removed at the end) and returns the name. */
async function policy(text: string): Promise<string> {
  const name = t.unique("pol");
  const resp = await t.req("PUT", `sys/policies/acl/${name}`, { body: { policy: text } });
  if (resp.status !== 204) throw new Error(`policy ${name}: ${resp.status} ${resp.text}`);
  t.cleanup(() => t.req("DELETE", `sys/policies/acl/${name}`));
  return name;
}

async function token(
  body: Record<string, unknown>,
): Promise<{ client_token: string; accessor: string; [k: string]: unknown }> {
  const resp = await t.req("POST", "auth/token/create", { body });
  if (resp.status !== 200) throw new Error(`token create: ${resp.status} ${resp.text}`);
  return resp.json.auth;
}

describe("token creation and lookup", () => {
  test("auth/token/create answers 200 with an auth block and no data; policies get default", async () => {
    const name = await policy('path "secret/*" { capabilities = ["read"] }');
    const resp = await t.req("POST", "auth/token/create", {
      body: { policies: [name], ttl: "1h", meta: { team: "a" } },
    });
    expect(resp.status).toBe(200);
    expect(resp.json.data).toBeNull();
    expect(Object.keys(resp.json.auth).sort()).toEqual(AUTH_KEYS);
    expect(resp.json.auth).toMatchObject({
      policies: ["default", name].sort(),
      token_policies: ["default", name].sort(),
      metadata: { team: "a" },
      lease_duration: 3600,
      renewable: true,
      token_type: "service",
      orphan: false,
      num_uses: 0,
    });
    expect(resp.json.auth.client_token).toMatch(serviceTokenPattern(t.flavor));
  });

  test("lookup-self answers Vault's fields for the calling token", async () => {
    const created = await token({ ttl: "1h", display_name: "ci", policies: ["default"] });
    const resp = await t.req("GET", "auth/token/lookup-self", { token: created.client_token });
    expect(resp.status).toBe(200);
    expect(Object.keys(resp.json.data).sort()).toEqual(LOOKUP_KEYS);
    const data = resp.json.data;
    expect(data).toMatchObject({
      id: created.client_token,
      accessor: created.accessor,
      creation_ttl: 3600,
      display_name: "token-ci",
      orphan: false,
      path: "auth/token/create",
      policies: ["default"],
      renewable: true,
      type: "service",
      num_uses: 0,
      explicit_max_ttl: 0,
      meta: null,
    });
    expect(data.ttl).toBeGreaterThan(3590);
    expect(data.ttl).toBeLessThanOrEqual(3600);
    expect(Date.parse(data.expire_time) - Date.parse(data.issue_time)).toBeCloseTo(3_600_000, -3);
  });

  test("the root token never expires: ttl 0, expire_time null, policies [root]", async () => {
    const data = (await t.req("GET", "auth/token/lookup-self")).json.data;
    expect(data.policies).toEqual(["root"]);
    expect(data.ttl).toBe(0);
    expect(data.expire_time).toBeNull();
    expect(data.creation_ttl).toBe(0);
  });

  test("lookup-accessor answers the same fields with the id blanked", async () => {
    const created = await token({ ttl: "1h" });
    const resp = await t.req("POST", "auth/token/lookup-accessor", { body: { accessor: created.accessor } });
    expect(resp.status).toBe(200);
    expect(resp.json.data.id).toBe("");
    expect(resp.json.data.accessor).toBe(created.accessor);
  });

  test("lookup of an unknown token answers 403 bad token; an unknown accessor 400", async () => {
    const bad = await t.req("POST", "auth/token/lookup", { body: { token: "hvs.nope" } });
    expect(bad.status).toBe(403);
    expect(bad.json).toEqual({ errors: ["bad token"] });
    expect((await t.req("POST", "auth/token/lookup-accessor", { body: { accessor: "nope" } })).status).toBe(
      400,
    );
  });

  test("create-orphan makes a token with no parent", async () => {
    const resp = await t.req("POST", "auth/token/create-orphan", { body: { ttl: "1h" } });
    expect(resp.json.auth.orphan).toBe(true);
  });

  test("a token may only give its children a subset of its own policies", async () => {
    const a = await policy('path "auth/token/create" { capabilities = ["update"] }');
    const parent = await token({ policies: [a], ttl: "1h" });
    const ok = await t.req("POST", "auth/token/create", {
      token: parent.client_token,
      body: { policies: [a] },
    });
    expect(ok.status).toBe(200);
    const escalate = await t.req("POST", "auth/token/create", {
      token: parent.client_token,
      body: { policies: ["root"] },
    });
    expect(escalate.status).toBe(400);
  });
});

describe("renewal and revocation", () => {
  test("renew-self answers an auth block with the new lease_duration; an increment asks for less", async () => {
    const created = await token({ ttl: "1h" });
    const renewed = await t.req("POST", "auth/token/renew-self", { token: created.client_token, body: {} });
    expect(renewed.status).toBe(200);
    expect(renewed.json.auth.client_token).toBe(created.client_token);
    expect(renewed.json.auth.lease_duration).toBe(3600);
    const shorter = await t.req("POST", "auth/token/renew-self", {
      token: created.client_token,
      body: { increment: "10m" },
    });
    expect(shorter.json.auth.lease_duration).toBe(600);
  });

  test("a token created non-renewable cannot be renewed: 400", async () => {
    const created = await token({ ttl: "1h", renewable: false });
    const resp = await t.req("POST", "auth/token/renew-self", { token: created.client_token, body: {} });
    expect(resp.status).toBe(400);
    expect(resp.json.errors).toEqual(["lease is not renewable"]);
  });

  test("revoke-self answers 204 and the token is refused from then on", async () => {
    const created = await token({ ttl: "1h" });
    expect((await t.req("POST", "auth/token/revoke-self", { token: created.client_token })).status).toBe(204);
    expect((await t.req("GET", "auth/token/lookup-self", { token: created.client_token })).status).toBe(403);
  });

  test("revoking a parent revokes its children", async () => {
    const parent = await token({ ttl: "1h" });
    const child = (
      await t.req("POST", "auth/token/create", { token: parent.client_token, body: { ttl: "1h" } })
    ).json.auth;
    expect((await t.req("POST", "auth/token/revoke", { body: { token: parent.client_token } })).status).toBe(
      204,
    );
    expect((await t.req("GET", "auth/token/lookup-self", { token: child.client_token })).status).toBe(403);
  });

  test.skipIf(onDoubleOnly)(
    "a token stops working once its TTL has passed (clock moved on the double)",
    async () => {
      const created = await token({ ttl: "60s" });
      expect((await t.req("GET", "auth/token/lookup-self", { token: created.client_token })).status).toBe(
        200,
      );
      t.double?.ctx.advanceClock(61_000);
      expect((await t.req("GET", "auth/token/lookup-self", { token: created.client_token })).status).toBe(
        403,
      );
    },
  );
});

describe("ACL enforcement", () => {
  test("a token reads where its policy allows and is refused 403 elsewhere", async () => {
    const kv = await t.mount("kv", { options: { version: "2" } });
    await t.req("POST", `${kv}/data/app/db`, { body: { data: { p: "1" } } });
    const name = await policy(`path "${kv}/data/app/*" { capabilities = ["read"] }`);
    const reader = await token({ policies: [name], ttl: "1h" });
    expect((await t.req("GET", `${kv}/data/app/db`, { token: reader.client_token })).status).toBe(200);
    const write = await t.req("POST", `${kv}/data/app/db`, {
      token: reader.client_token,
      body: { data: { p: "2" } },
    });
    expect(write.status).toBe(403);
    expect(write.json.errors).toHaveLength(1);
    expect(write.json.errors[0]).toContain("permission denied");
    expect((await t.req("GET", "sys/mounts", { token: reader.client_token })).status).toBe(403);
  });

  test("+ matches one path segment, an exact path beats a glob, and deny beats both", async () => {
    const kv = await t.mount("kv");
    for (const key of ["team/a/cfg", "team/b/cfg", "team/a/x/cfg", "team/locked/cfg"]) {
      await t.req("PUT", `${kv}/${key}`, { body: { v: "1" } });
    }
    const name = await policy(
      `path "${kv}/team/+/cfg" { capabilities = ["read"] }\npath "${kv}/team/b/cfg" { capabilities = ["list"] }\n` +
        `path "${kv}/team/locked/*" { capabilities = ["deny"] }\npath "${kv}/team/locked/cfg" { capabilities = ["read"] }`,
    );
    const holder = await token({ policies: [name], ttl: "1h" });
    const status = async (key: string) =>
      (await t.req("GET", `${kv}/${key}`, { token: holder.client_token })).status;
    expect(await status("team/a/cfg")).toBe(200);
    expect(await status("team/a/x/cfg")).toBe(403);
    expect(await status("team/b/cfg")).toBe(403);
    expect(await status("team/locked/cfg")).toBe(200);
  });

  test("sys/capabilities-self answers each path's capabilities, sorted; deny where none", async () => {
    const name = await policy('path "secret/data/*" { capabilities = ["update", "read", "create"] }');
    const holder = await token({ policies: [name], ttl: "1h" });
    const resp = await t.req("POST", "sys/capabilities-self", {
      token: holder.client_token,
      body: { paths: ["secret/data/x", "sys/mounts"] },
    });
    expect(resp.status).toBe(200);
    expect(resp.json.data).toEqual({ "secret/data/x": ["create", "read", "update"], "sys/mounts": ["deny"] });
    const root = await t.req("POST", "sys/capabilities-self", { body: { paths: ["anything"] } });
    expect(root.json.data.anything).toEqual(["root"]);
  });

  test('a policy in the old policy = "write" form grants the data capabilities', async () => {
    const kv = await t.mount("kv");
    const name = await policy(`path "${kv}/*" { policy = "write" }`);
    const holder = await token({ policies: [name], ttl: "1h" });
    expect((await t.req("PUT", `${kv}/w`, { token: holder.client_token, body: { v: "1" } })).status).toBe(
      204,
    );
    expect((await t.req("GET", `${kv}/w`, { token: holder.client_token })).status).toBe(200);
  });

  test("policy text that does not parse is refused with 400 failed to parse policy", async () => {
    const resp = await t.req("PUT", `sys/policies/acl/${t.unique("bad")}`, {
      body: { policy: 'path "a" { capabilities = ["fly"] }' },
    });
    expect(resp.status).toBe(400);
    expect(resp.json.errors[0]).toStartWith("failed to parse policy");
  });
});

describe("AppRole", () => {
  let mount: string;
  beforeAll(async () => {
    mount = t.unique("approle");
    const resp = await t.req("POST", `sys/auth/${mount}`, { body: { type: "approle" } });
    if (resp.status !== 204) throw new Error(`enable approle: ${resp.status} ${resp.text}`);
    t.cleanup(() => t.req("DELETE", `sys/auth/${mount}`));
  });

  test("a role's role_id and a fresh secret_id log in to a token with the role's policies", async () => {
    const name = await policy('path "secret/*" { capabilities = ["read"] }');
    expect(
      (await t.req("POST", `auth/${mount}/role/app`, { body: { token_policies: [name], token_ttl: "20m" } }))
        .status,
    ).toBe(204);
    const roleId = (await t.req("GET", `auth/${mount}/role/app/role-id`)).json.data.role_id;
    const secret = (await t.req("POST", `auth/${mount}/role/app/secret-id`, { body: {} })).json.data;
    expect(Object.keys(secret)).toEqual(expect.arrayContaining(["secret_id", "secret_id_accessor"]));
    const login = await t.req("POST", `auth/${mount}/login`, {
      token: null,
      body: { role_id: roleId, secret_id: secret.secret_id },
    });
    expect(login.status).toBe(200);
    expect(login.json.auth).toMatchObject({
      policies: ["default", name].sort(),
      token_policies: ["default", name].sort(),
      metadata: { role_name: "app" },
      lease_duration: 1200,
      renewable: true,
    });
    const self = await t.req("GET", "auth/token/lookup-self", { token: login.json.auth.client_token });
    expect(self.json.data.path).toBe(`auth/${mount}/login`);
  });

  test("a wrong secret_id is refused with 400 invalid role or secret ID", async () => {
    await t.req("POST", `auth/${mount}/role/other`, { body: { token_policies: ["default"] } });
    const roleId = (await t.req("GET", `auth/${mount}/role/other/role-id`)).json.data.role_id;
    const resp = await t.req("POST", `auth/${mount}/login`, {
      token: null,
      body: { role_id: roleId, secret_id: "wrong" },
    });
    expect(resp.status).toBe(400);
    expect(resp.json.errors).toEqual(["invalid role or secret ID"]);
  });

  test("reading a role answers its settings", async () => {
    await t.req("POST", `auth/${mount}/role/read-me`, {
      body: { token_policies: ["a", "b"], secret_id_ttl: "10m", token_ttl: 300 },
    });
    const data = (await t.req("GET", `auth/${mount}/role/read-me`)).json.data;
    expect(data).toMatchObject({
      token_policies: ["a", "b"],
      secret_id_ttl: 600,
      token_ttl: 300,
      bind_secret_id: true,
    });
  });
});
