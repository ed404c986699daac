import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { syncKey } from "../../src/sync/sync.ts";
import type { SyncKey } from "../../src/sync-key.ts";
import { mountKv, ok, startVault, type Vault } from "./vault-fixture.ts";

let source: Vault;
let east: Vault;
let west: Vault;
const key = (mount: string, path: string, namespace = ""): SyncKey => ({
  kind: "kv",
  namespace,
  mount,
  path,
});

beforeAll(async () => {
  [source, east, west] = await Promise.all([startVault(), startVault(), startVault()]);
});
afterAll(async () => {
  await Promise.all([source, east, west].map((v) => v?.stop()));
});

describe("a KV mount missing on a destination", () => {
  test("is created with the source's type, options and description when create_mounts is on", async () => {
    await ok(
      source.api("POST", "sys/mounts/apps", {
        type: "kv",
        description: "team apps",
        options: { version: "2" },
      }),
    );
    await ok(source.api("POST", "apps/data/web", { data: { token: "t1" } }));
    const result = await syncKey(key("apps/", "web"), source.client, [east.client], {
      deletes: true,
      createMounts: true,
    });
    expect(result.destinations.map((d) => [d.result, d.done])).toEqual([
      ["written", ["create-mount", "kv2-write"]],
    ]);
    const mount = (await east.api("GET", "sys/mounts")).body.data["apps/"];
    expect([mount.type, mount.description, mount.options.version]).toEqual(["kv", "team apps", "2"]);
    expect((await east.api("GET", "apps/data/web")).body.data.data).toEqual({ token: "t1" });
  });

  test("is reported as a permanent failure naming the mount when create_mounts is off", async () => {
    await ok(source.api("POST", "sys/mounts/legacy", { type: "kv", options: { version: "1" } }));
    await ok(source.api("PUT", "legacy/db", { pw: "x" }));
    await mountKv([west], "legacy", 1);
    const result = await syncKey(key("legacy/", "db"), source.client, [east.client, west.client], {
      deletes: true,
      createMounts: false,
    });
    const [eastOutcome, westOutcome] = result.destinations;
    expect(eastOutcome?.result).toBe("failed");
    expect(eastOutcome?.error?.message).toBe(
      `${east.address}: mount legacy/ does not exist; enable it there (type kv, KV v1) or turn on sync.create_mounts`,
    );
    expect((await east.api("GET", "sys/mounts")).body.data["legacy/"]).toBeUndefined();
    // The other destination does not wait for, or suffer from, the first one's problem.
    expect(westOutcome?.result).toBe("written");
    expect((await west.api("GET", "legacy/db")).body.data).toEqual({ pw: "x" });
  });

  test("is not created for a key that is absent on the source too", async () => {
    await ok(source.api("POST", "sys/mounts/empty", { type: "kv", options: { version: "2" } }));
    const result = await syncKey(key("empty/", "nothing"), source.client, [east.client], {
      deletes: true,
      createMounts: true,
    });
    expect(result.destinations.map((d) => d.result)).toEqual(["unchanged"]);
    expect((await east.api("GET", "sys/mounts")).body.data["empty/"]).toBeUndefined();
  });

  test("of another KV version fails without writing into it", async () => {
    await ok(source.api("POST", "sys/mounts/mixed", { type: "kv", options: { version: "2" } }));
    await ok(source.api("POST", "mixed/data/a", { data: { v: "1" } }));
    await mountKv([west], "mixed", 1);
    const [outcome] = (
      await syncKey(key("mixed/", "a"), source.client, [west.client], { deletes: true, createMounts: true })
    ).destinations;
    expect(outcome?.result).toBe("failed");
    expect(outcome?.error?.message).toBe(`${west.address}: mount mixed/ is KV v1, the source's is KV v2`);
    expect((await west.api("GET", "mixed/data/a")).status).toBe(404);
  });
});

describe("a mount table that changed since it was last read", () => {
  test("a destination that lost a mount gets it back, and the key, in the same run", async () => {
    await ok(source.api("POST", "sys/mounts/lost", { type: "kv", options: { version: "2" } }));
    await ok(source.api("POST", "lost/data/a", { data: { v: "a" } }));
    await ok(source.api("POST", "lost/data/b", { data: { v: "b" } }));
    const options = { deletes: true, createMounts: true };
    // The first run makes the mount, the second finds it and keeps east's mount table in its cache.
    for (let run = 0; run < 2; run++) await syncKey(key("lost/", "a"), source.client, [east.client], options);
    // The client has lost/ in its cache of east's mounts (trusted for 30 s) when it goes.
    await ok(east.api("DELETE", "sys/mounts/lost"));
    const result = await syncKey(key("lost/", "b"), source.client, [east.client], options);
    expect(result.destinations.map((d) => [d.result, d.done])).toEqual([
      ["written", ["create-mount", "kv2-write"]],
    ]);
    expect((await east.api("GET", "lost/data/b")).body.data.data).toEqual({ v: "b" });
  });

  test("a new KV v2 mount still upgrading its storage is waited out in the same run", async () => {
    await ok(source.api("POST", "sys/mounts/fresh", { type: "kv", options: { version: "2" } }));
    await ok(source.api("POST", "fresh/data/a", { data: { v: "a" } }));
    const upgrading =
      "Upgrading from non-versioned to versioned data. This backend will be unavailable for a brief period and will resume service shortly.";
    await fetch(`${east.address}/_double/faults`, {
      method: "POST",
      body: JSON.stringify([
        { kind: "status", status: 400, path: "fresh/data/a", method: "POST", times: 2, errors: [upgrading] },
      ]),
    });
    try {
      const result = await syncKey(key("fresh/", "a"), source.client, [east.client], {
        deletes: true,
        createMounts: true,
      });
      expect(result.destinations.map((d) => [d.result, d.done])).toEqual([
        ["written", ["create-mount", "kv2-write"]],
      ]);
      expect((await east.api("GET", "fresh/data/a")).body.data.data).toEqual({ v: "a" });
    } finally {
      await fetch(`${east.address}/_double/faults`, { method: "DELETE" });
    }
  });

  test("a source that lost a mount leaves the destinations' copies alone and asks for a retry", async () => {
    await ok(source.api("POST", "sys/mounts/going", { type: "kv", options: { version: "2" } }));
    await ok(source.api("POST", "going/data/a", { data: { v: "a" } }));
    const options = { deletes: true, createMounts: true };
    await syncKey(key("going/", "a"), source.client, [west.client], options);
    await ok(source.api("DELETE", "sys/mounts/going"));
    const result = await syncKey(key("going/", "a"), source.client, [west.client], options);
    expect(result.sourceError).toMatchObject({
      transient: true,
      message: `${source.address}: no mount going/ on the source`,
    });
    expect(result.destinations.map((d) => [d.result, d.done])).toEqual([["retry", []]]);
    expect((await west.api("GET", "going/data/a")).body.data.data).toEqual({ v: "a" });
  });
});

describe("a key in a namespace", () => {
  test("is read and written in that namespace only", async () => {
    for (const vault of [source, east]) await ok(vault.api("POST", "sys/namespaces/team-a"));
    await mountKv([source, east], "secret", 2, "team-a/");
    await mountKv([east], "secret", 2);
    await ok(source.api("POST", "secret/data/app", { data: { ns: "team-a" } }, "team-a/"));
    const result = await syncKey(key("secret/", "app", "team-a/"), source.client, [east.client], {
      deletes: true,
      createMounts: true,
    });
    expect(result.destinations.map((d) => [d.result, d.done])).toEqual([["written", ["kv2-write"]]]);
    expect((await east.api("GET", "secret/data/app", undefined, "team-a/")).body.data.data).toEqual({
      ns: "team-a",
    });
    expect((await east.api("GET", "secret/data/app")).status).toBe(404);
  });
});
