import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { compileScope } from "../../src/audit/scope.ts";
import { passTargets, type WalkedKey, walkKeys } from "../../src/reconcile/walk.ts";
import type { SyncKey } from "../../src/sync-key.ts";
import { mountKv, ok, startVault, type Vault } from "../sync/vault-fixture.ts";

let source: Vault;
let east: Vault;
let west: Vault;

beforeAll(async () => {
  [source, east, west] = await Promise.all([startVault(), startVault(), startVault()]);
  await mountKv([source, east], "kv", 1);
  await mountKv([west], "kv", 2);
  await ok(source.api("POST", "sys/mounts/transit", { type: "transit" }));
  for (const path of ["b", "a/x", "a/y/z", "c/"]) {
    if (!path.endsWith("/")) await ok(source.api("POST", `secret/data/${path}`, { data: { v: path } }));
  }
  await ok(source.api("PUT", "kv/one", { v: "1" }));
  await ok(source.api("PUT", "kv/deep/two", { v: "2" }));
  await ok(source.api("PUT", "sys/policies/acl/ops", { policy: 'path "x" { capabilities = ["read"] }' }));
  // Only the destinations have these.
  await ok(east.api("POST", "secret/data/a/extra", { data: { v: "e" } }));
  await ok(east.api("PUT", "kv/deep/stray", { v: "s" }));
  await ok(east.api("PUT", "sys/policies/acl/legacy", { policy: 'path "y" { capabilities = ["read"] }' }));
  // Soft-deleted: its metadata is still listed, so a pass still sees the key.
  await ok(source.api("POST", "secret/data/gone", { data: { v: "g" } }));
  await ok(source.api("DELETE", "secret/data/gone"));
});
afterAll(async () => {
  await Promise.all([source, east, west].map((v) => v?.stop()));
});

const label = (key: SyncKey) =>
  key.kind === "policy" ? `policy ${key.namespace}${key.path}` : `${key.namespace}${key.mount}${key.path}`;
const names = (keys: WalkedKey[]) =>
  keys.map(({ key, onSource }) => `${label(key)}${onSource ? "" : " (extra)"}`);

async function walk(options: { destinations?: Vault[]; scope?: Parameters<typeof compileScope>[0] } = {}) {
  const scope = compileScope(options.scope);
  const errors: string[] = [];
  const targets = await passTargets(source.client, [""], scope);
  const keys: WalkedKey[] = [];
  for await (const key of walkKeys(source.client, targets, {
    scope,
    destinations: (options.destinations ?? []).map((d) => d.client),
    onDestinationError: (destination, where, error) =>
      errors.push(
        `${destination === east.address ? "east" : "west"} ${where.mount}${where.path}: ${String(error)}`,
      ),
  })) {
    keys.push(key);
  }
  return { keys, errors };
}

describe("walking the source", () => {
  test("lists every key of every KV mount and every policy but root, depth first in sorted order", async () => {
    const { keys } = await walk();
    expect(names(keys)).toEqual([
      "policy default",
      "policy ops",
      "kv/deep/two",
      "kv/one",
      "secret/a/x",
      "secret/a/y/z",
      "secret/b",
      "secret/gone",
    ]);
  });

  test("gives each KV key the source's mount, so a sync need not look it up", async () => {
    const { keys } = await walk();
    const one = keys.find((k) => k.key.path === "one")!;
    expect(one.sourceMount).toMatchObject({ path: "kv/", type: "kv", kvVersion: 1 });
  });

  test("keeps to the scope: the mounts, the globs, and policies only when asked", async () => {
    const { keys } = await walk({
      scope: { mounts: ["secret/"], exclude: ["secret/a/y/**"], policies: false },
    });
    expect(names(keys)).toEqual(["secret/a/x", "secret/b", "secret/gone"]);
  });
});

describe("walking a namespace", () => {
  test("a walk from the root reaches the namespace below it: its own mounts and policies, keys carrying the namespace", async () => {
    await ok(source.api("POST", "sys/namespaces/team-a"));
    await mountKv([source], "apps", 2, "team-a/");
    await ok(source.api("POST", "apps/data/web", { data: { v: "1" } }, "team-a/"));
    await ok(
      source.api(
        "PUT",
        "sys/policies/acl/team-ops",
        { policy: 'path "x" { capabilities = ["read"] }' },
        "team-a/",
      ),
    );
    const scope = compileScope();
    const targets = await passTargets(source.client, [""], scope);
    const keys: SyncKey[] = [];
    for await (const walked of walkKeys(source.client, targets, {
      scope,
      destinations: [],
      onDestinationError() {},
    })) {
      if (walked.key.namespace === "team-a/") keys.push(walked.key);
    }
    expect(keys).toEqual([
      { kind: "policy", namespace: "team-a/", mount: "sys/policies/acl/", path: "default" },
      { kind: "policy", namespace: "team-a/", mount: "sys/policies/acl/", path: "team-ops" },
      { kind: "kv", namespace: "team-a/", mount: "apps/", path: "web" },
    ]);
  });

  test('sync.namespaces narrows the walk to the namespaces its globs match; "" is the root', async () => {
    const only = async (namespaces: string[]) => [
      ...new Set((await walk({ scope: { namespaces } })).keys.map((k) => k.key.namespace)),
    ];
    expect(await only(["team-a/**"])).toEqual(["team-a/"]);
    expect(await only([""])).toEqual([""]);
    expect(await only(["*"])).toEqual(["team-a/"]);
    expect(await only(["", "team-b/**"])).toEqual([""]);
  });
});

describe("walking the destinations beside the source", () => {
  test("finds keys only a destination holds, in the same order", async () => {
    const { keys, errors } = await walk({ destinations: [east, west] });
    expect(errors).toEqual([]);
    expect(names(keys)).toEqual([
      "policy default",
      "policy legacy (extra)",
      "policy ops",
      "kv/deep/stray (extra)",
      "kv/deep/two",
      "kv/one",
      "secret/a/extra (extra)",
      "secret/a/x",
      "secret/a/y/z",
      "secret/b",
      "secret/gone",
      "policy team-a/default",
      "policy team-a/team-ops",
      "team-a/apps/web",
    ]);
  });

  test("a destination whose mount is another KV version is not listed there: no extras come from it", async () => {
    await ok(west.api("PUT", "kv/data/only-west", { data: { v: "w" } }));
    const { keys } = await walk({ destinations: [west] });
    expect(names(keys).filter((n) => n.includes("extra"))).toEqual([]);
  });

  test("a destination that fails a LIST is reported and the walk goes on without it", async () => {
    const rule = { kind: "status", status: 500, path: "secret/metadata/a/", errors: ["boom"] };
    await fetch(`${east.address}/_double/faults`, { method: "POST", body: JSON.stringify([rule]) });
    try {
      const { keys, errors } = await walk({ destinations: [east] });
      expect(errors).toHaveLength(1);
      expect(errors[0]).toStartWith("east secret/a/: ");
      expect(names(keys)).toContain("secret/a/x");
      expect(names(keys)).not.toContain("secret/a/extra (extra)");
      expect(names(keys)).toContain("kv/deep/stray (extra)");
    } finally {
      await fetch(`${east.address}/_double/faults`, { method: "DELETE" });
    }
  });

  test("a LIST the source fails ends the walk with that error", async () => {
    const rule = { kind: "status", status: 503, path: "kv/", errors: ["Vault is sealed"] };
    await fetch(`${source.address}/_double/faults`, { method: "POST", body: JSON.stringify([rule]) });
    try {
      await expect(walk()).rejects.toThrow(/sealed/i);
    } finally {
      await fetch(`${source.address}/_double/faults`, { method: "DELETE" });
    }
  });
});
