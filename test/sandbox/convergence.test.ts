import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  canonical,
  differences,
  kvMounts,
  snapshot,
  waitForConvergence,
} from "../../scripts/sandbox/convergence.ts";
import { mountKv1, writeDemoData } from "../../scripts/sandbox/demo-data.ts";
import { vaultCall } from "../../scripts/sandbox/vault-http.ts";
import { startVaultDouble, type VaultDouble } from "../support/vault-double/index.ts";

describe("comparing snapshots", () => {
  test.each([
    ["equal", [["a", "1"]], [["a", "1"]], []],
    ["a key the destination lacks", [["a", "1"]], [], ["a is missing"]],
    ["a key with other content", [["a", "1"]], [["a", "2"]], ["a differs"]],
    ["a key only the destination has", [], [["policy ops", '"x"']], ["policy ops is not on the source"]],
    [
      "several, sorted",
      [
        ["b", "1"],
        ["a", "1"],
      ],
      [
        ["c", "1"],
        ["a", "2"],
      ],
      ["a differs", "b is missing", "c is not on the source"],
    ],
  ] as [string, [string, string][], [string, string][], string[]][])(
    "%s",
    (_name, source, destination, expected) => {
      expect(differences(new Map(source), new Map(destination))).toEqual(expected);
    },
  );

  test.each([
    ["keys sorted", { b: 1, a: 2 }, '{"a":2,"b":1}'],
    ["nested objects sorted, arrays kept in order", { a: [{ d: 1, c: 2 }, 3] }, '{"a":[{"c":2,"d":1},3]}'],
    ["a marker string", "(deleted)", '"(deleted)"'],
    ["null", null, "null"],
  ])("canonical JSON: %s", (_name, value, text) => {
    expect(canonical(value)).toBe(text);
  });
});

describe("reading the servers themselves", () => {
  let source: VaultDouble;
  let good: VaultDouble;
  let stale: VaultDouble;

  beforeAll(async () => {
    [source, good, stale] = await Promise.all([startVaultDouble(), startVaultDouble(), startVaultDouble()]);
    for (const vault of [source, good]) {
      await mountKv1(vault.address);
      await writeDemoData(vault.address, () => {});
    }
    // The stale destination has one KV v2 secret with other content and no kv/ mount at all.
    await vaultCall(stale.address, "POST", "secret/data/app/db", { data: { password: "old" } });
  });
  afterAll(async () => {
    await Promise.all([source, good, stale].map((vault) => vault.stop()));
  });

  test("finds the KV mounts of both versions", async () => {
    expect(await kvMounts(source.address)).toEqual([
      { path: "kv/", version: 1 },
      { path: "secret/", version: 2 },
    ]);
  });

  test("a snapshot holds every secret of both KV versions and every policy but root", async () => {
    const shot = await snapshot(source.address, await kvMounts(source.address));
    expect([...shot.keys()].sort()).toEqual([
      "kv/legacy/ldap",
      "kv/legacy/smtp",
      "policy app-readonly",
      "policy default",
      "secret/app/api",
      "secret/app/db",
      "secret/team-a/payments",
    ]);
    expect(shot.get("secret/app/db")).toBe('{"password":"demo-db-password","username":"app"}');
  });

  test("a soft-deleted KV v2 secret is told apart from one with data", async () => {
    await vaultCall(good.address, "POST", "secret/data/gone", { data: { a: "1" } });
    await vaultCall(good.address, "DELETE", "secret/data/gone");
    const shot = await snapshot(good.address, await kvMounts(good.address));
    expect(shot.get("secret/gone")).toBe('"(deleted)"');
    await vaultCall(good.address, "DELETE", "secret/metadata/gone");
  });

  test("a destination holding the same is equal; a stale one is named with what it gets wrong", async () => {
    const verdict = await waitForConvergence(
      source.address,
      [
        { name: "dest-1", address: good.address },
        { name: "dest-2", address: stale.address },
      ],
      0,
    );
    expect(verdict.equal).toBe(false);
    expect({ secrets: verdict.secrets, policies: verdict.policies }).toEqual({ secrets: 5, policies: 2 });
    expect([...verdict.differences.keys()]).toEqual(["dest-2"]);
    expect(verdict.differences.get("dest-2")).toEqual([
      "kv/legacy/ldap is missing",
      "kv/legacy/smtp is missing",
      "policy app-readonly is missing",
      "secret/app/api is missing",
      "secret/app/db differs",
      "secret/team-a/payments is missing",
    ]);
  });
});
