// KV version 1: one JSON object per path, no versions, leases reported on reads.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { bodyMountType } from "./flavors.ts";
import { startTarget, type Target } from "./target.ts";

let t: Target;
let kv: string;
beforeAll(async () => {
  t = await startTarget();
  // An explicit default TTL makes lease_duration the same on every server.
  kv = await t.mount("kv", { options: { version: "1" }, config: { default_lease_ttl: "1h" } });
});
afterAll(() => t.stop());

describe("KV v1", () => {
  test("stores a secret with 204 and reads it back with the mount's lease duration", async () => {
    expect((await t.req("PUT", `${kv}/app/db`, { body: { user: "app", port: 5432 } })).status).toBe(204);
    const resp = await t.req("GET", `${kv}/app/db`);
    expect(resp.status).toBe(200);
    expect(resp.json.data).toEqual({ port: 5432, user: "app" });
    expect(resp.json.lease_id).toBe("");
    expect(resp.json.renewable).toBe(false);
    expect(resp.json.lease_duration).toBe(3600);
    expect(resp.json.mount_type).toBe(bodyMountType(t.flavor, "kv"));
  });

  test("reports a secret's own ttl field as its lease duration", async () => {
    await t.req("PUT", `${kv}/with-ttl`, { body: { v: "x", ttl: "30m" } });
    expect((await t.req("GET", `${kv}/with-ttl`)).json.lease_duration).toBe(1800);
  });

  test("replaces the whole secret on a second write", async () => {
    await t.req("PUT", `${kv}/replace`, { body: { a: "1", b: "2" } });
    await t.req("POST", `${kv}/replace`, { body: { c: "3" } });
    expect((await t.req("GET", `${kv}/replace`)).json.data).toEqual({ c: "3" });
  });

  test("answers 404 with an empty errors list for a key that never existed", async () => {
    const resp = await t.req("GET", `${kv}/never`);
    expect(resp.status).toBe(404);
    expect(resp.json).toEqual({ errors: [] });
  });

  test("refuses a write with no fields", async () => {
    const resp = await t.req("PUT", `${kv}/empty`, { body: {} });
    expect(resp.status).toBe(400);
    expect(resp.json).toEqual({ errors: ["missing data fields"] });
  });

  test("deletes with 204, also a key that does not exist", async () => {
    await t.req("PUT", `${kv}/gone`, { body: { v: "1" } });
    expect((await t.req("DELETE", `${kv}/gone`)).status).toBe(204);
    expect((await t.req("GET", `${kv}/gone`)).status).toBe(404);
    expect((await t.req("DELETE", `${kv}/gone`)).status).toBe(204);
  });

  test("lists one folder level, folders ending in a slash, sorted", async () => {
    for (const key of ["tree/b", "tree/a", "tree/sub/c", "tree/sub/deeper/d"]) {
      await t.req("PUT", `${kv}/${key}`, { body: { v: "1" } });
    }
    expect((await t.req("LIST", `${kv}/tree`)).json.data).toEqual({ keys: ["a", "b", "sub/"] });
    expect((await t.req("LIST", `${kv}/tree/sub/`)).json.data).toEqual({ keys: ["c", "deeper/"] });
  });

  test("answers 404 to a list of a folder with nothing in it", async () => {
    const resp = await t.req("LIST", `${kv}/nothing-here`);
    expect(resp.status).toBe(404);
    expect(resp.json).toEqual({ errors: [] });
  });

  test("does not support PATCH (405 unsupported operation)", async () => {
    await t.req("PUT", `${kv}/patched`, { body: { v: "1" } });
    const resp = await t.req("PATCH", `${kv}/patched`, {
      body: { v: "2" },
      headers: { "Content-Type": "application/merge-patch+json" },
    });
    expect(resp.status).toBe(405);
    expect(resp.json.errors[0]).toContain("unsupported operation");
  });

  test("serves a mount of type generic as KV v1", async () => {
    const generic = await t.mount("generic");
    await t.req("PUT", `${generic}/a`, { body: { v: "1" } });
    const resp = await t.req("GET", `${generic}/a`);
    expect(resp.json.data).toEqual({ v: "1" });
    expect(resp.json.mount_type).toBe(bodyMountType(t.flavor, "generic"));
  });
});
