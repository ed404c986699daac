import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { compareKey } from "../../src/sync/compare-key.ts";
import { syncKey } from "../../src/sync/sync.ts";
import { POLICY_MOUNT, type SyncKey } from "../../src/sync-key.ts";
import { mountKv, ok, startVault, type Vault } from "./vault-fixture.ts";

let source: Vault;
let east: Vault;
let west: Vault;
const kv = (mount: string, path: string): SyncKey => ({ kind: "kv", namespace: "", mount, path });
const compare = async (key: SyncKey) =>
  (await compareKey(key, source.client, [east.client, west.client])).destinations.map((d) => [
    d.status,
    d.aspects,
  ]);

beforeAll(async () => {
  [source, east, west] = await Promise.all([startVault(), startVault(), startVault()]);
  await mountKv([source, east, west], "secret", 2);
  await mountKv([source, east, west], "kv", 1);
});
afterAll(async () => {
  await Promise.all([source, east, west].map((v) => v?.stop()));
});

describe("compareKey", () => {
  test("says missing before a sync and equal after it, and changes nothing itself", async () => {
    await ok(source.api("POST", "secret/data/a", { data: { v: "1" } }));
    expect(await compare(kv("secret/", "a"))).toEqual([
      ["missing", []],
      ["missing", []],
    ]);
    expect((await east.api("GET", "secret/metadata/a")).status).toBe(404);
    await syncKey(kv("secret/", "a"), source.client, [east.client, west.client], {
      deletes: true,
      createMounts: true,
    });
    expect(await compare(kv("secret/", "a"))).toEqual([
      ["equal", []],
      ["equal", []],
    ]);
  });

  test("names what differs: data on one destination, a setting on the other", async () => {
    await ok(east.api("POST", "secret/data/a", { data: { v: "changed" } }));
    await ok(west.api("POST", "secret/metadata/a", { max_versions: 2 }));
    expect(await compare(kv("secret/", "a"))).toEqual([
      ["differs", ["data"]],
      ["differs", ["max_versions"]],
    ]);
  });

  test("names a soft-deleted current version", async () => {
    await ok(east.api("DELETE", "secret/data/a"));
    expect((await compare(kv("secret/", "a")))[0]).toEqual(["differs", ["deleted"]]);
  });

  test("says extra for a key only the destination holds", async () => {
    await ok(west.api("PUT", "kv/only-here", { v: "1" }));
    expect(await compare(kv("kv/", "only-here"))).toEqual([
      ["equal", []],
      ["extra", []],
    ]);
  });

  test("says missing with the mount as the aspect when the destination has no such mount", async () => {
    await ok(source.api("POST", "sys/mounts/fresh", { type: "kv", options: { version: "2" } }));
    await ok(source.api("POST", "fresh/data/x", { data: { v: "1" } }));
    expect(await compare(kv("fresh/", "x"))).toEqual([
      ["missing", ["mount"]],
      ["missing", ["mount"]],
    ]);
  });

  test("compares policies by their text", async () => {
    const key: SyncKey = { kind: "policy", namespace: "", mount: POLICY_MOUNT, path: "ops" };
    await ok(source.api("PUT", "sys/policies/acl/ops", { policy: 'path "a" { capabilities = ["read"] }' }));
    await ok(east.api("PUT", "sys/policies/acl/ops", { policy: 'path "b" { capabilities = ["read"] }' }));
    expect(await compare(key)).toEqual([
      ["differs", ["policy"]],
      ["missing", []],
    ]);
  });
});
