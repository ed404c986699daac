// sys/health, sys/seal-status, sys/leader and (on the double only) sealing and unsealing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { REAL_SERVER, startTarget, type Target } from "./target.ts";

let t: Target;
beforeAll(async () => {
  t = await startTarget();
});
afterAll(() => t.stop());

describe("sys/health", () => {
  test("answers 200 on an active, unsealed server, without a token", async () => {
    const resp = await t.req("GET", "sys/health", { token: null });
    expect(resp.status).toBe(200);
    expect(resp.json).toMatchObject({ initialized: true, sealed: false, standby: false });
    expect(typeof resp.json.version).toBe("string");
    expect(typeof resp.json.server_time_utc).toBe("number");
    expect(typeof resp.json.cluster_name).toBe("string");
  });

  test("lets the caller choose the status for an active server with activecode", async () => {
    expect((await t.req("GET", "sys/health?activecode=299", { token: null })).status).toBe(299);
  });

  test("answers HEAD with the status and no body", async () => {
    const resp = await t.req("HEAD", "sys/health", { token: null });
    expect(resp.status).toBe(200);
    expect(resp.text).toBe("");
  });

  test("answers 400 to a status code that is not a number", async () => {
    expect((await t.req("GET", "sys/health?sealedcode=abc", { token: null })).status).toBe(400);
  });
});

describe("sys/seal-status and sys/leader", () => {
  test("seal-status reports an initialized, unsealed server", async () => {
    const resp = await t.req("GET", "sys/seal-status", { token: null });
    expect(resp.status).toBe(200);
    expect(resp.json).toMatchObject({ initialized: true, sealed: false, progress: 0 });
    expect(typeof resp.json.t).toBe("number");
  });

  test("leader answers without a token", async () => {
    const resp = await t.req("GET", "sys/leader", { token: null });
    expect(resp.status).toBe(200);
    expect(typeof resp.json.ha_enabled).toBe("boolean");
  });
});

describe.skipIf(REAL_SERVER)("sealing (the double only: a real server stays unsealed)", () => {
  test("a sealed server answers 503 'Vault is sealed', health 503, and unseals with its key", async () => {
    expect((await t.req("PUT", "sys/seal")).status).toBe(204);
    const read = await t.req("GET", "secret/data/a");
    expect(read.status).toBe(503);
    expect(read.json).toEqual({ errors: ["Vault is sealed"] });
    const health = await t.req("GET", "sys/health", { token: null });
    expect(health.status).toBe(503);
    expect(health.json).toMatchObject({ sealed: true });
    expect(health.json.cluster_name).toBeUndefined();
    const wrong = await t.req("PUT", "sys/unseal", {
      token: null,
      body: { key: Buffer.alloc(32).toString("base64") },
    });
    expect(wrong.status).toBe(400);
    const unseal = await t.req("PUT", "sys/unseal", {
      token: null,
      body: { key: t.double!.ctx.state.unsealKey },
    });
    expect(unseal.json).toMatchObject({ sealed: false });
    expect((await t.req("GET", "sys/health", { token: null })).status).toBe(200);
  });

  test("sealing needs a token with sudo", async () => {
    const resp = await t.req("PUT", "sys/seal", { token: "nobody" });
    expect(resp.status).toBe(403);
    expect(resp.json).toEqual({ errors: ["permission denied"] });
  });

  test("a standby server answers health 429, or 200 with standbyok", async () => {
    t.double!.ctx.state.standby = true;
    try {
      expect((await t.req("GET", "sys/health", { token: null })).status).toBe(429);
      expect((await t.req("GET", "sys/health?standbyok=true", { token: null })).status).toBe(200);
    } finally {
      t.double!.ctx.state.standby = false;
    }
  });
});

describe("sys/capabilities-self", () => {
  test("reports root for the root token, under the path and under capabilities", async () => {
    const resp = await t.req("POST", "sys/capabilities-self", { body: { paths: ["secret/data/x"] } });
    expect(resp.status).toBe(200);
    expect(resp.json.data).toEqual({ "secret/data/x": ["root"], capabilities: ["root"] });
    expect(resp.json.capabilities).toEqual(["root"]);
  });
});
