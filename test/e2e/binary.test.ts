// The same core flows against the compiled courier (dist/courier, as `bun run build` makes it),
// copied away from the source tree: the sync workers must run from inside the binary.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureBinary } from "../support/binary.ts";
import { type Harness, startHarness } from "../support/courier-harness.ts";
import { onEveryDestination, problems } from "./everywhere.ts";

const POLICY = 'path "secret/data/*" {\n  capabilities = ["read"]\n}\n';
const dir = mkdtempSync(join(tmpdir(), "courier-binary-"));
const binary = join(dir, "courier");

beforeAll(async () => {
  copyFileSync(await ensureBinary(), binary);
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.each(["udp", "tcp"] as const)("the compiled courier over %s", (transport) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      transport,
      binary,
      prepare: async (source, destinations) => {
        for (const vault of [source, ...destinations]) await vault.mount("kv1", "kv", { version: "1" });
      },
    });
  });
  afterAll(async () => {
    expect(await h.stop()).toBe(0);
  });

  test("a KV v2 write and then its delete reach every destination", async () => {
    await h.source.must("POST", "secret/data/app", { data: { v: "1" } });
    await onEveryDestination(h, async (d) => expect(await d.kv2Data("secret", "app")).toEqual({ v: "1" }));
    await h.source.must("DELETE", "secret/data/app");
    await onEveryDestination(h, async (d) => {
      expect(await d.kv2Data("secret", "app")).toBeNull();
      expect((await d.kv2Metadata("secret", "app")).current_version).toBe(1);
    });
    await h.source.must("DELETE", "secret/metadata/app");
    await onEveryDestination(h, async (d) => expect(await d.kv2Metadata("secret", "app")).toBeNull());
  });

  test("a KV v1 write and then its delete reach every destination", async () => {
    await h.source.must("PUT", "kv1/app", { v: "1" });
    await onEveryDestination(h, async (d) => expect(await d.kv1Data("kv1", "app")).toEqual({ v: "1" }));
    await h.source.must("DELETE", "kv1/app");
    await onEveryDestination(h, async (d) => expect(await d.kv1Data("kv1", "app")).toBeNull());
  });

  test("a policy write and then its delete reach every destination", async () => {
    await h.source.must("PUT", "sys/policies/acl/compiled", { policy: POLICY });
    await onEveryDestination(h, async (d) => expect(await d.policy("compiled")).toBe(POLICY));
    await h.source.must("DELETE", "sys/policies/acl/compiled");
    await onEveryDestination(h, async (d) => expect(await d.policy("compiled")).toBeNull());
  });

  test("every sync ran in a worker that stayed up, and nothing failed", () => {
    const synced = h.courier.logs().filter((r) => r.msg === "synced");
    expect(synced.length).toBeGreaterThanOrEqual(12);
    expect(problems(h)).toEqual([]);
  });
});
