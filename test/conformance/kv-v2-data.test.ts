// KV version 2, data/<path>: versioned writes, reads by version, check-and-set, soft delete, PATCH.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { bodyMountType, cliName } from "./flavors.ts";
import { startTarget, type Target } from "./target.ts";

let t: Target;
let kv: string;
beforeAll(async () => {
  t = await startTarget();
  kv = await t.mount("kv", { options: { version: "2" } });
});
afterAll(() => t.stop());

const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const merge = { "Content-Type": "application/merge-patch+json" };

describe("KV v2 data", () => {
  test("answers a write with the new version's metadata", async () => {
    const resp = await t.req("POST", `${kv}/data/app`, { body: { data: { user: "app" } } });
    expect(resp.status).toBe(200);
    expect(resp.json.data).toEqual({
      created_time: expect.stringMatching(RFC3339),
      custom_metadata: null,
      deletion_time: "",
      destroyed: false,
      version: 1,
    });
    expect(resp.json.mount_type).toBe(bodyMountType(t.flavor, "kv"));
  });

  test("reads the latest version with its data and metadata", async () => {
    await t.req("POST", `${kv}/data/read`, { body: { data: { a: "1" } } });
    await t.req("POST", `${kv}/data/read`, { body: { data: { a: "2" } } });
    const resp = await t.req("GET", `${kv}/data/read`);
    expect(resp.status).toBe(200);
    expect(resp.json.data.data).toEqual({ a: "2" });
    expect(resp.json.data.metadata).toMatchObject({ version: 2, deletion_time: "", destroyed: false });
    expect(resp.json.lease_duration).toBe(0);
  });

  // Courier syncs an ordinary write from this one read: it must carry the key's custom_metadata
  // (set through metadata/) and the version's times, and nothing of the key's other settings.
  test("a read of the latest version carries the key's custom_metadata and the version's times", async () => {
    await t.req("POST", `${kv}/data/custom`, { body: { data: { a: "1" } } });
    expect((await t.req("GET", `${kv}/data/custom`)).json.data.metadata.custom_metadata).toBeNull();
    await t.req("POST", `${kv}/metadata/custom`, {
      body: { max_versions: 3, custom_metadata: { owner: "ops" } },
    });
    const resp = await t.req("GET", `${kv}/data/custom`);
    expect(resp.json.data.metadata).toEqual({
      created_time: expect.stringMatching(RFC3339),
      custom_metadata: { owner: "ops" },
      deletion_time: "",
      destroyed: false,
      version: 1,
    });
  });

  test("reads an older version with ?version=N", async () => {
    await t.req("POST", `${kv}/data/old`, { body: { data: { a: "1" } } });
    await t.req("POST", `${kv}/data/old`, { body: { data: { a: "2" } } });
    const resp = await t.req("GET", `${kv}/data/old?version=1`);
    expect(resp.json.data.data).toEqual({ a: "1" });
    expect(resp.json.data.metadata.version).toBe(1);
  });

  test("answers a plain 404 for a key that never existed and for a version that does not exist", async () => {
    expect((await t.req("GET", `${kv}/data/never`)).json).toEqual({ errors: [] });
    await t.req("POST", `${kv}/data/one`, { body: { data: { a: "1" } } });
    const resp = await t.req("GET", `${kv}/data/one?version=7`);
    expect(resp.status).toBe(404);
    expect(resp.json).toEqual({ errors: [] });
  });

  test("writes only if absent with cas 0", async () => {
    const first = await t.req("POST", `${kv}/data/cas0`, { body: { data: { a: "1" }, options: { cas: 0 } } });
    expect(first.status).toBe(200);
    const again = await t.req("POST", `${kv}/data/cas0`, { body: { data: { a: "2" }, options: { cas: 0 } } });
    expect(again.status).toBe(400);
    expect(again.json).toEqual({ errors: ["check-and-set parameter did not match the current version"] });
  });

  test("writes with cas equal to the current version, and refuses a stale one", async () => {
    await t.req("POST", `${kv}/data/casn`, { body: { data: { a: "1" } } });
    const ok = await t.req("POST", `${kv}/data/casn`, { body: { data: { a: "2" }, options: { cas: 1 } } });
    expect(ok.json.data.version).toBe(2);
    const stale = await t.req("POST", `${kv}/data/casn`, { body: { data: { a: "3" }, options: { cas: 1 } } });
    expect(stale.status).toBe(400);
  });

  test("requires cas on a key whose metadata says cas_required", async () => {
    await t.req("POST", `${kv}/metadata/casreq`, { body: { cas_required: true } });
    const resp = await t.req("POST", `${kv}/data/casreq`, { body: { data: { a: "1" } } });
    expect(resp.status).toBe(400);
    expect(resp.json).toEqual({ errors: ["check-and-set parameter required for this call"] });
    expect(
      (await t.req("POST", `${kv}/data/casreq`, { body: { data: { a: "1" }, options: { cas: 0 } } })).status,
    ).toBe(200);
  });

  test("refuses a write without a data object", async () => {
    const resp = await t.req("POST", `${kv}/data/nodata`, { body: { other: "x" } });
    expect(resp.status).toBe(400);
    expect(resp.json).toEqual({ errors: ["no data provided"] });
  });

  test("soft-deletes the latest version with DELETE: a 404 that still carries the metadata", async () => {
    await t.req("POST", `${kv}/data/soft`, { body: { data: { a: "1" } } });
    await t.req("POST", `${kv}/data/soft`, { body: { data: { a: "2" } } });
    expect((await t.req("DELETE", `${kv}/data/soft`)).status).toBe(204);
    const resp = await t.req("GET", `${kv}/data/soft`);
    expect(resp.status).toBe(404);
    expect(resp.json.data.data).toBeNull();
    expect(resp.json.data.metadata).toMatchObject({ version: 2, destroyed: false });
    expect(resp.json.data.metadata.deletion_time).toMatch(RFC3339);
    expect((await t.req("GET", `${kv}/data/soft?version=1`)).json.data.data).toEqual({ a: "1" });
  });

  test("treats DELETE of a missing key as done (204)", async () => {
    expect((await t.req("DELETE", `${kv}/data/${t.unique("missing")}`)).status).toBe(204);
  });

  test("merges a PATCH into the current data as a new version", async () => {
    await t.req("POST", `${kv}/data/patch`, { body: { data: { keep: "1", drop: "2", nested: { a: "1" } } } });
    const resp = await t.req("PATCH", `${kv}/data/patch`, {
      body: { data: { drop: null, nested: { b: "2" }, added: "3" } },
      headers: merge,
    });
    expect(resp.status).toBe(200);
    expect(resp.json.data.version).toBe(2);
    const read = await t.req("GET", `${kv}/data/patch`);
    expect(read.json.data.data).toEqual({ added: "3", keep: "1", nested: { a: "1", b: "2" } });
  });

  test("answers 404 to a PATCH of a key that does not exist", async () => {
    const resp = await t.req("PATCH", `${kv}/data/${t.unique("nopatch")}`, {
      body: { data: { a: "1" } },
      headers: merge,
    });
    expect(resp.status).toBe(404);
  });

  test("answers a PATCH of a deleted version with 404 and that version's metadata", async () => {
    await t.req("POST", `${kv}/data/patch-deleted`, { body: { data: { a: "1" } } });
    await t.req("DELETE", `${kv}/data/patch-deleted`);
    const resp = await t.req("PATCH", `${kv}/data/patch-deleted`, {
      body: { data: { a: "2" } },
      headers: merge,
    });
    expect(resp.status).toBe(404);
    expect(resp.json.data).toMatchObject({ version: 1, destroyed: false });
  });

  test("answers a request to the bare data/ root with 404 and a warning", async () => {
    const resp = await t.req("GET", `${kv}/data`);
    expect(resp.status).toBe(404);
    expect(resp.json.warnings).toEqual([
      "Non-listing operations on the root of a K/V v2 mount are not supported.",
    ]);
  });

  test("answers a KV v1-style path on a v2 mount with 404 and a warning naming the CLI command", async () => {
    const resp = await t.req("GET", `${kv}/app`);
    expect(resp.status).toBe(404);
    expect(resp.json.warnings[0]).toContain(`'${cliName(t.flavor)} kv get'`);
  });

  test("is mounted at secret/ as KV v2 on a dev server", async () => {
    const key = t.unique("dev");
    const resp = await t.req("POST", `secret/data/${key}`, { body: { data: { a: "1" } } });
    expect(resp.status).toBe(200);
    t.cleanup(() => t.req("DELETE", `secret/metadata/${key}`));
  });
});
