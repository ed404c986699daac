import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { syncKey } from "../../src/sync/sync.ts";
import type { SyncKey } from "../../src/sync-key.ts";
import { mountKv, ok, startVault, type Vault } from "./vault-fixture.ts";

let source: Vault;
let east: Vault;
let west: Vault;
const options = { deletes: true, createMounts: true };
const key = (path: string): SyncKey => ({ kind: "kv", namespace: "", mount: "kv/", path });
const sync = (path: string, opts = options) =>
  syncKey(key(path), source.client, [east.client, west.client], opts);

beforeAll(async () => {
  [source, east, west] = await Promise.all([startVault(), startVault(), startVault()]);
  await mountKv([source, east, west], "kv", 1);
});
afterAll(async () => {
  await Promise.all([source, east, west].map((v) => v?.stop()));
});

describe("syncing a KV v1 key", () => {
  test("writes a new secret to every destination", async () => {
    await ok(source.api("PUT", "kv/app/db", { user: "app", pw: "one" }));
    const result = await sync("app/db");
    expect(result.sourceError).toBeUndefined();
    expect(result.destinations.map((d) => [d.destination, d.result, d.done])).toEqual([
      [east.address, "written", ["kv1-write"]],
      [west.address, "written", ["kv1-write"]],
    ]);
    for (const vault of [east, west]) {
      expect((await vault.api("GET", "kv/app/db")).body.data).toEqual({ user: "app", pw: "one" });
    }
  });

  test("writes nothing when the destinations already hold the same secret", async () => {
    const result = await sync("app/db");
    expect(result.destinations.map((d) => d.result)).toEqual(["unchanged", "unchanged"]);
  });

  test("writes a changed secret, and only where it differs", async () => {
    await ok(source.api("PUT", "kv/app/db", { user: "app", pw: "two" }));
    await ok(west.api("PUT", "kv/app/db", { user: "app", pw: "two" }));
    const result = await sync("app/db");
    expect(result.destinations.map((d) => d.result)).toEqual(["written", "unchanged"]);
    expect((await east.api("GET", "kv/app/db")).body.data).toEqual({ user: "app", pw: "two" });
  });

  test("deletes a secret the source deleted", async () => {
    await ok(source.api("DELETE", "kv/app/db"));
    const result = await sync("app/db");
    expect(result.destinations.map((d) => [d.result, d.done])).toEqual([
      ["deleted", ["kv1-delete"]],
      ["deleted", ["kv1-delete"]],
    ]);
    for (const vault of [east, west]) expect((await vault.api("GET", "kv/app/db")).status).toBe(404);
  });

  test("keeps a destination's secret when deletes are not propagated", async () => {
    await ok(east.api("PUT", "kv/kept", { a: "1" }));
    const result = await sync("kept", { ...options, deletes: false });
    expect(result.destinations.map((d) => [d.result, d.skipped])).toEqual([
      ["skipped", ["deletes-off"]],
      ["unchanged", []],
    ]);
    expect((await east.api("GET", "kv/kept")).body.data).toEqual({ a: "1" });
  });

  test("reaches keys whose names need URL encoding", async () => {
    await ok(source.api("PUT", "kv/odd%20name/a%3Fb", { v: "x" }));
    const result = await sync("odd name/a?b");
    expect(result.destinations.map((d) => d.result)).toEqual(["written", "written"]);
    expect((await east.api("GET", "kv/odd%20name/a%3Fb")).body.data).toEqual({ v: "x" });
  });
});
