// KV version 2 metadata/<path>, config and subkeys/: settings, history, listing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { kvConfigExtras } from "./flavors.ts";
import { startTarget, type Target } from "./target.ts";

let t: Target;
let kv: string;
beforeAll(async () => {
  t = await startTarget();
  kv = await t.mount("kv", { options: { version: "2" } });
});
afterAll(() => t.stop());

const merge = { "Content-Type": "application/merge-patch+json" };

describe("KV v2 metadata", () => {
  test("reads a key's settings and version history", async () => {
    await t.req("POST", `${kv}/data/meta`, { body: { data: { a: "1" } } });
    await t.req("POST", `${kv}/data/meta`, { body: { data: { a: "2" } } });
    const resp = await t.req("GET", `${kv}/metadata/meta`);
    expect(resp.status).toBe(200);
    expect(resp.json.data).toMatchObject({
      cas_required: false,
      current_version: 2,
      custom_metadata: null,
      delete_version_after: "0s",
      max_versions: 0,
      oldest_version: 0,
    });
    expect(resp.json.data.updated_time).toBe(resp.json.data.versions["2"].created_time);
    expect(resp.json.data.created_time).toBe(resp.json.data.versions["1"].created_time);
    expect(resp.json.data.versions["1"]).toMatchObject({ deletion_time: "", destroyed: false });
  });

  test("stores settings with 204 and echoes delete_version_after as a Go duration", async () => {
    const resp = await t.req("POST", `${kv}/metadata/settings`, {
      body: {
        max_versions: 5,
        cas_required: true,
        delete_version_after: "1h30m",
        custom_metadata: { owner: "ops" },
      },
    });
    expect(resp.status).toBe(204);
    const read = await t.req("GET", `${kv}/metadata/settings`);
    expect(read.json.data).toMatchObject({
      max_versions: 5,
      cas_required: true,
      delete_version_after: "1h30m0s",
      custom_metadata: { owner: "ops" },
      current_version: 0,
      versions: {},
    });
  });

  test("a key with metadata but no version reads as a plain 404 on data/", async () => {
    await t.req("POST", `${kv}/metadata/only-meta`, { body: { max_versions: 3 } });
    const resp = await t.req("GET", `${kv}/data/only-meta`);
    expect(resp.status).toBe(404);
    expect(resp.json).toEqual({ errors: [] });
  });

  test("shows custom_metadata on data reads and writes", async () => {
    await t.req("POST", `${kv}/metadata/custom`, { body: { custom_metadata: { team: "a" } } });
    const write = await t.req("POST", `${kv}/data/custom`, { body: { data: { a: "1" } } });
    expect(write.json.data.custom_metadata).toEqual({ team: "a" });
    expect((await t.req("GET", `${kv}/data/custom`)).json.data.metadata.custom_metadata).toEqual({
      team: "a",
    });
  });

  test("refuses custom_metadata with an empty value", async () => {
    const resp = await t.req("POST", `${kv}/metadata/badcustom`, { body: { custom_metadata: { k: "" } } });
    expect(resp.status).toBe(400);
    expect(resp.json.errors[0]).toContain("custom_metadata validation failed");
  });

  test("merges a PATCH into the settings and removes custom_metadata keys set to null", async () => {
    await t.req("POST", `${kv}/metadata/mpatch`, {
      body: { max_versions: 4, custom_metadata: { a: "1", b: "2" } },
    });
    const resp = await t.req("PATCH", `${kv}/metadata/mpatch`, {
      body: { custom_metadata: { a: null, c: "3" }, cas_required: true },
      headers: merge,
    });
    expect(resp.status).toBe(204);
    const read = await t.req("GET", `${kv}/metadata/mpatch`);
    expect(read.json.data).toMatchObject({
      max_versions: 4,
      cas_required: true,
      custom_metadata: { b: "2", c: "3" },
    });
  });

  test("deleting metadata removes the key and every version", async () => {
    await t.req("POST", `${kv}/data/wipe`, { body: { data: { a: "1" } } });
    expect((await t.req("DELETE", `${kv}/metadata/wipe`)).status).toBe(204);
    expect((await t.req("GET", `${kv}/metadata/wipe`)).status).toBe(404);
    expect((await t.req("GET", `${kv}/data/wipe?version=1`)).status).toBe(404);
  });

  test("lists keys of a folder under metadata/, folders ending in a slash", async () => {
    for (const key of ["list/b", "list/a", "list/sub/c"]) {
      await t.req("POST", `${kv}/data/${key}`, { body: { data: { v: "1" } } });
    }
    const resp = await t.req("LIST", `${kv}/metadata/list`);
    expect(resp.json.data).toEqual({ keys: ["a", "b", "sub/"] });
    expect((await t.req("GET", `${kv}/metadata/list/?list=true`)).json.data).toEqual(resp.json.data);
  });

  test("still lists a key whose versions are all soft-deleted", async () => {
    await t.req("POST", `${kv}/data/ghost/k`, { body: { data: { v: "1" } } });
    await t.req("DELETE", `${kv}/data/ghost/k`);
    expect((await t.req("LIST", `${kv}/metadata/ghost`)).json.data).toEqual({ keys: ["k"] });
  });

  test("answers 404 to a list of an empty folder", async () => {
    const resp = await t.req("LIST", `${kv}/metadata/${t.unique("empty")}`);
    expect(resp.status).toBe(404);
    expect(resp.json).toEqual({ errors: [] });
  });
});

describe("KV v2 config and subkeys", () => {
  test("reads and writes the mount-wide config", async () => {
    const mount = await t.mount("kv-v2");
    const fresh = await t.req("GET", `${mount}/config`);
    const extras = kvConfigExtras(t.flavor);
    expect(fresh.json.data).toEqual({
      cas_required: false,
      delete_version_after: "0s",
      max_versions: 0,
      ...extras,
    });
    expect(
      (await t.req("POST", `${mount}/config`, { body: { max_versions: 3, delete_version_after: 3600 } }))
        .status,
    ).toBe(204);
    const read = await t.req("GET", `${mount}/config`);
    expect(read.json.data).toEqual({
      cas_required: false,
      delete_version_after: "1h0m0s",
      max_versions: 3,
      ...extras,
    });
  });

  test("a mount with cas_required refuses writes without cas", async () => {
    const mount = await t.mount("kv-v2");
    await t.req("POST", `${mount}/config`, { body: { cas_required: true } });
    const resp = await t.req("POST", `${mount}/data/a`, { body: { data: { v: "1" } } });
    expect(resp.status).toBe(400);
    expect(resp.json).toEqual({ errors: ["check-and-set parameter required for this call"] });
  });

  test("subkeys/ shows the data's shape with values replaced by null", async () => {
    await t.req("POST", `${kv}/data/shape`, { body: { data: { a: "1", b: { c: "2", d: { e: "3" } } } } });
    const all = await t.req("GET", `${kv}/subkeys/shape`);
    expect(all.json.data.subkeys).toEqual({ a: null, b: { c: null, d: { e: null } } });
    const shallow = await t.req("GET", `${kv}/subkeys/shape?depth=1`);
    expect(shallow.json.data.subkeys).toEqual({ a: null, b: null });
  });
});
