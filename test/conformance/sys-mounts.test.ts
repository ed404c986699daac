// sys/mounts, sys/mounts/<path>/tune and sys/internal/ui/mounts: the mount table Courier reads to
// know which paths are KV and which version.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { bodyMountType, upgradeWarning } from "./flavors.ts";
import { startTarget, type Target } from "./target.ts";

let t: Target;
beforeAll(async () => {
  t = await startTarget();
});
afterAll(() => t.stop());

describe("sys/mounts", () => {
  test("lists secret/ as KV version 2, with its data also at the top level of the body", async () => {
    const resp = await t.req("GET", "sys/mounts");
    expect(resp.status).toBe(200);
    expect(resp.json.data["secret/"]).toMatchObject({ type: "kv", options: { version: "2" } });
    expect(resp.json["secret/"]).toEqual(resp.json.data["secret/"]);
    expect(resp.json.data["sys/"].type).toBe("system");
    expect(resp.json.data["cubbyhole/"].type).toBe("cubbyhole");
    expect(resp.json.mount_type).toBe(bodyMountType(t.flavor, "system"));
  });

  test("describes each mount with its accessor, config, options and uuid", async () => {
    const path = await t.mount("kv", { options: { version: "2" }, description: "team secrets" });
    const entry = (await t.req("GET", "sys/mounts")).json.data[`${path}/`];
    expect(entry).toMatchObject({
      type: "kv",
      description: "team secrets",
      local: false,
      seal_wrap: false,
      options: { version: "2" },
      config: { default_lease_ttl: 0, max_lease_ttl: 0, force_no_cache: false },
    });
    expect(entry.accessor).toMatch(/^kv_[0-9a-f]{8}$/);
    expect(entry.uuid).toMatch(/^[0-9a-f-]{36}$/);
  });

  test.each([
    ["kv-v2", "", "2"],
    ["kv-v1", "", "1"],
    ["kv-v1", "2", "1"],
    ["kv", "2", "2"],
  ])(
    "enables type %p (options.version %p) as type kv, KV version %p",
    async (type, optionVersion, version) => {
      const path = await t.mount(type, optionVersion ? { options: { version: optionVersion } } : {});
      const entry = (await t.req("GET", "sys/mounts")).json.data[`${path}/`];
      expect(entry.type).toBe("kv");
      expect(entry.options.version).toBe(version);
    },
  );

  // Vault keeps "generic" (KV v1's old name) as the type it was enabled with, and serves it with KV.
  test("lists a mount enabled as generic under that type, with no version", async () => {
    const path = await t.mount("generic");
    const entry = (await t.req("GET", "sys/mounts")).json.data[`${path}/`];
    expect(entry.type).toBe("generic");
    expect(entry.options?.version ?? "").toBe("");
    expect((await t.req("PUT", `${path}/a`, { body: { v: "1" } })).status).toBe(204);
    expect((await t.req("GET", `${path}/a`)).json.data).toEqual({ v: "1" });
  });

  test("reads a single mount at sys/mounts/<path>", async () => {
    const path = await t.mount("transit");
    const resp = await t.req("GET", `sys/mounts/${path}`);
    expect(resp.status).toBe(200);
    expect(resp.json.data.type).toBe("transit");
  });

  test("enables engines of other types that hold no KV data", async () => {
    const path = await t.mount("transit");
    expect((await t.req("GET", "sys/mounts")).json.data[`${path}/`].type).toBe("transit");
    expect((await t.req("GET", `${path}/some/kv/path`)).status).toBe(404);
  });

  test("refuses a path already in use, naming the mount in the way", async () => {
    const path = await t.mount("kv");
    const resp = await t.req("POST", `sys/mounts/${path}/nested`, { body: { type: "kv" } });
    expect(resp.status).toBe(400);
    expect(resp.json).toEqual({ errors: [`path is already in use at ${path}/`] });
  });

  test("refuses to mount under sys/", async () => {
    const resp = await t.req("POST", `sys/mounts/sys/${t.unique("x")}`, { body: { type: "kv" } });
    expect(resp.status).toBe(400);
    expect(resp.json.errors[0]).toMatch(/^cannot mount "sys\//);
  });

  test("refuses an enable without a type", async () => {
    const resp = await t.req("POST", `sys/mounts/${t.unique("notype")}`, { body: {} });
    expect(resp.status).toBe(400);
    expect(resp.json).toEqual({ errors: ["backend type must be specified as a string"] });
  });

  test("refuses a version option on an engine that has no versions", async () => {
    const resp = await t.req("POST", `sys/mounts/${t.unique("tv")}`, {
      body: { type: "transit", options: { version: "2" } },
    });
    expect(resp.status).toBe(400);
    expect(resp.json).toEqual({ errors: ['secrets engine "transit" does not allow setting a version'] });
  });

  test("disables a mount with 204 and forgets its data; disabling again is also 204", async () => {
    const path = t.unique("gone");
    await t.req("POST", `sys/mounts/${path}`, { body: { type: "kv" } });
    await t.req("PUT", `${path}/a`, { body: { v: "1" } });
    expect((await t.req("DELETE", `sys/mounts/${path}`)).status).toBe(204);
    expect((await t.req("GET", `${path}/a`)).json.errors[0]).toContain("no handler for route");
    expect((await t.req("DELETE", `sys/mounts/${path}`)).status).toBe(204);
  });

  test("refuses to disable sys/", async () => {
    const resp = await t.req("DELETE", "sys/mounts/sys");
    expect(resp.status).toBe(400);
  });
});

describe("sys/mounts/<path>/tune", () => {
  test("reads effective TTLs (the system's 768h when the mount sets none)", async () => {
    const path = await t.mount("kv");
    const resp = await t.req("GET", `sys/mounts/${path}/tune`);
    expect(resp.json.data).toMatchObject({
      default_lease_ttl: 2764800,
      max_lease_ttl: 2764800,
      force_no_cache: false,
    });
  });

  test("changes the default lease TTL with 204", async () => {
    const path = await t.mount("kv");
    expect(
      (await t.req("POST", `sys/mounts/${path}/tune`, { body: { default_lease_ttl: "2h" } })).status,
    ).toBe(204);
    expect((await t.req("GET", `sys/mounts/${path}/tune`)).json.data.default_lease_ttl).toBe(7200);
  });

  test("upgrades a KV v1 mount to v2, its keys becoming version 1", async () => {
    const path = await t.mount("kv", { options: { version: "1" } });
    await t.req("PUT", `${path}/old`, { body: { v: "1" } });
    const resp = await t.req("POST", `sys/mounts/${path}/tune`, { body: { options: { version: "2" } } });
    expect(resp.status).toBe(200);
    expect(resp.json.warnings[0]).toContain(upgradeWarning(t.flavor));
    // A real server upgrades in the background; give it a moment.
    let read = await t.req("GET", `${path}/data/old`);
    for (let i = 0; i < 50 && read.status !== 200; i++) {
      await Bun.sleep(100);
      read = await t.req("GET", `${path}/data/old`);
    }
    expect(read.json.data.data).toEqual({ v: "1" });
    expect(read.json.data.metadata.version).toBe(1);
  });

  test("refuses to downgrade a KV v2 mount", async () => {
    const path = await t.mount("kv-v2");
    const resp = await t.req("POST", `sys/mounts/${path}/tune`, { body: { options: { version: "1" } } });
    expect(resp.status).toBe(400);
    expect(resp.json).toEqual({ errors: ["cannot downgrade mount from version 2"] });
  });
});

describe("sys/internal/ui/mounts", () => {
  test("finds the mount, type and KV version of a path inside it", async () => {
    const resp = await t.req("GET", "sys/internal/ui/mounts/secret/data/some/key");
    expect(resp.status).toBe(200);
    expect(resp.json.data).toMatchObject({ path: "secret/", type: "kv", options: { version: "2" } });
  });

  test("answers 403 with a preflight message for a path in no mount", async () => {
    const path = `${t.unique("nomount")}/x`;
    const resp = await t.req("GET", `sys/internal/ui/mounts/${path}`);
    expect(resp.status).toBe(403);
    expect(resp.json.errors[0]).toContain("preflight capability check returned 403");
  });

  test("lists the secret and auth mounts the token can see", async () => {
    const resp = await t.req("GET", "sys/internal/ui/mounts");
    expect(resp.json.data.secret["secret/"].type).toBe("kv");
    expect(resp.json.data.auth["token/"].type).toBe("token");
  });
});
