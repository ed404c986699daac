import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { syncKey } from "../../src/sync/sync.ts";
import { POLICY_MOUNT, type SyncKey } from "../../src/sync-key.ts";
import { ok, startVault, type Vault } from "./vault-fixture.ts";

let source: Vault;
let east: Vault;
let west: Vault;
const options = { deletes: true, createMounts: true };
const policy = (name: string): SyncKey => ({
  kind: "policy",
  namespace: "",
  mount: POLICY_MOUNT,
  path: name,
});
const sync = async (name: string, opts = options) =>
  (await syncKey(policy(name), source.client, [east.client, west.client], opts)).destinations.map((d) => [
    d.result,
    d.done,
    d.skipped,
  ]);
const text = async (vault: Vault, name: string) =>
  (await vault.api("GET", `sys/policies/acl/${name}`)).body?.data?.policy;
const ADMINS = 'path "secret/*" {\n  capabilities = ["read", "list"]\n}\n';

beforeAll(async () => {
  [source, east, west] = await Promise.all([startVault(), startVault(), startVault()]);
});
afterAll(async () => {
  await Promise.all([source, east, west].map((v) => v?.stop()));
});

describe("syncing an ACL policy", () => {
  test("creates a policy on every destination with the source's exact text", async () => {
    await ok(source.api("PUT", "sys/policies/acl/admins", { policy: ADMINS }));
    expect(await sync("admins")).toEqual([
      ["written", ["policy-write"], []],
      ["written", ["policy-write"], []],
    ]);
    expect(await text(east, "admins")).toBe(ADMINS);
    expect(await text(west, "admins")).toBe(ADMINS);
  });

  test("writes nothing when the text is already equal", async () => {
    expect(await sync("admins")).toEqual([
      ["unchanged", [], []],
      ["unchanged", [], []],
    ]);
  });

  test("updates a policy changed through the legacy sys/policy API", async () => {
    const changed = `${ADMINS}path "kv/*" { capabilities = ["read"] }\n`;
    await ok(source.api("PUT", "sys/policy/admins", { rules: changed }));
    expect((await sync("admins")).map(([result]) => result)).toEqual(["written", "written"]);
    expect(await text(east, "admins")).toBe(changed);
  });

  test("finds a policy written with capitals under its lowercased name", async () => {
    await ok(source.api("PUT", "sys/policies/acl/Ops", { policy: ADMINS }));
    expect((await sync("Ops")).map(([result]) => result)).toEqual(["written", "written"]);
    expect(await text(east, "ops")).toBe(ADMINS);
  });

  test("deletes a policy the source deleted", async () => {
    await ok(source.api("DELETE", "sys/policies/acl/admins"));
    expect(await sync("admins")).toEqual([
      ["deleted", ["policy-delete"], []],
      ["deleted", ["policy-delete"], []],
    ]);
    expect((await east.api("GET", "sys/policies/acl/admins")).status).toBe(404);
  });

  test("keeps a deleted policy on the destinations when deletes are off", async () => {
    await ok(east.api("PUT", "sys/policies/acl/legacy", { policy: ADMINS }));
    expect((await sync("legacy", { ...options, deletes: false }))[0]).toEqual([
      "skipped",
      [],
      ["deletes-off"],
    ]);
    expect(await text(east, "legacy")).toBe(ADMINS);
  });

  test("updates default when the source's differs, but never deletes it", async () => {
    const custom = `${await text(source, "default")}\npath "extra/*" { capabilities = ["read"] }\n`;
    await ok(source.api("PUT", "sys/policies/acl/default", { policy: custom }));
    expect((await sync("default")).map(([result]) => result)).toEqual(["written", "written"]);
    expect(await text(west, "default")).toBe(custom);
  });

  test("never deletes default, even when the source answers that it has none", async () => {
    // Vault itself refuses to delete default; a source that says "absent" must still not spread it.
    const before = await text(east, "default");
    const rules = [{ kind: "status", status: 404, path: "sys/policies/acl/default", errors: [] }];
    await fetch(`${source.address}/_double/faults`, { method: "POST", body: JSON.stringify(rules) });
    expect(await sync("default")).toEqual([
      ["skipped", [], ["default-policy"]],
      ["skipped", [], ["default-policy"]],
    ]);
    await fetch(`${source.address}/_double/faults`, { method: "DELETE" });
    expect(await text(east, "default")).toBe(before);
  });

  test("never reads or writes root", async () => {
    const before = await text(east, "root");
    expect(await sync("root")).toEqual([
      ["skipped", [], ["root-policy"]],
      ["skipped", [], ["root-policy"]],
    ]);
    expect(await text(east, "root")).toBe(before);
  });
});
