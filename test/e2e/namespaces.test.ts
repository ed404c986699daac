// Namespaces (Vault Enterprise, OpenBao): a key carries its namespace, and Courier reads and
// writes it inside the same namespace on every Vault, never in the root namespace.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Harness, startHarness } from "../support/courier-harness.ts";
import { onEveryDestination, problems } from "./everywhere.ts";

const POLICY = 'path "kv/data/*" {\n  capabilities = ["read"]\n}\n';

describe.each(["udp", "tcp"] as const)("namespaces over %s", (transport) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      transport,
      async prepare(source, destinations) {
        for (const vault of [source, ...destinations]) {
          await vault.must("POST", "sys/namespaces/team-a");
          await vault.in("team-a/").mount("kv", "kv", { version: "2" });
        }
        await source.in("team-a/").mount("only-source", "kv", { version: "1" });
      },
    });
  });
  afterAll(async () => {
    expect(await h.stop()).toBe(0);
  });

  test("a secret written in a namespace lands in that namespace on every destination", async () => {
    await h.source.in("team-a/").must("POST", "kv/data/app", { data: { v: "1" } });
    await onEveryDestination(h, async (d) =>
      expect(await d.in("team-a/").kv2Data("kv", "app")).toEqual({ v: "1" }),
    );
    for (const d of h.destinations) expect((await d.call("GET", "kv/data/app")).status).not.toBe(200);
  });

  test("a namespace given as a path prefix instead of the header is the same namespace", async () => {
    await h.source.must("POST", "team-a/kv/data/prefixed", { data: { v: "1" } });
    await onEveryDestination(h, async (d) =>
      expect(await d.in("team-a/").kv2Data("kv", "prefixed")).toEqual({ v: "1" }),
    );
  });

  test("deletes in a namespace reach the same namespace", async () => {
    await h.source.in("team-a/").must("POST", "kv/data/gone", { data: { v: "1" } });
    await onEveryDestination(h, async (d) =>
      expect(await d.in("team-a/").kv2Data("kv", "gone")).not.toBeNull(),
    );
    await h.source.in("team-a/").must("DELETE", "kv/metadata/gone");
    await onEveryDestination(h, async (d) =>
      expect(await d.in("team-a/").kv2Metadata("kv", "gone")).toBeNull(),
    );
  });

  test("a policy written in a namespace lands in that namespace only", async () => {
    await h.source.in("team-a/").must("PUT", "sys/policies/acl/team-reader", { policy: POLICY });
    await onEveryDestination(h, async (d) =>
      expect(await d.in("team-a/").policy("team-reader")).toBe(POLICY),
    );
    for (const d of h.destinations) expect(await d.policy("team-reader")).toBeNull();
  });

  test("a mount missing in a destination's namespace is created in that namespace", async () => {
    await h.source.in("team-a/").must("PUT", "only-source/app", { v: "1" });
    await onEveryDestination(h, async (d) =>
      expect(await d.in("team-a/").kv1Data("only-source", "app")).toEqual({ v: "1" }),
    );
    for (const d of h.destinations) {
      expect((await d.in("team-a/").mounts())["only-source/"]).toMatchObject({
        type: "kv",
        options: { version: "1" },
      });
      expect((await d.mounts())["only-source/"]).toBeUndefined();
    }
  });

  test("nothing was logged as a failure", () => {
    expect(problems(h)).toEqual([]);
  });
});
