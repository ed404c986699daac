// A key in a namespace a destination lacks: the namespace is made there (parents first, with the
// source's custom_metadata) when sync.create_mounts allows it, once however many keys need it.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { syncKey } from "../../src/sync/sync.ts";
import type { SyncKey } from "../../src/sync-key.ts";
import { VaultClient } from "../../src/vault/client.ts";
import { startVaultDouble, type VaultDouble } from "../support/vault-double/index.ts";
import { mountKv, ok, startVault, type Vault } from "./vault-fixture.ts";

let source: Vault;
let east: Vault;
let west: Vault;
const key = (namespace: string, path: string, kind: "kv" | "policy" = "kv"): SyncKey =>
  kind === "kv"
    ? { kind, namespace, mount: "kv/", path }
    : { kind, namespace, mount: "sys/policies/acl/", path };
const on = { deletes: true, createMounts: true };

beforeAll(async () => {
  [source, east, west] = await Promise.all([startVault(), startVault(), startVault()]);
  await ok(source.api("POST", "sys/namespaces/team1", { custom_metadata: { owner: "payments" } }));
  await ok(source.api("POST", "sys/namespaces/sub", { custom_metadata: { tier: "gold" } }, "team1/"));
  await mountKv([source], "kv", 2, "team1/sub/");
  for (const name of ["a", "b", "c"]) {
    await ok(source.api("POST", `kv/data/${name}`, { data: { v: name } }, "team1/sub/"));
  }
});
afterAll(async () => {
  await Promise.all([source, east, west].map((v) => v?.stop()));
});

describe("a namespace missing on a destination", () => {
  test("is made once, parents first with the source's custom_metadata, for keys synced side by side", async () => {
    const results = await Promise.all(
      ["a", "b"].map((name) => syncKey(key("team1/sub/", name), source.client, [east.client], on)),
    );
    const done = results.map((r) => r.destinations[0]!.done);
    expect(done.filter((d) => d.includes("create-namespace"))).toHaveLength(1);
    expect((await east.api("GET", "sys/namespaces/team1")).body.data.custom_metadata).toEqual({
      owner: "payments",
    });
    const sub = await east.api("GET", "sys/namespaces/sub", undefined, "team1/");
    expect(sub.body.data.custom_metadata).toEqual({ tier: "gold" });
    for (const name of ["a", "b"]) {
      expect((await east.api("GET", `kv/data/${name}`, undefined, "team1/sub/")).body.data.data).toEqual({
        v: name,
      });
    }
  });

  test("is reported, naming it, when sync.create_mounts is off; nothing is made", async () => {
    const result = await syncKey(key("team1/sub/", "c"), source.client, [west.client], {
      ...on,
      createMounts: false,
    });
    expect(result.destinations[0]).toMatchObject({
      result: "failed",
      error: {
        message: `${west.address}: namespace team1/ does not exist; create it there or turn on sync.create_mounts`,
      },
    });
    expect((await west.api("GET", "sys/namespaces/team1")).status).toBe(404);
  });

  test("is not made for a key the source does not have", async () => {
    const result = await syncKey(key("team1/sub/", "never"), source.client, [west.client], on);
    expect(result.destinations[0]).toMatchObject({ result: "unchanged", done: [] });
    expect((await west.api("GET", "sys/namespaces/team1")).status).toBe(404);
  });

  test("is made for a policy too", async () => {
    const text = 'path "kv/*" {\n  capabilities = ["read"]\n}\n';
    await ok(source.api("PUT", "sys/policies/acl/reader", { policy: text }, "team1/sub/"));
    const result = await syncKey(key("team1/sub/", "reader", "policy"), source.client, [west.client], on);
    expect(result.destinations[0]?.done).toEqual(["create-namespace", "policy-write"]);
    expect((await west.api("GET", "sys/policies/acl/reader", undefined, "team1/sub/")).body.data.policy).toBe(
      text,
    );
  });

  test("deleted on the destination after it was made, it is made again", async () => {
    await ok(east.api("DELETE", "sys/mounts/kv", undefined, "team1/sub/"));
    await ok(east.api("DELETE", "sys/namespaces/sub", undefined, "team1/"));
    const result = await syncKey(key("team1/sub/", "c"), source.client, [east.client], on);
    expect(result.destinations[0]?.done).toEqual(["create-namespace", "create-mount", "kv2-write"]);
  });
});

describe("a destination without namespaces", () => {
  let oss: VaultDouble;
  let client: VaultClient;
  beforeAll(async () => {
    oss = await startVaultDouble();
    client = new VaultClient({ address: oss.address, auth: { method: "token", token: oss.rootToken } });
    // What a server without namespaces answers: sys/namespaces is no route at all.
    const rules = [{ kind: "status", status: 404, path: "sys/namespaces*", errors: ["unsupported path"] }];
    await fetch(`${oss.controlAddress}/_double/faults`, { method: "POST", body: JSON.stringify(rules) });
  });
  afterAll(async () => {
    client.close();
    await oss.stop();
  });

  test("fails every key of the namespace with one message naming the namespace, and writes nothing", async () => {
    const results = await Promise.all(
      ["a", "b"].map((name) => syncKey(key("team1/sub/", name), source.client, [client], on)),
    );
    const errors = results.map((r) => r.destinations[0]?.error);
    const message = `${oss.address} has no namespaces (Vault Enterprise or OpenBao 2.3 and later have them): cannot create namespace team1/ there`;
    expect(errors).toEqual([
      { code: "VAULT_ERROR", message, transient: false },
      { code: "VAULT_ERROR", message, transient: false },
    ]);
    const mounts = await fetch(`${oss.address}/v1/sys/mounts`, {
      headers: { "X-Vault-Token": oss.rootToken },
    });
    const table = (await mounts.json()) as { data: Record<string, unknown> };
    expect(Object.keys(table.data)).not.toContain("kv/");
  });
});

describe("a source token that may not read its namespaces", () => {
  test("still gets the namespace made on destinations, without custom_metadata", async () => {
    const limited = await startVaultDouble();
    const client = new VaultClient({
      address: limited.address,
      auth: { method: "token", token: limited.rootToken },
    });
    const api = (method: string, path: string, body: unknown, namespace = "") =>
      fetch(`${limited.address}/v1/${path}`, {
        method,
        headers: {
          "X-Vault-Token": limited.rootToken,
          ...(namespace ? { "X-Vault-Namespace": namespace } : {}),
        },
        body: JSON.stringify(body),
      });
    try {
      await api("POST", "sys/namespaces/secretive", { custom_metadata: { hidden: "yes" } });
      await api("POST", "sys/mounts/kv", { type: "kv", options: { version: "1" } }, "secretive/");
      await api("PUT", "kv/app", { v: "1" }, "secretive/");
      const rules = [
        {
          kind: "status",
          status: 403,
          method: "GET",
          path: "sys/namespaces/*",
          errors: ["permission denied"],
        },
      ];
      await fetch(`${limited.controlAddress}/_double/faults`, {
        method: "POST",
        body: JSON.stringify(rules),
      });
      const result = await syncKey(
        { kind: "kv", namespace: "secretive/", mount: "kv/", path: "app" },
        client,
        [west.client],
        on,
      );
      expect(result.destinations[0]?.done).toEqual(["create-namespace", "create-mount", "kv1-write"]);
      expect((await west.api("GET", "sys/namespaces/secretive")).body.data.custom_metadata).toEqual({});
      expect((await west.api("GET", "kv/app", undefined, "secretive/")).body.data).toEqual({ v: "1" });
    } finally {
      client.close();
      await limited.stop();
    }
  });
});
