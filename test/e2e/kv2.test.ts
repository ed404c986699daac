// KV v2 end to end: what happens on the source reaches every destination as the same state, and
// a destination gets one new version per change of data, never one for nothing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Harness, ROOT_TOKEN, startHarness } from "../support/courier-harness.ts";
import { onEveryDestination, problems } from "./everywhere.ts";

describe.each(["udp", "tcp"] as const)("KV v2 over %s", (transport) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ transport });
  });
  afterAll(async () => {
    expect(await h.stop()).toBe(0);
  });

  const write = (path: string, data: Record<string, unknown>) =>
    h.source.must("POST", `secret/data/${path}`, { data });

  test("a new secret appears on every destination as version 1", async () => {
    await write("app/db", { user: "app", password: "s3cret" });
    await onEveryDestination(h, async (d) => {
      expect(await d.kv2Data("secret", "app/db")).toEqual({ user: "app", password: "s3cret" });
      expect((await d.kv2Metadata("secret", "app/db")).current_version).toBe(1);
    });
  });

  test("an update replaces the data and adds exactly one version", async () => {
    await write("update/a", { v: "1" });
    await onEveryDestination(h, async (d) =>
      expect(await d.kv2Data("secret", "update/a")).toEqual({ v: "1" }),
    );
    await write("update/a", { v: "2" });
    await onEveryDestination(h, async (d) => {
      expect(await d.kv2Data("secret", "update/a")).toEqual({ v: "2" });
      expect((await d.kv2Metadata("secret", "update/a")).current_version).toBe(2);
    });
  });

  test("a patch on the source reaches the destinations as the merged data", async () => {
    await write("patch/a", { keep: "k", change: "old" });
    await onEveryDestination(h, async (d) => expect(await d.kv2Data("secret", "patch/a")).not.toBeNull());
    const patched = await h.source.call(
      "PATCH",
      "secret/data/patch/a",
      { data: { change: "new", added: "x" } },
      { headers: { "Content-Type": "application/merge-patch+json" } },
    );
    expect(patched.status).toBe(200);
    await onEveryDestination(h, async (d) =>
      expect(await d.kv2Data("secret", "patch/a")).toEqual({ keep: "k", change: "new", added: "x" }),
    );
  });

  test("DELETE data/ soft-deletes the current version everywhere, adding no version", async () => {
    await write("soft/a", { v: "1" });
    await onEveryDestination(h, async (d) => expect(await d.kv2Data("secret", "soft/a")).not.toBeNull());
    await h.source.must("DELETE", "secret/data/soft/a");
    await onEveryDestination(h, async (d) => {
      expect(await d.kv2Data("secret", "soft/a")).toBeNull();
      const metadata = await d.kv2Metadata("secret", "soft/a");
      expect(metadata.current_version).toBe(1);
      expect(metadata.versions["1"].deletion_time).not.toBe("");
      expect(metadata.versions["1"].destroyed).toBe(false);
    });
  });

  test("delete/ of the current version soft-deletes it everywhere", async () => {
    await write("soft/b", { v: "1" });
    await write("soft/b", { v: "2" });
    await onEveryDestination(h, async (d) => expect(await d.kv2Data("secret", "soft/b")).toEqual({ v: "2" }));
    await h.source.must("POST", "secret/delete/soft/b", { versions: [2] });
    // Each Vault numbers its own versions: the destination's current one is deleted, whatever its number.
    await onEveryDestination(h, async (d) => {
      expect(await d.kv2Data("secret", "soft/b")).toBeNull();
      const metadata = await d.kv2Metadata("secret", "soft/b");
      expect(metadata.versions[String(metadata.current_version)].deletion_time).not.toBe("");
    });
  });

  test("undelete brings the same data back on the destinations without a new version", async () => {
    await write("undelete/a", { v: "1" });
    await onEveryDestination(h, async (d) => expect(await d.kv2Data("secret", "undelete/a")).not.toBeNull());
    await h.source.must("DELETE", "secret/data/undelete/a");
    await onEveryDestination(h, async (d) => expect(await d.kv2Data("secret", "undelete/a")).toBeNull());
    await h.source.must("POST", "secret/undelete/undelete/a", { versions: [1] });
    await onEveryDestination(h, async (d) => {
      expect(await d.kv2Data("secret", "undelete/a")).toEqual({ v: "1" });
      expect((await d.kv2Metadata("secret", "undelete/a")).current_version).toBe(1);
    });
  });

  test("destroy destroys the current version on every destination", async () => {
    await write("destroy/a", { v: "1" });
    await onEveryDestination(h, async (d) => expect(await d.kv2Data("secret", "destroy/a")).not.toBeNull());
    await h.source.must("POST", "secret/destroy/destroy/a", { versions: [1] });
    await onEveryDestination(h, async (d) => {
      expect(await d.kv2Data("secret", "destroy/a")).toBeNull();
      expect((await d.kv2Metadata("secret", "destroy/a")).versions["1"].destroyed).toBe(true);
    });
  });

  test("metadata settings reach the destinations", async () => {
    await write("settings/a", { v: "1" });
    await h.source.must("POST", "secret/metadata/settings/a", {
      max_versions: 4,
      cas_required: true,
      delete_version_after: "1h",
      custom_metadata: { owner: "payments" },
    });
    await onEveryDestination(h, async (d) => {
      const metadata = await d.kv2Metadata("secret", "settings/a");
      expect(metadata).toMatchObject({
        max_versions: 4,
        cas_required: true,
        delete_version_after: "1h0m0s",
        custom_metadata: { owner: "payments" },
      });
      expect(await d.kv2Data("secret", "settings/a")).toEqual({ v: "1" });
    });
    // cas_required now holds on the destinations too, and Courier's own writes still get through.
    await h.source.must("POST", "secret/data/settings/a", { data: { v: "2" }, options: { cas: 1 } });
    await onEveryDestination(h, async (d) =>
      expect(await d.kv2Data("secret", "settings/a")).toEqual({ v: "2" }),
    );
  });

  test("metadata written before any data, and later changed back, is mirrored", async () => {
    await h.source.must("POST", "secret/metadata/settings/only", {
      max_versions: 2,
      custom_metadata: { team: "ops" },
    });
    await onEveryDestination(h, async (d) => {
      const metadata = await d.kv2Metadata("secret", "settings/only");
      expect(metadata).toMatchObject({
        current_version: 0,
        max_versions: 2,
        custom_metadata: { team: "ops" },
      });
    });
    await h.source.must("POST", "secret/metadata/settings/only", { max_versions: 0, custom_metadata: {} });
    await onEveryDestination(h, async (d) => {
      const metadata = await d.kv2Metadata("secret", "settings/only");
      expect(metadata.max_versions).toBe(0);
      expect(metadata.custom_metadata ?? {}).toEqual({});
    });
  });

  test("metadata delete removes the key and every version everywhere", async () => {
    await write("gone/a", { v: "1" });
    await write("gone/a", { v: "2" });
    await onEveryDestination(h, async (d) => expect(await d.kv2Data("secret", "gone/a")).toEqual({ v: "2" }));
    await h.source.must("DELETE", "secret/metadata/gone/a");
    await onEveryDestination(h, async (d) => expect(await d.kv2Metadata("secret", "gone/a")).toBeNull());
  });

  test("nothing was logged as a failure, and no secret value or token was logged at all", () => {
    expect(problems(h)).toEqual([]);
    const logged = h.courier.stderr();
    expect(logged).toContain('"msg":"synced"');
    for (const secret of ["s3cret", "payments", ROOT_TOKEN]) expect(logged).not.toContain(secret);
  });
});
