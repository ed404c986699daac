// How long a token lives: its use count, its times as lookup prints them, and the max TTL a
// renewal cannot pass. Clock-moving tests run on the double only.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { REAL_SERVER, startTarget, type Target } from "./target.ts";

let t: Target;
beforeAll(async () => {
  t = await startTarget();
});
afterAll(() => t.stop());

/** Go's time.Time in JSON: RFC 3339 with optional fraction, in the server's zone. */
const GO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)$/;

/** Moves the double's clock through its control API. */
async function advance(seconds: number): Promise<void> {
  const resp = await fetch(`${t.double!.controlAddress}/_double/clock`, {
    method: "POST",
    body: JSON.stringify({ advance_ms: seconds * 1000 }),
  });
  if (resp.status !== 200) throw new Error(`moving the clock: ${resp.status}`);
}

async function create(body: Record<string, unknown>): Promise<string> {
  const resp = await t.req("POST", "auth/token/create", { body });
  if (resp.status !== 200) throw new Error(`token create: ${resp.status} ${resp.text}`);
  return resp.json.auth.client_token;
}

describe("use counts", () => {
  test("a token with num_uses 2 serves two requests, then is refused 403 permission denied", async () => {
    const token = await create({ ttl: "10m", num_uses: 2 });
    const first = await t.req("GET", "auth/token/lookup-self", { token });
    expect(first.status).toBe(200);
    expect(first.json.data.num_uses).toBe(1);
    // On its last use the token is only pending revocation: its own lookup still finds it, with
    // Vault's marker for that state as the count.
    const last = await t.req("GET", "auth/token/lookup-self", { token });
    expect(last.status).toBe(200);
    expect(last.json.data.num_uses).toBe(-1);
    const after = await t.req("GET", "auth/token/lookup-self", { token });
    expect(after.status).toBe(403);
    expect(after.json).toEqual({ errors: ["permission denied"] });
  });

  test("the last use may read a secret; the token is gone once that request is done", async () => {
    const kv = await t.mount("kv");
    await t.req("PUT", `${kv}/once`, { body: { v: "1" } });
    const token = await create({ ttl: "10m", num_uses: 1 });
    const read = await t.req("GET", `${kv}/once`, { token });
    expect(read.status).toBe(200);
    expect(read.json.data).toEqual({ v: "1" });
    expect((await t.req("GET", `${kv}/once`, { token })).status).toBe(403);
  });
});

describe("times as lookup prints them", () => {
  test("expire_time, issue_time and last_renewal are RFC 3339 strings, like Go's time.Time", async () => {
    const token = await create({ ttl: "1h" });
    expect((await t.req("POST", "auth/token/renew-self", { token, body: {} })).status).toBe(200);
    const data = (await t.req("GET", "auth/token/lookup-self", { token })).json.data;
    for (const key of ["expire_time", "issue_time", "last_renewal"]) {
      expect({ key, value: data[key] }).toEqual({ key, value: expect.stringMatching(GO_TIME) });
    }
    expect(Date.parse(data.expire_time) - Date.parse(data.last_renewal)).toBeCloseTo(3_600_000, -3);
    expect(data.last_renewal_time).toBe(Math.floor(Date.parse(data.last_renewal) / 1000));
  });

  test("a token that never expires has expire_time null", async () => {
    expect((await t.req("GET", "auth/token/lookup-self")).json.data.expire_time).toBeNull();
  });
});

describe.skipIf(REAL_SERVER)("max TTL on renewal (clock moved on the double)", () => {
  test("an AppRole token renewed near token_max_ttl gets only what is left, with a warning, then expires", async () => {
    const mount = t.unique("approle");
    await t.req("POST", `sys/auth/${mount}`, { body: { type: "approle" } });
    t.cleanup(() => t.req("DELETE", `sys/auth/${mount}`));
    await t.req("POST", `auth/${mount}/role/capped`, {
      body: { token_policies: ["default"], token_ttl: "30s", token_max_ttl: "50s" },
    });
    const roleId = (await t.req("GET", `auth/${mount}/role/capped/role-id`)).json.data.role_id;
    const secretId = (await t.req("POST", `auth/${mount}/role/capped/secret-id`, { body: {} })).json.data
      .secret_id;
    const login = await t.req("POST", `auth/${mount}/login`, {
      token: null,
      body: { role_id: roleId, secret_id: secretId },
    });
    const token = login.json.auth.client_token;
    expect(login.json.auth.lease_duration).toBe(30);

    await advance(20);
    const renewed = await t.req("POST", "auth/token/renew-self", { token, body: {} });
    expect(renewed.json.auth.lease_duration).toBe(30);

    await advance(25);
    const capped = await t.req("POST", "auth/token/renew-self", { token, body: {} });
    expect(capped.status).toBe(200);
    expect(capped.json.auth.lease_duration).toBeGreaterThan(0);
    expect(capped.json.auth.lease_duration).toBeLessThanOrEqual(5);
    expect(capped.json.warnings).toEqual([
      expect.stringMatching(/^TTL of "30s" exceeded the effective max_ttl of "\d+s"; TTL value is capped/),
    ]);

    await advance(10);
    expect((await t.req("GET", "auth/token/lookup-self", { token })).status).toBe(403);
  });

  test("a token created with explicit_max_ttl cannot be renewed past it either", async () => {
    const token = await create({ ttl: "48s", explicit_max_ttl: "50s" });
    await advance(45);
    const capped = await t.req("POST", "auth/token/renew-self", { token, body: {} });
    expect(capped.json.auth.lease_duration).toBeLessThanOrEqual(5);
    await advance(10);
    expect((await t.req("GET", "auth/token/lookup-self", { token })).status).toBe(403);
  });
});
