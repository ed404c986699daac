// sync.map in the sync itself: the source is read where the key is, each destination written where
// its map puts it, a destination with a map of its own following that one.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parsePathMap } from "../../src/sync/path-map.ts";
import { syncKey } from "../../src/sync/sync.ts";
import { ok, startVault, type Vault } from "./vault-fixture.ts";

let source: Vault;
let east: Vault;
let west: Vault;

beforeAll(async () => {
  [source, east, west] = await Promise.all([startVault(), startVault(), startVault()]);
  await ok(source.api("POST", "secret/data/app", { data: { v: "1" } }));
});
afterAll(async () => {
  await Promise.all([source, east, west].map((v) => v?.stop()));
});

describe("sync.map", () => {
  test("puts the key where each destination's map says, and nothing at the source's path", async () => {
    const map = {
      all: parsePathMap(["secret/=mirror/"]),
      byDestination: { [west.address]: parsePathMap(["secret/=west/"]) },
    };
    const key = { kind: "kv", namespace: "", mount: "secret/", path: "app" } as const;
    const result = await syncKey(key, source.client, [east.client, west.client], {
      deletes: true,
      createMounts: true,
      map,
    });
    expect(result.destinations.map((d) => d.done)).toEqual([
      ["create-mount", "kv2-write"],
      ["create-mount", "kv2-write"],
    ]);
    expect((await east.api("GET", "mirror/data/app")).body.data.data).toEqual({ v: "1" });
    expect((await west.api("GET", "west/data/app")).body.data.data).toEqual({ v: "1" });
    for (const d of [east, west]) expect((await d.api("GET", "secret/data/app")).status).toBe(404);
  });
});
