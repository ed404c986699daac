// KV v2 in sequences that race the sync: changes in quick succession, a write after a delete,
// data written again unchanged, and key names that need care on the wire. Each ends with every
// destination in the state the source is in, and no version written for nothing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Harness, startHarness } from "../support/courier-harness.ts";
import { encodePath } from "../support/vault-api.ts";
import { onEveryDestination, problems } from "./everywhere.ts";

describe.each(["udp", "tcp"] as const)("KV v2 sequences over %s", (transport) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ transport });
  });
  afterAll(async () => {
    expect(await h.stop()).toBe(0);
  });

  const write = (path: string, data: Record<string, unknown>) =>
    h.source.must("POST", `secret/data/${path}`, { data });

  test("a delete right after a create leaves no readable data on any destination", async () => {
    await write("quick/created-then-deleted", { v: "1" });
    await h.source.must("DELETE", "secret/data/quick/created-then-deleted");
    // The key exists there (so the hints were handled) but holds nothing readable: either its
    // version was deleted too, or the sync ran after the delete and wrote only the metadata.
    await onEveryDestination(h, async (d) => {
      expect(await d.kv2Metadata("secret", "quick/created-then-deleted")).not.toBeNull();
      expect(await d.kv2Data("secret", "quick/created-then-deleted")).toBeNull();
    });
  });

  test("a create right after a delete leaves the new data on every destination", async () => {
    await write("quick/deleted-then-created", { v: "old" });
    await onEveryDestination(h, async (d) =>
      expect(await d.kv2Data("secret", "quick/deleted-then-created")).toEqual({ v: "old" }),
    );
    await h.source.must("DELETE", "secret/metadata/quick/deleted-then-created");
    await write("quick/deleted-then-created", { v: "new" });
    await onEveryDestination(h, async (d) =>
      expect(await d.kv2Data("secret", "quick/deleted-then-created")).toEqual({ v: "new" }),
    );
  });

  test("a write after a soft delete leaves the new data live and the deleted version deleted", async () => {
    await write("quick/soft-then-written", { v: "old" });
    await onEveryDestination(h, async (d) =>
      expect(await d.kv2Data("secret", "quick/soft-then-written")).toEqual({ v: "old" }),
    );
    await h.source.must("DELETE", "secret/data/quick/soft-then-written");
    await onEveryDestination(h, async (d) =>
      expect(await d.kv2Data("secret", "quick/soft-then-written")).toBeNull(),
    );
    await write("quick/soft-then-written", { v: "new" });
    await onEveryDestination(h, async (d) => {
      expect(await d.kv2Data("secret", "quick/soft-then-written")).toEqual({ v: "new" });
      const metadata = await d.kv2Metadata("secret", "quick/soft-then-written");
      expect(metadata.current_version).toBe(2);
      expect(metadata.versions["1"].deletion_time).not.toBe("");
    });
  });

  test("keys named with spaces, non-ASCII and URL-special characters arrive under the same name", async () => {
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
    await onEveryDestination(h, async (d) => {
      for (const name of names) expect(await d.kv2Data("secret", name)).toEqual({ name });
    });
  });

  test("writing the same data again adds a version on the source but none on the destinations", async () => {
    await write("same/a", { v: "1" });
    await onEveryDestination(h, async (d) => expect(await d.kv2Data("secret", "same/a")).toEqual({ v: "1" }));
    await write("same/a", { v: "1" });
    await write("same/marker", { v: "after" });
    await onEveryDestination(h, async (d) => expect(await d.kv2Data("secret", "same/marker")).not.toBeNull());
    expect((await h.source.kv2Metadata("secret", "same/a")).current_version).toBe(2);
    for (const d of h.destinations) expect((await d.kv2Metadata("secret", "same/a")).current_version).toBe(1);
  });

  test("nothing was logged as a failure", () => {
    expect(problems(h)).toEqual([]);
  });
});
