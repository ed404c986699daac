// What the operator scoped Courier to: deletes off, chosen mounts, include and exclude globs.
// Whatever is out of scope stays as it is on the destinations while everything else syncs.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Harness, startHarness } from "../support/courier-harness.ts";
import type { LogRecord } from "../support/courier-process.ts";
import { onEveryDestination, problems, stillOnEveryDestination } from "./everywhere.ts";

const POLICY = 'path "secret/data/*" {\n  capabilities = ["read"]\n}\n';

describe.each(["udp", "tcp"] as const)("with --sync.deletes=false over %s", (transport) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      transport,
      flags: ["--sync.deletes=false"],
      async prepare(source, destinations) {
        for (const vault of [source, ...destinations]) await vault.mount("kv1", "kv", { version: "1" });
      },
    });
  });
  afterAll(async () => {
    expect(await h.stop()).toBe(0);
  });

  test("no kind of delete on the source reaches the destinations, and writes still do", async () => {
    for (const key of ["soft", "destroyed", "gone"])
      await h.source.must("POST", `secret/data/keep/${key}`, { data: { v: "1" } });
    await h.source.must("PUT", "kv1/keep", { v: "1" });
    await h.source.must("PUT", "sys/policies/acl/keep", { policy: POLICY });
    await onEveryDestination(h, async (d) => {
      for (const key of ["soft", "destroyed", "gone"])
        expect(await d.kv2Data("secret", `keep/${key}`)).toEqual({ v: "1" });
      expect(await d.kv1Data("kv1", "keep")).toEqual({ v: "1" });
      expect(await d.policy("keep")).toBe(POLICY);
    });

    await h.source.must("DELETE", "secret/data/keep/soft");
    await h.source.must("POST", "secret/destroy/keep/destroyed", { versions: [1] });
    await h.source.must("DELETE", "secret/metadata/keep/gone");
    await h.source.must("DELETE", "kv1/keep");
    await h.source.must("DELETE", "sys/policies/acl/keep");
    await h.source.must("POST", "secret/data/keep/written", { data: { v: "after" } });
    await onEveryDestination(h, async (d) =>
      expect(await d.kv2Data("secret", "keep/written")).toEqual({ v: "after" }),
    );
    await allDeletesSkipped(h);
    await stillOnEveryDestination(h, async (d) => {
      for (const key of ["soft", "destroyed", "gone"])
        expect(await d.kv2Data("secret", `keep/${key}`)).toEqual({ v: "1" });
      expect(await d.kv1Data("kv1", "keep")).toEqual({ v: "1" });
      expect(await d.policy("keep")).toBe(POLICY);
    });
  });

  test("nothing was logged as a failure", () => {
    expect(problems(h)).toEqual([]);
  });
});

/** Each of the five deletes was seen and left alone on purpose, on every destination. */
async function allDeletesSkipped(h: Harness) {
  const keys = [
    "kv secret/keep/soft",
    "kv secret/keep/destroyed",
    "kv secret/keep/gone",
    "kv kv1/keep",
    "policy keep",
  ];
  for (const key of keys) {
    for (const { address } of h.destinations) {
      const skipped = (r: LogRecord) =>
        r.key === key && r.destination === address && r.skipped === "deletes-off";
      await h.courier.waitForLog("synced", skipped, 4_000);
    }
  }
}

describe.each(["udp", "tcp"] as const)("with mounts, include and exclude over %s", (transport) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      transport,
      flags: [
        "--sync.mounts=secret/,team/",
        "--sync.include=secret/app/**,team/**",
        "--sync.exclude=secret/app/private/**,sys/policies/acl/internal-*",
      ],
      async prepare(source, destinations) {
        for (const vault of [source, ...destinations]) {
          await vault.mount("team", "kv", { version: "2" });
          await vault.mount("other", "kv", { version: "2" });
        }
      },
    });
  });
  afterAll(async () => {
    expect(await h.stop()).toBe(0);
  });

  test("only keys in the chosen mounts that pass the globs are replicated", async () => {
    const writes = [
      "secret/data/app/db",
      "secret/data/app/private/key",
      "secret/data/web/site",
      "team/data/x",
      "other/data/y",
    ];
    for (const path of writes) await h.source.must("POST", path, { data: { v: "1" } });
    await h.source.must("POST", "secret/data/app/marker", { data: { v: "1" } });
    await onEveryDestination(h, async (d) => {
      expect(await d.kv2Data("secret", "app/db")).toEqual({ v: "1" });
      expect(await d.kv2Data("team", "x")).toEqual({ v: "1" });
      expect(await d.kv2Data("secret", "app/marker")).toEqual({ v: "1" });
    });
    await stillOnEveryDestination(h, async (d) => {
      expect(await d.kv2Data("secret", "app/private/key")).toBeNull(); // excluded
      expect(await d.kv2Data("secret", "web/site")).toBeNull(); // not included
      expect(await d.kv2Data("other", "y")).toBeNull(); // mount not chosen
    });
  });

  test("policies follow the exclude globs only: an include list for secrets does not turn them off", async () => {
    await h.source.must("PUT", "sys/policies/acl/internal-admin", { policy: POLICY });
    await h.source.must("PUT", "sys/policies/acl/public-reader", { policy: POLICY });
    await onEveryDestination(h, async (d) => expect(await d.policy("public-reader")).toBe(POLICY));
    await stillOnEveryDestination(h, async (d) => expect(await d.policy("internal-admin")).toBeNull());
  });

  test("nothing was logged as a failure", () => {
    expect(problems(h)).toEqual([]);
  });
});

describe.each(["udp", "tcp"] as const)("with --sync.policies=false over %s", (transport) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ transport, destinations: 1, flags: ["--sync.policies=false"] });
  });
  afterAll(async () => {
    expect(await h.stop()).toBe(0);
  });

  test("policies stay as they are while secrets sync", async () => {
    await h.source.must("PUT", "sys/policies/acl/not-copied", { policy: POLICY });
    await h.source.must("POST", "secret/data/copied", { data: { v: "1" } });
    await onEveryDestination(h, async (d) => expect(await d.kv2Data("secret", "copied")).toEqual({ v: "1" }));
    await stillOnEveryDestination(h, async (d) => expect(await d.policy("not-copied")).toBeNull());
  });
});
