// Namespaces (Vault Enterprise, OpenBao): a key carries its namespace, and Courier reads and
// writes it inside the same namespace on every Vault, never in the root namespace.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Harness, startHarness } from "../support/courier-harness.ts";
import { eventually } from "../support/eventually.ts";
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

describe("a destination without namespaces", () => {
  let h: Harness;
  beforeAll(async () => {
    // Like Vault Community Edition: no sys/namespaces, and X-Vault-Namespace is never read, so a
    // namespaced request sent there would land in the root. The root has a kv/ mount of its own,
    // with a key of the same name as one of team-x/'s.
    h = await startHarness({
      transport: "udp",
      destinations: 1,
      destinationDoubles: [{ namespaces: false }],
      flags: ["--http.address=127.0.0.1:0"],
      prepare: async (_source, [destination]) => {
        await destination!.mount("kv", "kv", { version: "2" });
        await destination!.must("POST", "kv/data/a", { data: { v: "the root's own" } });
      },
    });
  });
  afterAll(async () => {
    expect(await h.stop()).toBe(0);
  });

  test("gets one warning naming the namespace, however many keys of it fail, and each counts as failed", async () => {
    await h.source.must("POST", "sys/namespaces/team-x");
    await h.source.in("team-x/").mount("kv", "kv", { version: "2" });
    for (const name of ["a", "b", "c"]) {
      await h.source.in("team-x/").must("POST", `kv/data/${name}`, { data: { v: name } });
    }
    const failed = () =>
      h.courier.logs().filter((r) => /^sync failed/.test(r.msg) && String(r.key).startsWith("kv team-x/"));
    await eventually(() => expect(failed()).toHaveLength(3));
    const address = h.doubles.destinations[0]!.address;
    expect(problems(h)).toEqual([
      expect.objectContaining({
        level: "warn",
        msg: "sync failed",
        error: `${address} has no namespaces (Vault Enterprise or OpenBao 2.3 and later have them): cannot create namespace team-x/ there`,
      }),
    ]);
    const serving = await h.courier.waitForLog("serving /healthz, /readyz and /metrics");
    const metrics = await (await fetch(`${serving.address}/metrics`)).text();
    const line = metrics
      .split("\n")
      .find((l) => l.startsWith("courier_sync_total{") && l.includes('result="failed"'));
    expect(Number(line?.split(" ").at(-1))).toBe(3);
    // Nothing of team-x/ was written at the root instead: its kv/ keeps its own value and keys.
    expect(await h.destinations[0]!.kv2Data("kv", "a")).toEqual({ v: "the root's own" });
    const listed = await h.destinations[0]!.must("GET", "kv/metadata?list=true");
    expect(listed.body.data.keys).toEqual(["a"]);
  });
});
