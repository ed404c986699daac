import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { syncKey } from "../../src/sync/sync.ts";
import type { SyncKey } from "../../src/sync-key.ts";
import { mountKv, ok, startVault, type Vault } from "./vault-fixture.ts";

let source: Vault;
let east: Vault;
let west: Vault;
const options = { deletes: true, createMounts: true };
const key = (path: string): SyncKey => ({ kind: "kv", namespace: "", mount: "secret/", path });
const sync = (path: string, opts = options) =>
  syncKey(key(path), source.client, [east.client, west.client], opts);
const results = async (path: string, opts = options) =>
  (await sync(path, opts)).destinations.map((d) => [d.result, d.done]);
const write = (vault: Vault, path: string, data: object, cas?: number) =>
  ok(vault.api("POST", `secret/data/${path}`, cas === undefined ? { data } : { data, options: { cas } }));
const metadata = async (vault: Vault, path: string) =>
  (await vault.api("GET", `secret/metadata/${path}`)).body?.data;
const read = (vault: Vault, path: string) => vault.api("GET", `secret/data/${path}`);

beforeAll(async () => {
  [source, east, west] = await Promise.all([startVault(), startVault(), startVault()]);
  await mountKv([source, east, west], "secret", 2);
});
afterAll(async () => {
  await Promise.all([source, east, west].map((v) => v?.stop()));
});

describe("syncing a KV v2 key", () => {
  test("writes a new secret as version 1 on every destination", async () => {
    await write(source, "app", { pw: "one" });
    expect(await results("app")).toEqual([
      ["written", ["kv2-write"]],
      ["written", ["kv2-write"]],
    ]);
    for (const vault of [east, west]) {
      const { body } = await read(vault, "app");
      expect(body.data.data).toEqual({ pw: "one" });
      expect(body.data.metadata.version).toBe(1);
    }
  });

  test("adds no version when the source wrote the same data again", async () => {
    await write(source, "app", { pw: "one" });
    expect((await metadata(source, "app")).current_version).toBe(2);
    expect(await results("app")).toEqual([
      ["unchanged", []],
      ["unchanged", []],
    ]);
    expect((await metadata(east, "app")).current_version).toBe(1);
    expect((await metadata(west, "app")).current_version).toBe(1);
  });

  test("writes changed data as the destination's next version", async () => {
    await write(source, "app", { pw: "two" });
    expect(await results("app")).toEqual([
      ["written", ["kv2-write"]],
      ["written", ["kv2-write"]],
    ]);
    const { body } = await read(east, "app");
    expect(body.data.data).toEqual({ pw: "two" });
    expect(body.data.metadata.version).toBe(2);
  });

  test("copies the metadata settings, and only them when the data is equal", async () => {
    await ok(
      source.api("POST", "secret/metadata/app", {
        max_versions: 7,
        cas_required: true,
        delete_version_after: "240h",
        custom_metadata: { owner: "team-a" },
      }),
    );
    expect(await results("app")).toEqual([
      ["written", ["kv2-write-metadata"]],
      ["written", ["kv2-write-metadata"]],
    ]);
    const meta = await metadata(east, "app");
    expect([meta.max_versions, meta.cas_required, meta.delete_version_after, meta.custom_metadata]).toEqual([
      7,
      true,
      "240h0m0s",
      { owner: "team-a" },
    ]);
    expect(meta.current_version).toBe(2);
  });

  test("writes with cas to a destination key that requires it", async () => {
    await write(source, "app", { pw: "three" }, 3);
    expect(await results("app")).toEqual([
      ["written", ["kv2-write"]],
      ["written", ["kv2-write"]],
    ]);
    expect((await read(west, "app")).body.data.data).toEqual({ pw: "three" });
  });

  test("soft-deletes the destination's current version when the source's is soft-deleted", async () => {
    await ok(source.api("DELETE", "secret/data/app"));
    expect(await results("app")).toEqual([
      ["deleted", ["kv2-soft-delete"]],
      ["deleted", ["kv2-soft-delete"]],
    ]);
    const { status, body } = await read(east, "app");
    expect(status).toBe(404);
    expect(body.data.metadata.deletion_time).not.toBe("");
    expect(body.data.metadata.destroyed).toBe(false);
  });

  test("undeletes the destination's version when the source undeletes, adding no version", async () => {
    const current = (await metadata(source, "app")).current_version;
    await ok(source.api("POST", "secret/undelete/app", { versions: [current] }));
    const before = (await metadata(east, "app")).current_version;
    expect(await results("app")).toEqual([
      ["written", ["kv2-undelete"]],
      ["written", ["kv2-undelete"]],
    ]);
    const { status, body } = await read(east, "app");
    expect(status).toBe(200);
    expect(body.data.data).toEqual({ pw: "three" });
    expect(body.data.metadata.version).toBe(before);
  });

  test("destroys the destination's current version when the source's is destroyed", async () => {
    const current = (await metadata(source, "app")).current_version;
    await ok(source.api("POST", "secret/destroy/app", { versions: [current] }));
    expect(await results("app")).toEqual([
      ["deleted", ["kv2-destroy"]],
      ["deleted", ["kv2-destroy"]],
    ]);
    const { status, body } = await read(west, "app");
    expect(status).toBe(404);
    expect(body.data.metadata.destroyed).toBe(true);
  });

  test("deletes the destination's metadata when the source's is deleted", async () => {
    await ok(source.api("DELETE", "secret/metadata/app"));
    expect(await results("app")).toEqual([
      ["deleted", ["kv2-delete-metadata"]],
      ["deleted", ["kv2-delete-metadata"]],
    ]);
    for (const vault of [east, west]) {
      expect(await vault.api("GET", "secret/metadata/app")).toEqual({ status: 404, body: { errors: [] } });
    }
  });

  test("replaces a deleted destination version that held other data with a new version", async () => {
    await write(source, "swap", { v: "source" });
    await write(east, "swap", { v: "stale" });
    await ok(east.api("DELETE", "secret/data/swap"));
    const result = (await sync("swap")).destinations[0];
    expect([result?.result, result?.done]).toEqual([
      "written",
      ["kv2-undelete", "kv2-soft-delete", "kv2-write"],
    ]);
    const meta = await metadata(east, "swap");
    expect(meta.current_version).toBe(2);
    expect(meta.versions["1"].deletion_time).not.toBe("");
    expect((await read(east, "swap")).body.data.data).toEqual({ v: "source" });
  });

  test("honours a destination mount that requires cas on every write", async () => {
    await ok(east.api("POST", "secret/config", { cas_required: true }));
    await write(source, "strict", { v: "1" });
    await write(east, "strict", { v: "0" }, 0);
    expect((await sync("strict")).destinations[0]?.result).toBe("written");
    expect((await read(east, "strict")).body.data.data).toEqual({ v: "1" });
    await ok(east.api("POST", "secret/config", { cas_required: false }));
  });

  test("leaves soft deletes, destroys and metadata deletes alone when deletes are off", async () => {
    await write(source, "keep", { v: "1" });
    await sync("keep");
    await ok(source.api("DELETE", "secret/data/keep"));
    expect(await results("keep", { ...options, deletes: false })).toEqual([
      ["skipped", []],
      ["skipped", []],
    ]);
    await ok(source.api("DELETE", "secret/metadata/keep"));
    expect(await results("keep", { ...options, deletes: false })).toEqual([
      ["skipped", []],
      ["skipped", []],
    ]);
    expect((await read(east, "keep")).body.data.data).toEqual({ v: "1" });
  });
});
