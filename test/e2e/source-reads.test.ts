// How often Courier reads the source on the live path, counted by the source double: a write
// through data/ costs one read (the data read carries the version's metadata), and the settings
// that only metadata/ shows still reach the destinations when they change, alone or together
// with data in one sync.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Harness, startHarness } from "../support/courier-harness.ts";
import { onEveryDestination, problems } from "./everywhere.ts";

describe("source reads on the live path", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ transport: "udp" });
  });
  afterAll(async () => {
    expect(problems(h)).toEqual([]);
    expect(await h.stop()).toBe(0);
  });

  /** GETs of keys on the source since the last reset (system paths such as sys/mounts left out). */
  const keyReads = () => {
    const stats = h.doubles.source.ctx.stats;
    const system = Object.values(stats.bySysPath).reduce((a, b) => a + b, 0);
    return (stats.byMethod.GET ?? 0) - system;
  };
  const write = (path: string, data: Record<string, unknown>) =>
    h.source.must("POST", `secret/data/${path}`, { data });
  const arrived = (path: string, data: Record<string, unknown>) =>
    onEveryDestination(h, async (d) => expect(await d.kv2Data("secret", path)).toEqual(data));

  test("a new key and each update of it cost the source one read each", async () => {
    h.doubles.source.ctx.stats.reset();
    for (let i = 1; i <= 3; i++) {
      await write("reads/a", { v: String(i) });
      await arrived("reads/a", { v: String(i) });
    }
    await write("reads/b", { v: "1" });
    await arrived("reads/b", { v: "1" });
    expect(keyReads()).toBe(4);
  });

  test("a settings write through metadata/ reaches the destinations", async () => {
    await write("reads/settings", { v: "1" });
    await arrived("reads/settings", { v: "1" });
    await h.source.must("POST", "secret/metadata/reads/settings", {
      max_versions: 3,
      delete_version_after: "1h0m0s",
      custom_metadata: { owner: "ops" },
    });
    await onEveryDestination(h, async (d) =>
      expect(await d.kv2Metadata("secret", "reads/settings")).toMatchObject({
        max_versions: 3,
        delete_version_after: "1h0m0s",
        custom_metadata: { owner: "ops" },
      }),
    );
    // The next data write is one read again, and leaves the settings as they are.
    h.doubles.source.ctx.stats.reset();
    await write("reads/settings", { v: "2" });
    await arrived("reads/settings", { v: "2" });
    expect(keyReads()).toBe(1);
    await onEveryDestination(h, async (d) =>
      expect(await d.kv2Metadata("secret", "reads/settings")).toMatchObject({
        max_versions: 3,
        custom_metadata: { owner: "ops" },
      }),
    );
  });

  test("settings and data written back to back reach the destinations together", async () => {
    for (let i = 0; i < 5; i++) {
      const path = `reads/together-${i}`;
      await h.source.must("POST", `secret/metadata/${path}`, { max_versions: 7, cas_required: true });
      await h.source.must("POST", `secret/data/${path}`, { data: { v: "1" }, options: { cas: 0 } });
    }
    for (let i = 0; i < 5; i++) {
      const path = `reads/together-${i}`;
      await arrived(path, { v: "1" });
      await onEveryDestination(h, async (d) =>
        expect(await d.kv2Metadata("secret", path)).toMatchObject({ max_versions: 7, cas_required: true }),
      );
    }
  });

  test("a destination that lost a key with history gets its settings back with the next write", async () => {
    await h.source.must("POST", "secret/metadata/reads/lost", { max_versions: 5 });
    await write("reads/lost", { v: "1" });
    await write("reads/lost", { v: "2" });
    await arrived("reads/lost", { v: "2" });
    await h.destinations[0]!.must("DELETE", "secret/metadata/reads/lost");
    await write("reads/lost", { v: "3" });
    await arrived("reads/lost", { v: "3" });
    await onEveryDestination(h, async (d) =>
      expect(await d.kv2Metadata("secret", "reads/lost")).toMatchObject({ max_versions: 5 }),
    );
  });

  test("deletes, undeletes and destroys reach the destinations, each from one read", async () => {
    const reads: number[] = [];
    const step = async (change: () => Promise<unknown>, arrived: () => Promise<unknown>) => {
      h.doubles.source.ctx.stats.reset();
      await change();
      await arrived();
      reads.push(keyReads());
    };
    await write("reads/life", { v: "1" });
    await arrived("reads/life", { v: "1" });
    await step(
      () => h.source.must("DELETE", "secret/data/reads/life"),
      () => onEveryDestination(h, async (d) => expect(await d.kv2Data("secret", "reads/life")).toBeNull()),
    );
    await step(
      () => h.source.must("POST", "secret/undelete/reads/life", { versions: [1] }),
      () => arrived("reads/life", { v: "1" }),
    );
    await step(
      () => h.source.must("POST", "secret/destroy/reads/life", { versions: [1] }),
      () =>
        onEveryDestination(h, async (d) => {
          const metadata = await d.kv2Metadata("secret", "reads/life");
          expect(metadata.versions[String(metadata.current_version)].destroyed).toBe(true);
        }),
    );
    await step(
      () => h.source.must("DELETE", "secret/metadata/reads/life"),
      () =>
        onEveryDestination(h, async (d) => expect(await d.kv2Metadata("secret", "reads/life")).toBeNull()),
    );
    expect(reads).toEqual([1, 1, 1, 1]);
  });
});
