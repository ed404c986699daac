import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { syncKey } from "../../src/sync/sync.ts";
import { POLICY_MOUNT, type SyncKey } from "../../src/sync-key.ts";
import { VaultClient } from "../../src/vault/client.ts";
import type { MountInfo } from "../../src/vault/mounts.ts";
import { mountKv, ok, startVault, type Vault } from "./vault-fixture.ts";

let source: Vault;
let east: Vault;
let west: Vault;
const options = { deletes: true, createMounts: true };
const v2: SyncKey = { kind: "kv", namespace: "", mount: "secret/", path: "app" };
const v1: SyncKey = { kind: "kv", namespace: "", mount: "kv/", path: "app" };
const admins: SyncKey = { kind: "policy", namespace: "", mount: POLICY_MOUNT, path: "admins" };
const SECRET_MOUNT: MountInfo = {
  path: "secret/",
  type: "kv",
  description: "",
  options: { version: "2" },
  kvVersion: 2,
};

/**
 * Tells a double to misbehave (see the double's README: fault injection). A "refuse" rule stops
 * the listener at once, so the connection carrying the rule itself is reset: that is expected.
 */
async function control(vault: Vault, route: string, body?: unknown): Promise<void> {
  const refusing = Array.isArray(body) && body.some((rule) => rule.kind === "refuse");
  try {
    await fetch(`${vault.address}/_double/${route}`, {
      method: body === undefined && route === "faults" ? "DELETE" : "POST",
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (error) {
    if (!refusing) throw error;
  }
}

beforeAll(async () => {
  [source, east, west] = await Promise.all([startVault(), startVault(), startVault()]);
  await mountKv([source, east, west], "kv", 1);
  for (const vault of [source, east, west]) {
    await ok(vault.api("POST", "secret/data/app", { data: { pw: "kept" } }));
    await ok(vault.api("PUT", "kv/app", { pw: "kept" }));
    await ok(vault.api("PUT", "sys/policies/acl/admins", { policy: 'path "a" {}' }));
  }
});
afterEach(async () => {
  for (const vault of [source, east, west]) {
    await control(vault, "faults");
    await control(vault, "unseal");
  }
});
afterAll(async () => {
  await Promise.all([source, east, west].map((v) => v?.stop()));
});

/** Every destination still holds what it held before the failed sync. */
async function destinationsUntouched(): Promise<void> {
  for (const vault of [east, west]) {
    expect((await vault.api("GET", "secret/data/app")).body.data.data).toEqual({ pw: "kept" });
    expect((await vault.api("GET", "secret/metadata/app")).body.data.current_version).toBe(1);
    expect((await vault.api("GET", "kv/app")).body.data).toEqual({ pw: "kept" });
    expect((await vault.api("GET", "sys/policies/acl/admins")).body.data.policy).toBe('path "a" {}');
  }
}

describe("a source that cannot be read", () => {
  test.each<[string, unknown, SyncKey, string, number | undefined]>([
    [
      "500 on the metadata read",
      [{ kind: "status", status: 500, path: "secret/metadata/app", errors: ["internal error"] }],
      v2,
      "server-error",
      500,
    ],
    [
      "500 on the data read after good metadata",
      [{ kind: "status", status: 500, path: "secret/data/app" }],
      v2,
      "server-error",
      500,
    ],
    [
      "429 rate limited",
      [{ kind: "status", status: 429, path: "kv/*", errors: ["rate limit quota exceeded"] }],
      v1,
      "rate-limited",
      429,
    ],
    [
      "403 on a KV v1 read",
      [{ kind: "status", status: 403, path: "kv/app", errors: ["permission denied"] }],
      v1,
      "permission-denied",
      403,
    ],
    [
      "404 with a message",
      [{ kind: "status", status: 404, path: "kv/app", errors: ["no handler for route"] }],
      v1,
      "no-route",
      404,
    ],
    [
      "503 on a policy read",
      [{ kind: "status", status: 503, path: "sys/policies/acl/*" }],
      admins,
      "sealed",
      503,
    ],
    ["refused connections", [{ kind: "refuse", ms: 400 }], v2, "unreachable", undefined],
  ])("answering %s deletes nothing and asks for a retry", async (_, rules, key, reason, status) => {
    await control(source, "faults", rules);
    const result = await syncKey(key, source.client, [east.client, west.client], {
      ...options,
      sourceMount: key.mount === "secret/" ? SECRET_MOUNT : undefined,
    });
    expect(result.sourceError?.reason).toBe(reason);
    expect(result.sourceError?.status).toBe(status);
    expect(result.sourceError?.transient).toBe(true);
    expect(result.destinations.map((d) => [d.result, d.done])).toEqual([
      ["retry", []],
      ["retry", []],
    ]);
    if (reason === "unreachable") await Bun.sleep(450); // the refusal ends by itself
    await control(source, "faults");
    await destinationsUntouched();
  });

  test("sealed deletes nothing and asks for a retry", async () => {
    await control(source, "seal", {});
    for (const key of [v1, v2, admins]) {
      const result = await syncKey(key, source.client, [east.client, west.client], options);
      expect(result.destinations.map((d) => d.result)).toEqual(["retry", "retry"]);
    }
    await control(source, "unseal", {});
    await destinationsUntouched();
  });

  test("slower than the timeout deletes nothing and asks for a retry", async () => {
    const impatient = new VaultClient({
      address: source.address,
      auth: { method: "token", token: source.rootToken },
      timeoutMs: 150,
    });
    await control(source, "faults", [{ kind: "latency", ms: 1000, path: "secret/*" }]);
    const result = await syncKey(v2, impatient, [east.client, west.client], {
      ...options,
      sourceMount: SECRET_MOUNT,
    });
    expect(result.sourceError?.reason).toBe("timeout");
    expect(result.destinations.map((d) => d.result)).toEqual(["retry", "retry"]);
    impatient.close();
    await control(source, "faults");
    await destinationsUntouched();
  });

  test("whose token may not read the key (a real ACL denial) deletes nothing and names the capability", async () => {
    await ok(
      source.api("PUT", "sys/policies/acl/list-only", {
        policy: 'path "secret/metadata/*" { capabilities = ["list"] }',
      }),
    );
    const created = await ok(source.api("POST", "auth/token/create", { policies: ["list-only"] }));
    const limited = new VaultClient({
      address: source.address,
      auth: { method: "token", token: created.auth.client_token },
    });
    const result = await syncKey(v2, limited, [east.client, west.client], {
      ...options,
      sourceMount: SECRET_MOUNT,
    });
    expect(result.sourceError?.reason).toBe("permission-denied");
    expect(result.sourceError?.message).toContain('needs "read" on "secret/metadata/app"');
    expect(result.destinations.map((d) => d.result)).toEqual(["retry", "retry"]);
    expect(result.sourceError?.message).not.toContain(created.auth.client_token);
    limited.close();
    await destinationsUntouched();
  });
});

describe("a destination that fails", () => {
  test("does not hold back the other destination, and is retried when the failure is transient", async () => {
    await ok(source.api("PUT", "kv/app", { pw: "new" }));
    await control(east, "seal", {});
    const result = await syncKey(v1, source.client, [east.client, west.client], options);
    expect(result.destinations.map((d) => [d.result, d.error?.reason])).toEqual([
      ["retry", "sealed"],
      ["written", undefined],
    ]);
    expect((await west.api("GET", "kv/app")).body.data).toEqual({ pw: "new" });
    await control(east, "unseal", {});
    expect((await east.api("GET", "kv/app")).body.data).toEqual({ pw: "kept" });
    await ok(source.api("PUT", "kv/app", { pw: "kept" }));
    await syncKey(v1, source.client, [east.client, west.client], options);
  });

  test("that refuses a write reports a permanent failure naming the path and capability", async () => {
    await ok(
      east.api("PUT", "sys/policies/acl/read-only", {
        policy: 'path "kv/*" { capabilities = ["read"] }\npath "sys/mounts" { capabilities = ["read"] }',
      }),
    );
    const created = await ok(east.api("POST", "auth/token/create", { policies: ["read-only"] }));
    const readOnly = new VaultClient({
      address: east.address,
      auth: { method: "token", token: created.auth.client_token },
    });
    await ok(source.api("PUT", "kv/app", { pw: "newer" }));
    const [outcome] = (await syncKey(v1, source.client, [readOnly], options)).destinations;
    expect(outcome?.result).toBe("failed");
    expect(outcome?.error?.message).toBe(
      `${east.address} denied PUT kv/app: the token needs "create" or "update" on "kv/app" ` +
        '(policy line: path "kv/app" { capabilities = ["create", "update"] })',
    );
    readOnly.close();
    await ok(source.api("PUT", "kv/app", { pw: "kept" }));
  });
});
