// Destinations as they really are: one that goes away for a while and comes back, one whose
// mount insists on check-and-set, and ones that lack the mount a secret lives in.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Harness, startHarness } from "../support/courier-harness.ts";
import { eventually } from "../support/eventually.ts";
import { onEveryDestination, problems } from "./everywhere.ts";

// Short retry steps keep the wait for a destination's return under a second.
const FAST_RETRIES = ["--retry.initial=50ms", "--retry.max=400ms"];

describe.each(["udp", "tcp"] as const)("destinations over %s", (transport) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      transport,
      flags: FAST_RETRIES,
      async prepare(source, destinations) {
        for (const vault of [source, ...destinations]) await vault.mount("cas", "kv", { version: "2" });
        for (const vault of destinations) await vault.must("POST", "cas/config", { cas_required: true });
        await source.mount("team-kv", "kv", { version: "2" }, "team secrets");
        await source.mount("legacy", "kv", { version: "1" });
      },
    });
  });
  afterAll(async () => {
    expect(await h.stop()).toBe(0);
  });

  test("a destination that is down for a while catches up when it is back; the other never waits", async () => {
    const [up, down] = h.destinations;
    await h.doubles.destinations[1]!.ctx.setListening(false);
    try {
      for (const n of [1, 2, 3])
        await h.source.must("POST", `secret/data/outage/${n}`, { data: { n: String(n) } });
      await h.source.must("PUT", "sys/policies/acl/outage", {
        policy: 'path "a/*" {\n  capabilities = ["read"]\n}\n',
      });
      await eventually(async () => {
        for (const n of [1, 2, 3])
          expect(await up!.kv2Data("secret", `outage/${n}`)).toEqual({ n: String(n) });
        expect(await up!.policy("outage")).not.toBeNull();
      });
      // Down long enough that every change has failed there and been retried at least once.
      await eventually(() => {
        const failures = h.courier
          .logs()
          .filter((r) => r.msg === "sync failed" && r.destination === down!.address);
        expect(failures.filter((r) => Number(r.attempt) >= 2).length).toBeGreaterThanOrEqual(4);
      });
    } finally {
      await h.doubles.destinations[1]!.ctx.setListening(true);
    }
    await eventually(async () => {
      for (const n of [1, 2, 3])
        expect(await down!.kv2Data("secret", `outage/${n}`)).toEqual({ n: String(n) });
      expect(await down!.policy("outage")).not.toBeNull();
    });
  });

  test("a sealed destination is retried until it is unsealed", async () => {
    const sealed = h.doubles.destinations[0]!;
    await fetch(`${sealed.address}/_double/seal`, { method: "POST" });
    try {
      await h.source.must("POST", "secret/data/sealed/a", { data: { v: "1" } });
      await eventually(async () =>
        expect(await h.destinations[1]!.kv2Data("secret", "sealed/a")).toEqual({ v: "1" }),
      );
      await h.courier.waitForLog(
        "sync failed",
        (r) => r.destination === sealed.address && /sealed/.test(String(r.error)),
      );
    } finally {
      await fetch(`${sealed.address}/_double/unseal`, { method: "POST" });
    }
    await eventually(async () =>
      expect(await h.destinations[0]!.kv2Data("secret", "sealed/a")).toEqual({ v: "1" }),
    );
  });

  test("a destination mount with cas_required takes every write, new keys and updates", async () => {
    await h.source.must("POST", "cas/data/app", { data: { v: "1" } });
    await onEveryDestination(h, async (d) => expect(await d.kv2Data("cas", "app")).toEqual({ v: "1" }));
    await h.source.must("POST", "cas/data/app", { data: { v: "2" } });
    await onEveryDestination(h, async (d) => {
      expect(await d.kv2Data("cas", "app")).toEqual({ v: "2" });
      expect((await d.kv2Metadata("cas", "app")).current_version).toBe(2);
    });
    // The destinations still refuse a write without cas: Courier did not turn the setting off.
    for (const d of h.destinations)
      expect((await d.call("POST", "cas/data/app", { data: { v: "x" } })).status).toBe(400);
  });

  test("a KV v2 mount missing on the destinations is created with the source's type and options", async () => {
    await h.source.must("POST", "team-kv/data/app", { data: { v: "1" } });
    await onEveryDestination(h, async (d) => expect(await d.kv2Data("team-kv", "app")).toEqual({ v: "1" }));
    for (const d of h.destinations) {
      const mount = (await d.mounts())["team-kv/"];
      expect(mount).toMatchObject({ type: "kv", description: "team secrets", options: { version: "2" } });
    }
  });

  test("a KV v1 mount missing on the destinations is created as KV v1", async () => {
    await h.source.must("PUT", "legacy/app", { v: "1" });
    await onEveryDestination(h, async (d) => expect(await d.kv1Data("legacy", "app")).toEqual({ v: "1" }));
    for (const d of h.destinations) {
      expect((await d.mounts())["legacy/"]).toMatchObject({ type: "kv", options: { version: "1" } });
    }
  });

  test("the only failures logged were those of the outage and the seal", () => {
    const failed = problems(h).map((r) => `${r.msg}: ${(r as { key?: unknown }).key}`);
    expect(failed.length).toBeGreaterThan(0);
    for (const line of failed)
      expect(line).toMatch(/^sync failed: (kv secret\/outage\/\d|policy outage|kv secret\/sealed\/a)$/);
  });
});

describe.each(["udp", "tcp"] as const)("with --sync.create_mounts=false over %s", (transport) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      transport,
      destinations: 1,
      flags: ["--sync.create_mounts=false"],
      prepare: (source) => source.mount("team-kv", "kv", { version: "2" }),
    });
  });
  afterAll(async () => {
    expect(await h.stop()).toBe(0);
  });

  test("a missing mount is not created, and it is reported once with what to do", async () => {
    for (const key of ["a", "b", "c"])
      await h.source.must("POST", `team-kv/data/${key}`, { data: { v: "1" } });
    const failures = () =>
      h.courier
        .logs()
        .filter((r) => r.msg.startsWith("sync failed") && String(r.key).startsWith("kv team-kv/"));
    await eventually(() => expect(failures().length).toBe(3));
    const warnings = failures().filter((r) => r.level === "warn");
    expect(warnings.map((r) => r.error)).toEqual([
      `${h.destinations[0]!.address}: mount team-kv/ does not exist; enable it there (type kv, KV v2) or turn on sync.create_mounts`,
    ]);
    expect((await h.destinations[0]!.mounts())["team-kv/"]).toBeUndefined();
  });

  test("keys in mounts the destination has still sync", async () => {
    await h.source.must("POST", "secret/data/app", { data: { v: "1" } });
    await onEveryDestination(h, async (d) => expect(await d.kv2Data("secret", "app")).toEqual({ v: "1" }));
  });
});
