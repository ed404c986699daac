// The core end-to-end scenarios of test/e2e (KV v1, KV v2 with every delete form and its metadata
// settings, ACL policies, a restart), run against real OpenBao dev servers instead of the Vault
// double: a source and two destinations, Courier as a process listening over UDP.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { onEveryDestination, problems, stillOnEveryDestination } from "../e2e/everywhere.ts";
import { sendAuditLines } from "../support/audit-sender.ts";
import { localBao } from "../support/openbao.ts";
import { type BaoHarness, startBaoHarness } from "../support/openbao-harness.ts";
import { encodePath, type VaultApi } from "../support/vault-api.ts";

const READ_APP = 'path "secret/data/app/*" {\n  capabilities = ["read"]\n}\n';
const WRITE_APP = 'path "secret/data/app/*" {\n  capabilities = ["create", "update"]\n}\n';
// Real servers answer more slowly than the double, above all on a busy machine.
const WAIT = { timeoutMs: 10_000, everyMs: 25 };
setDefaultTimeout(20_000);

describe.skipIf(!localBao)("the core scenarios on real OpenBao", () => {
  let h: BaoHarness;
  beforeAll(async () => {
    // kv1/ exists only on the source: Courier makes it on the destinations.
    h = await startBaoHarness({ prepare: (source) => source.mount("kv1", "kv", { version: "1" }) });
  }, 30_000);
  afterAll(async () => {
    expect(await h?.stop()).toBe(0);
  });

  const write = (path: string, data: Record<string, unknown>) =>
    h.source.must("POST", `secret/data/${path}`, { data });

  /** A real response entry of the source's trail, rewritten to claim another path and operation. */
  function forged(path: string, operation: string): string {
    const real = h
      .trail()
      .find((e) => e.entry.type === "response" && e.entry.request.path.startsWith("sys/policies/acl/"));
    const entry = structuredClone(real!.entry);
    entry.request.path = path;
    entry.request.operation = operation;
    return JSON.stringify(entry);
  }

  test("KV v1: a create, an update and a delete each reach every destination", async () => {
    await h.source.must("PUT", "kv1/app/db", { user: "app", password: "one" });
    await onEveryDestination(
      h,
      async (d) => expect(await d.kv1Data("kv1", "app/db")).toEqual({ user: "app", password: "one" }),
      WAIT,
    );
    await h.source.must("PUT", "kv1/app/db", { user: "app", password: "two", ttl: "1h" });
    await onEveryDestination(
      h,
      async (d) =>
        expect(await d.kv1Data("kv1", "app/db")).toEqual({ user: "app", password: "two", ttl: "1h" }),
      WAIT,
    );
    await h.source.must("DELETE", "kv1/app/db");
    await onEveryDestination(h, async (d) => expect(await d.kv1Data("kv1", "app/db")).toBeNull(), WAIT);
  });

  test("KV v1: a delete right after a create leaves nothing on the destinations", async () => {
    await h.source.must("PUT", "kv1/quick/a", { v: "1" });
    await h.source.must("DELETE", "kv1/quick/a");
    await h.source.must("PUT", "kv1/quick/marker", { v: "1" });
    await onEveryDestination(
      h,
      async (d) => expect(await d.kv1Data("kv1", "quick/marker")).not.toBeNull(),
      WAIT,
    );
    await onEveryDestination(h, async (d) => expect(await d.kv1Data("kv1", "quick/a")).toBeNull(), WAIT);
    await stillOnEveryDestination(h, async (d) => expect(await d.kv1Data("kv1", "quick/a")).toBeNull());
  });

  test("KV v2: a create and an update arrive as versions 1 and 2", async () => {
    await write("app/db", { user: "app", password: "one" });
    await onEveryDestination(
      h,
      async (d) => {
        expect(await d.kv2Data("secret", "app/db")).toEqual({ user: "app", password: "one" });
        expect((await d.kv2Metadata("secret", "app/db")).current_version).toBe(1);
      },
      WAIT,
    );
    await write("app/db", { user: "app", password: "two" });
    await onEveryDestination(
      h,
      async (d) => {
        expect(await d.kv2Data("secret", "app/db")).toEqual({ user: "app", password: "two" });
        expect((await d.kv2Metadata("secret", "app/db")).current_version).toBe(2);
      },
      WAIT,
    );
  });

  test("KV v2: DELETE data/ soft-deletes the latest version everywhere, adding no version", async () => {
    await write("soft/a", { v: "1" });
    await onEveryDestination(
      h,
      async (d) => expect(await d.kv2Data("secret", "soft/a")).not.toBeNull(),
      WAIT,
    );
    await h.source.must("DELETE", "secret/data/soft/a");
    await onEveryDestination(
      h,
      async (d) => {
        expect(await d.kv2Data("secret", "soft/a")).toBeNull();
        const metadata = await d.kv2Metadata("secret", "soft/a");
        expect(metadata.current_version).toBe(1);
        expect(metadata.versions["1"]).toMatchObject({
          deletion_time: expect.stringMatching(/^\d{4}-/),
          destroyed: false,
        });
      },
      WAIT,
    );
  });

  test("KV v2: delete/ of versions, then undelete/, then destroy/ each reach every destination", async () => {
    await write("versions/a", { v: "1" });
    await write("versions/a", { v: "2" });
    await onEveryDestination(
      h,
      async (d) => expect(await d.kv2Data("secret", "versions/a")).toEqual({ v: "2" }),
      WAIT,
    );
    // Each Vault numbers its own versions (two quick writes may arrive as one): the destination's
    // current version is the one that follows the source's, whatever its number.
    const versions = await Promise.all(
      h.destinations.map(async (d) => (await d.kv2Metadata("secret", "versions/a")).current_version),
    );

    await h.source.must("POST", "secret/delete/versions/a", { versions: [1, 2] });
    await onEveryDestination(
      h,
      async (d) => expect(await d.kv2Data("secret", "versions/a")).toBeNull(),
      WAIT,
    );

    await h.source.must("POST", "secret/undelete/versions/a", { versions: [2] });
    await onEveryDestination(
      h,
      async (d) => {
        expect(await d.kv2Data("secret", "versions/a")).toEqual({ v: "2" });
        const current = (await d.kv2Metadata("secret", "versions/a")).current_version;
        expect(current).toBe(versions[h.destinations.indexOf(d)]);
      },
      WAIT,
    );

    await h.source.must("POST", "secret/destroy/versions/a", { versions: [2] });
    await onEveryDestination(
      h,
      async (d) => {
        expect(await d.kv2Data("secret", "versions/a")).toBeNull();
        const metadata = await d.kv2Metadata("secret", "versions/a");
        expect(metadata.versions[String(metadata.current_version)].destroyed).toBe(true);
      },
      WAIT,
    );
  });

  test("KV v2: max_versions, cas_required, delete_version_after and custom_metadata reach the destinations", async () => {
    await write("settings/a", { v: "1" });
    await h.source.must("POST", "secret/metadata/settings/a", {
      max_versions: 4,
      cas_required: true,
      delete_version_after: "1h",
      custom_metadata: { owner: "payments" },
    });
    await onEveryDestination(
      h,
      async (d) => {
        expect(await d.kv2Metadata("secret", "settings/a")).toMatchObject({
          max_versions: 4,
          cas_required: true,
          delete_version_after: "1h0m0s",
          custom_metadata: { owner: "payments" },
        });
        expect(await d.kv2Data("secret", "settings/a")).toEqual({ v: "1" });
      },
      WAIT,
    );
    // cas_required now holds on the destinations too, and Courier's own writes still get through.
    await h.source.must("POST", "secret/data/settings/a", { data: { v: "2" }, options: { cas: 1 } });
    await onEveryDestination(
      h,
      async (d) => expect(await d.kv2Data("secret", "settings/a")).toEqual({ v: "2" }),
      WAIT,
    );
  });

  test("KV v2: metadata delete removes the key and every version everywhere", async () => {
    await write("gone/a", { v: "1" });
    await write("gone/a", { v: "2" });
    await onEveryDestination(
      h,
      async (d) => expect(await d.kv2Data("secret", "gone/a")).toEqual({ v: "2" }),
      WAIT,
    );
    await h.source.must("DELETE", "secret/metadata/gone/a");
    await onEveryDestination(
      h,
      async (d) => expect(await d.kv2Metadata("secret", "gone/a")).toBeNull(),
      WAIT,
    );
  });

  test("KV v2: metadata written before any data, and later changed back, is mirrored", async () => {
    await h.source.must("POST", "secret/metadata/settings/only", {
      max_versions: 2,
      custom_metadata: { team: "ops" },
    });
    await onEveryDestination(
      h,
      async (d) =>
        expect(await d.kv2Metadata("secret", "settings/only")).toMatchObject({
          current_version: 0,
          max_versions: 2,
          custom_metadata: { team: "ops" },
        }),
      WAIT,
    );
    await h.source.must("POST", "secret/metadata/settings/only", { max_versions: 0, custom_metadata: {} });
    await onEveryDestination(
      h,
      async (d) => {
        const metadata = await d.kv2Metadata("secret", "settings/only");
        expect(metadata.max_versions).toBe(0);
        expect(metadata.custom_metadata ?? {}).toEqual({});
      },
      WAIT,
    );
  });

  test("KV v2: a patch arrives as the merged data, and the same data written again adds no version", async () => {
    await write("patch/a", { keep: "k", change: "old" });
    await onEveryDestination(
      h,
      async (d) => expect(await d.kv2Data("secret", "patch/a")).not.toBeNull(),
      WAIT,
    );
    await h.source.must(
      "PATCH",
      "secret/data/patch/a",
      { data: { change: "new", added: "x" } },
      { headers: { "Content-Type": "application/merge-patch+json" } },
    );
    await onEveryDestination(
      h,
      async (d) =>
        expect(await d.kv2Data("secret", "patch/a")).toEqual({ keep: "k", change: "new", added: "x" }),
      WAIT,
    );
    const versions = await Promise.all(
      h.destinations.map(async (d) => (await d.kv2Metadata("secret", "patch/a")).current_version),
    );
    await write("patch/a", { keep: "k", change: "new", added: "x" });
    await write("patch/marker", { v: "after" });
    await onEveryDestination(
      h,
      async (d) => expect(await d.kv2Data("secret", "patch/marker")).not.toBeNull(),
      WAIT,
    );
    expect((await h.source.kv2Metadata("secret", "patch/a")).current_version).toBe(3);
    for (const [i, d] of h.destinations.entries())
      expect((await d.kv2Metadata("secret", "patch/a")).current_version).toBe(versions[i]);
  });

  test("KV v2: a delete right after a create leaves no readable data on any destination", async () => {
    await write("quick/created-then-deleted", { v: "1" });
    await h.source.must("DELETE", "secret/data/quick/created-then-deleted");
    // The key exists there (so the hints were handled) but holds nothing readable.
    await onEveryDestination(
      h,
      async (d) => {
        expect(await d.kv2Metadata("secret", "quick/created-then-deleted")).not.toBeNull();
        expect(await d.kv2Data("secret", "quick/created-then-deleted")).toBeNull();
      },
      WAIT,
    );
  });

  test("KV v2: a write after a soft delete leaves the new data live and the deleted version deleted", async () => {
    await write("soft/then-written", { v: "old" });
    await onEveryDestination(
      h,
      async (d) => expect(await d.kv2Data("secret", "soft/then-written")).toEqual({ v: "old" }),
      WAIT,
    );
    await h.source.must("DELETE", "secret/data/soft/then-written");
    await onEveryDestination(
      h,
      async (d) => expect(await d.kv2Data("secret", "soft/then-written")).toBeNull(),
      WAIT,
    );
    await write("soft/then-written", { v: "new" });
    await onEveryDestination(
      h,
      async (d) => {
        expect(await d.kv2Data("secret", "soft/then-written")).toEqual({ v: "new" });
        const metadata = await d.kv2Metadata("secret", "soft/then-written");
        expect(metadata.current_version).toBe(2);
        expect(metadata.versions["1"].deletion_time).not.toBe("");
      },
      WAIT,
    );
  });

  test("KV v2: keys named with spaces, non-ASCII and URL-special characters arrive under the same name", async () => {
    const names = [
      "odd/with space",
      "odd/ümlaut-ß",
      "odd/percent%41",
      "odd/question?",
      "odd/hash#",
      "odd/plus+",
    ];
    for (const name of names)
      await h.source.must("POST", `secret/data/${encodePath(name)}`, { data: { name } });
    await onEveryDestination(
      h,
      async (d) => {
        for (const name of names) expect(await d.kv2Data("secret", name)).toEqual({ name });
      },
      WAIT,
    );
  });

  test("a policy created, updated and deleted (both APIs) follows on every destination", async () => {
    await h.source.must("PUT", "sys/policies/acl/app-reader", { policy: READ_APP });
    await onEveryDestination(h, async (d) => expect(await d.policy("app-reader")).toBe(READ_APP), WAIT);
    await h.source.must("PUT", "sys/policies/acl/app-reader", { policy: WRITE_APP });
    await onEveryDestination(h, async (d) => expect(await d.policy("app-reader")).toBe(WRITE_APP), WAIT);
    await h.source.must("DELETE", "sys/policies/acl/app-reader");
    await onEveryDestination(h, async (d) => expect(await d.policy("app-reader")).toBeNull(), WAIT);

    await h.source.must("PUT", "sys/policy/Legacy-Ops", { rules: READ_APP });
    await onEveryDestination(h, async (d) => expect(await d.policy("legacy-ops")).toBe(READ_APP), WAIT);
    await h.source.must("DELETE", "sys/policy/legacy-ops");
    await onEveryDestination(h, async (d) => expect(await d.policy("legacy-ops")).toBeNull(), WAIT);
  });

  test("a change to the default policy's text reaches the destinations", async () => {
    const text = `${await h.source.policy("default")}\npath "secret/data/shared/*" {\n  capabilities = ["read"]\n}\n`;
    await h.source.must("PUT", "sys/policies/acl/default", { policy: text });
    await onEveryDestination(h, async (d) => expect(await d.policy("default")).toBe(text), WAIT);
  });

  test("request entries, failed requests, cubbyhole and sys/auth change nothing on the destinations", async () => {
    await h.source.must("PUT", "cubbyhole/mine", { v: "1" });
    await h.source.must("POST", "sys/auth/approle", { type: "approle" });
    const request = h
      .trail()
      .find((e) => e.entry.type === "request" && e.entry.request.path === "kv1/app/db");
    const response = h
      .trail()
      .find((e) => e.entry.type === "response" && e.entry.request.path === "kv1/app/db");
    // Forged from kv1/app/db's real entries, for a key that exists on the source only.
    const claim = (entry: unknown, error?: string) => {
      const copy = structuredClone(entry) as { request: { path: string }; error?: string };
      copy.request.path = "kv1/unheard/a";
      if (error) copy.error = error;
      return JSON.stringify(copy);
    };
    await h.source.must("PUT", "kv1/unheard/a", { v: "1" });
    // Then removed by hand on the destinations: only a new sync of the key would bring it back,
    // and the entries sent next must not cause one.
    await onEveryDestination(
      h,
      async (d) => expect(await d.kv1Data("kv1", "unheard/a")).not.toBeNull(),
      WAIT,
    );
    for (const d of h.destinations) await d.must("DELETE", "kv1/unheard/a");
    await sendAuditLines(h.listening, [claim(request!.entry), claim(response!.entry, "permission denied")]);
    await h.source.must("PUT", "kv1/unheard/marker", { v: "1" });
    await onEveryDestination(
      h,
      async (d) => expect(await d.kv1Data("kv1", "unheard/marker")).not.toBeNull(),
      WAIT,
    );
    await stillOnEveryDestination(h, async (d) => {
      expect(await d.kv1Data("kv1", "unheard/a")).toBeNull();
      expect(await d.kv1Data("cubbyhole", "mine")).toBeNull();
      expect((await d.must("GET", "sys/auth")).body.data["approle/"]).toBeUndefined();
    });
  });

  test("default is never deleted and root never touched, whatever an entry claims", async () => {
    const defaults = await Promise.all(h.destinations.map((d) => d.policy("default")));
    await sendAuditLines(h.listening, [
      forged("sys/policies/acl/default", "delete"),
      forged("sys/policies/acl/root", "update"),
      forged("sys/policy/ROOT", "delete"),
    ]);
    await h.source.must("PUT", "sys/policies/acl/marker", { policy: READ_APP });
    await onEveryDestination(h, async (d) => expect(await d.policy("marker")).toBe(READ_APP), WAIT);
    await h.courier.waitForLog("synced", (r) => r.key === "policy root" && r.skipped === "root-policy");
    await h.courier.waitForLog("synced", (r) => r.key === "policy default");
    await stillOnEveryDestination(h, async (d) =>
      expect(await d.policy("default")).toBe(defaults[h.destinations.indexOf(d)]!),
    );
    for (const index of h.destinations.keys()) {
      const touched = h.destinationTrail(index).map((e) => e.entry.request.path as string);
      expect(touched).toContain("sys/policies/acl/marker");
      expect(touched.filter((path) => /root$/i.test(path))).toEqual([]);
    }
  });

  test("nothing was logged at warn or error", () => {
    expect(problems(h)).toEqual([]);
  });

  test("changes made while Courier is stopped reach the destinations after it starts", async () => {
    const code = await h.restart(async () => {
      await write("restart/while-down", { v: "1" });
      await h.source.must("DELETE", "secret/data/app/db");
      await h.source.must("PUT", "kv1/restart/while-down", { v: "1" });
      await h.source.must("PUT", "sys/policies/acl/while-down", { policy: READ_APP });
    });
    expect(code).toBe(0);
    await onEveryDestination(
      h,
      async (d) => {
        expect(await d.kv2Data("secret", "restart/while-down")).toEqual({ v: "1" });
        expect(await d.kv2Data("secret", "app/db")).toBeNull();
        expect(await d.kv1Data("kv1", "restart/while-down")).toEqual({ v: "1" });
        expect(await d.policy("while-down")).toBe(READ_APP);
      },
      WAIT,
    );
    // The stream flows again into the new Courier.
    await write("restart/after", { v: "1" });
    await onEveryDestination(
      h,
      async (d) => expect(await d.kv2Data("secret", "restart/after")).toEqual({ v: "1" }),
      WAIT,
    );
    expect(problems(h)).toEqual([]);
  });

  test("keys deleted while Courier is stopped go from the destinations at restart; another writer's stay until --sync.prune=all", async () => {
    await write("restart/gone", { v: "1" });
    await h.source.must("PUT", "kv1/restart/gone", { v: "1" });
    await h.source.must("PUT", "sys/policies/acl/gone-while-down", { policy: READ_APP });
    const held = async (d: VaultApi) => ({
      kv2: await d.kv2Data("secret", "restart/gone"),
      kv1: await d.kv1Data("kv1", "restart/gone"),
      policy: await d.policy("gone-while-down"),
    });
    const all = { kv2: { v: "1" }, kv1: { v: "1" }, policy: READ_APP };
    await onEveryDestination(h, async (d) => expect(await held(d)).toEqual(all), WAIT);
    // Written straight to one destination by someone else: never Courier's.
    const [first] = h.destinations;
    await first!.must("POST", "secret/data/restart/foreign", { data: { v: "theirs" } });
    const deleteAll = async () => {
      await h.source.must("DELETE", "secret/metadata/restart/gone");
      await h.source.must("DELETE", "kv1/restart/gone");
      await h.source.must("DELETE", "sys/policies/acl/gone-while-down");
    };

    // The start-up pass deletes what Courier put there and the source no longer has (sync.prune:
    // managed, the default); the other writer's key stays.
    expect(await h.restart(deleteAll)).toBe(0);
    await onEveryDestination(
      h,
      async (d) => {
        expect(await held(d)).toEqual({ kv2: null, kv1: null, policy: null });
        expect(await d.kv2Metadata("secret", "restart/gone")).toBeNull();
      },
      WAIT,
    );
    expect(await first!.kv2Data("secret", "restart/foreign")).toEqual({ v: "theirs" });

    // With sync.prune=all the start-up pass deletes whatever the source lacks; default and root stay.
    expect(await h.restart(undefined, ["--sync.prune=all"])).toBe(0);
    await onEveryDestination(
      h,
      async (d) => {
        expect(await d.kv2Metadata("secret", "restart/foreign")).toBeNull();
        expect(await d.policy("default")).not.toBeNull();
        expect(await d.kv2Data("secret", "restart/after")).toEqual({ v: "1" });
      },
      WAIT,
    );
    expect(problems(h)).toEqual([]);
  });
});
