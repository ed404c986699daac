import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { VaultClient } from "../../src/vault/client.ts";
import { VaultCallError } from "../../src/vault/errors.ts";
import { VaultApi } from "../support/vault-api.ts";
import { startVaultDouble, type VaultDouble } from "../support/vault-double/index.ts";

let vault: VaultDouble;
let root: VaultClient;
const v2 = (path: string, namespace = "") => ({ namespace, mount: "secret/", path });
const v1 = (path: string) => ({ namespace: "", mount: "kv/", path });
const api = (method: string, path: string, body?: unknown, token = vault.rootToken) =>
  new VaultApi(vault.address, token).call(method, path, body);
const tokenWith = async (policy: string) => {
  const name = `p${Math.random().toString(36).slice(2, 8)}`;
  await api("PUT", `sys/policies/acl/${name}`, { policy });
  const token = (await api("POST", "auth/token/create", { policies: [name] })).body.auth.client_token;
  return new VaultClient({ address: vault.address, auth: { method: "token", token } });
};

beforeAll(async () => {
  vault = await startVaultDouble();
  root = new VaultClient({ address: vault.address, auth: { method: "token", token: vault.rootToken } });
  await api("POST", "sys/mounts/kv", { type: "kv", options: { version: "1" } });
});
afterAll(async () => {
  root?.close();
  await vault?.stop();
});

describe("KV v1 through the client", () => {
  test("writes, reads, lists and deletes a secret; an absent one reads as null", async () => {
    expect(await root.kv1.read(v1("a/b"))).toBeNull();
    await root.kv1.write(v1("a/b"), { pw: "x" });
    expect(await root.kv1.read(v1("a/b"))).toEqual({ pw: "x" });
    expect(await root.kv1.list(v1(""))).toEqual(["a/"]);
    expect(await root.kv1.list(v1("a"))).toEqual(["b"]);
    await root.kv1.delete(v1("a/b"));
    expect(await root.kv1.read(v1("a/b"))).toBeNull();
    expect(await root.kv1.list(v1("a"))).toEqual([]);
  });
});

describe("KV v2 through the client", () => {
  test("tells live, soft-deleted, destroyed and absent versions apart", async () => {
    expect(await root.kv2.readData(v2("s"))).toEqual({ state: "absent" });
    expect(await root.kv2.writeData(v2("s"), { n: "1" })).toBe(1);
    expect(await root.kv2.writeData(v2("s"), { n: "2" }, 1)).toBe(2);
    expect(await root.kv2.readData(v2("s"))).toMatchObject({ state: "live", version: 2, data: { n: "2" } });
    expect(await root.kv2.readData(v2("s"), 1)).toMatchObject({
      state: "live",
      version: 1,
      data: { n: "1" },
    });
    await root.kv2.deleteLatest(v2("s"));
    expect(await root.kv2.readData(v2("s"))).toMatchObject({ state: "deleted", version: 2 });
    await root.kv2.undeleteVersions(v2("s"), [2]);
    expect((await root.kv2.readData(v2("s"))).state).toBe("live");
    await root.kv2.deleteVersions(v2("s"), [1]);
    expect(await root.kv2.readData(v2("s"), 1)).toMatchObject({ state: "deleted", version: 1 });
    await root.kv2.destroyVersions(v2("s"), [2]);
    expect(await root.kv2.readData(v2("s"))).toMatchObject({ state: "destroyed", version: 2 });
    expect(await root.kv2.readData(v2("s"), 9)).toEqual({ state: "absent" });
  });

  test("reads and writes the metadata settings, and deletes the whole key", async () => {
    await root.kv2.writeData(v2("m"), { a: "1" });
    await root.kv2.writeMetadata(v2("m"), {
      max_versions: 4,
      cas_required: true,
      delete_version_after: "30m",
      custom_metadata: { team: "a" },
    });
    const meta = await root.kv2.readMetadata(v2("m"));
    expect(meta?.settings).toEqual({
      max_versions: 4,
      cas_required: true,
      delete_version_after: "30m0s",
      custom_metadata: { team: "a" },
    });
    expect(meta?.current_version).toBe(1);
    expect(Object.keys(meta?.versions ?? {})).toEqual(["1"]);
    expect(await root.kv2.list(v2(""))).toContain("m");
    await root.kv2.deleteMetadata(v2("m"));
    expect(await root.kv2.readMetadata(v2("m"))).toBeNull();
  });

  test("calls a check-and-set mismatch a conflict worth retrying, and a missing cas a bad request", async () => {
    await root.kv2.writeData(v2("c"), { a: "1" });
    const conflict = await root.kv2.writeData(v2("c"), { a: "2" }, 5).catch((e) => e);
    expect(conflict).toBeInstanceOf(VaultCallError);
    expect([conflict.reason, conflict.status, conflict.transient]).toEqual(["conflict", 400, true]);
    await root.kv2.writeMetadata(v2("c"), { cas_required: true });
    const missing = await root.kv2.writeData(v2("c"), { a: "2" }).catch((e) => e);
    expect([missing.reason, missing.vaultMessage, missing.transient]).toEqual([
      "bad-request",
      "check-and-set parameter required for this call",
      false,
    ]);
  });
});

describe("policies through the client", () => {
  test("write, read, list and delete, with names lowercased as Vault does", async () => {
    await root.policies.write("", "Deployers", 'path "kv/*" { capabilities = ["read"] }');
    expect(await root.policies.read("", "deployers")).toBe('path "kv/*" { capabilities = ["read"] }');
    expect(await root.policies.list("")).toContain("deployers");
    await root.policies.delete("", "DEPLOYERS");
    expect(await root.policies.read("", "deployers")).toBeNull();
  });
});

describe("mounts through the client", () => {
  test("finds a mount and its KV version in the mount table, and null for none", async () => {
    expect(await root.mounts.find("", "secret/")).toMatchObject({ type: "kv", kvVersion: 2 });
    expect(await root.mounts.find("", "kv")).toMatchObject({ type: "kv", kvVersion: 1 });
    expect(await root.mounts.find("", "nothing/")).toBeNull();
  });

  test("falls back to sys/internal/ui/mounts for a token that may not read sys/mounts", async () => {
    const narrow = await tokenWith('path "secret/data/*" { capabilities = ["read"] }');
    expect(await narrow.mounts.find("", "secret/")).toMatchObject({ path: "secret/", kvVersion: 2 });
    expect(await narrow.mounts.find("", "kv/")).toBeNull(); // hidden from it: Vault says 403
    narrow.close();
  });

  test("creates a mount, sees it at once, and calls a second creation a conflict", async () => {
    expect(await root.mounts.find("", "made/")).toBeNull();
    await root.mounts.create("", "made/", {
      type: "kv",
      description: "made here",
      options: { version: "2" },
    });
    expect(await root.mounts.find("", "made/")).toEqual({
      path: "made/",
      type: "kv",
      description: "made here",
      options: { version: "2" },
      kvVersion: 2,
    });
    const again = await root.mounts.create("", "made/", { type: "kv" }).catch((e) => e);
    expect(again).toBeInstanceOf(VaultCallError);
    expect(again.reason).toBe("conflict");
  });
});

describe("making sure a mount is there", () => {
  test("keys of one new mount asking at once share one creation; only the first hears it made", async () => {
    vault.ctx.stats.reset();
    const spec = { type: "kv", options: { version: "2" } };
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => root.mounts.ensure("", "shared/", spec)),
    );
    expect(answers.sort()).toEqual(["created", "existing", "existing", "existing", "existing"]);
    expect(vault.ctx.stats.byMethod.POST).toBe(1);
    expect(await root.mounts.find("", "shared/")).toMatchObject({ type: "kv", kvVersion: 2 });
  });

  test("a mount of the wanted kind someone else made first is success, after a fresh look", async () => {
    const other = new VaultClient({
      address: vault.address,
      auth: { method: "token", token: vault.rootToken },
    });
    expect(await other.mounts.find("", "raced/")).toBeNull();
    await api("POST", "sys/mounts/raced", { type: "kv", options: { version: "2" } });
    // `other` still believes there is no mount, and is told "path is already in use".
    expect(await other.mounts.ensure("", "raced/", { type: "kv", options: { version: "2" } })).toBe(
      "existing",
    );
    other.close();
  });

  test("a mount of another kind in the way is a failure that names both kinds, not worth retrying", async () => {
    await api("POST", "sys/mounts/taken", { type: "kv", options: { version: "1" } });
    const error = await root.mounts
      .ensure("", "taken/", { type: "kv", options: { version: "2" } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VaultCallError);
    expect((error as VaultCallError).transient).toBe(false);
    expect((error as VaultCallError).message).toBe(
      `${vault.address}: POST sys/mounts/taken failed: 400 path is already in use at taken/: KV v1 is there, not KV v2`,
    );
  });
});

describe("namespaces through the client", () => {
  test("reads and writes inside the namespace each call names", async () => {
    await api("POST", "sys/namespaces/team-b");
    await fetch(`${vault.address}/v1/sys/mounts/secret`, {
      method: "POST",
      headers: { "X-Vault-Token": vault.rootToken, "X-Vault-Namespace": "team-b/" },
      body: JSON.stringify({ type: "kv", options: { version: "2" } }),
    });
    await root.kv2.writeData(v2("in-ns", "team-b/"), { where: "team-b" });
    expect(await root.kv2.readData(v2("in-ns", "team-b/"))).toMatchObject({ data: { where: "team-b" } });
    expect(await root.kv2.readData(v2("in-ns"))).toEqual({ state: "absent" });
    expect(await root.mounts.find("team-b/", "secret/")).toMatchObject({ kvVersion: 2 });
  });
});

describe("health and identity", () => {
  test("keeps sys/health's status: 200 active, 429 standby, 503 sealed", async () => {
    const control = (route: string, body: unknown) =>
      fetch(`${vault.address}/_double/${route}`, { method: "POST", body: JSON.stringify(body) });
    expect((await root.health()).status).toBe(200);
    await control("standby", { standby: true });
    expect((await root.health()).status).toBe(429);
    await control("standby", { standby: false });
    await control("seal", {});
    expect((await root.health()).status).toBe(503);
    await control("unseal", {});
  });

  test("looks up its own token", async () => {
    expect(await root.tokenInfo()).toEqual({ ttl: 0, renewable: false, policies: ["root"] });
  });
});
