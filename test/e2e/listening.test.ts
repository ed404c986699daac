// How entries reach Courier: the device's prefix is stripped, senders outside the allowlist are
// dropped, and a unix socket carries the same stream as TCP.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sendAuditLines } from "../support/audit-sender.ts";
import { type Harness, startHarness } from "../support/courier-harness.ts";
import { onEveryDestination, problems, stillOnEveryDestination } from "./everywhere.ts";

const PREFIX = "vault-prod>";

describe.each(["udp", "tcp"] as const)("with an audit prefix over %s", (transport) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      transport,
      destinations: 1,
      device: { prefix: PREFIX },
      flags: [`--audit.prefix=${PREFIX}`],
    });
  });
  afterAll(async () => {
    expect(await h.stop()).toBe(0);
  });

  test("entries written with the prefix are understood", async () => {
    await h.source.must("POST", "secret/data/prefixed", { data: { v: "1" } });
    await onEveryDestination(h, async (d) =>
      expect(await d.kv2Data("secret", "prefixed")).toEqual({ v: "1" }),
    );
    expect(problems(h)).toEqual([]);
  });
});

describe.each(["udp", "tcp"] as const)("with an allowlist over %s", (transport) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      transport,
      destinations: 1,
      flags: ["--vault.audit_allow=127.0.0.2/32"],
      // Over TCP the listener hangs up on a disallowed sender, which would fail enabling the device.
      connectAudit: transport === "udp",
    });
  });
  afterAll(async () => {
    expect(await h.stop()).toBe(0);
  });

  test("entries from a sender outside the allowlist are dropped; the same entry from an allowed one is not", async () => {
    await h.source.must("POST", "secret/data/guarded", { data: { v: "1" } });
    const response = h
      .trail()
      .find((e) => e.entry.type === "response" && e.entry.request.path === "secret/data/guarded")!;
    // 127.0.0.1 is where the source's device sends from; it is not on the list.
    await sendAuditLines(h.listening, [response.line], { from: "127.0.0.1" });
    await stillOnEveryDestination(h, async (d) => expect(await d.kv2Data("secret", "guarded")).toBeNull());
    await sendAuditLines(h.listening, [response.line], { from: "127.0.0.2" });
    await onEveryDestination(h, async (d) =>
      expect(await d.kv2Data("secret", "guarded")).toEqual({ v: "1" }),
    );
  });
});

describe("over a unix socket", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      transport: "unix",
      prepare: (source) => source.mount("kv1", "kv", { version: "1" }),
    });
  });
  afterAll(async () => {
    expect(await h.stop()).toBe(0);
  });

  test("the listener is the socket file Courier was given", () => {
    expect(h.listening).toMatch(/^unix:\/\/\/.+\/audit\.sock$/);
  });

  test("KV v2 writes and deletes, KV v1 and policies all arrive", async () => {
    await h.source.must("POST", "secret/data/app", { data: { v: "1" } });
    await h.source.must("POST", "secret/data/old", { data: { v: "1" } });
    await h.source.must("PUT", "kv1/app", { v: "1" });
    await h.source.must("PUT", "sys/policies/acl/unix", {
      policy: 'path "a/*" {\n  capabilities = ["read"]\n}\n',
    });
    await onEveryDestination(h, async (d) => {
      expect(await d.kv2Data("secret", "app")).toEqual({ v: "1" });
      expect(await d.kv2Data("secret", "old")).toEqual({ v: "1" });
      expect(await d.kv1Data("kv1", "app")).toEqual({ v: "1" });
      expect(await d.policy("unix")).not.toBeNull();
    });
    await h.source.must("DELETE", "secret/metadata/old");
    await onEveryDestination(h, async (d) => expect(await d.kv2Metadata("secret", "old")).toBeNull());
  });

  test("a KV mount enabled on the source while Courier runs is learnt from the stream", async () => {
    await h.source.mount("later", "kv", { version: "2" });
    await h.source.must("POST", "later/data/app", { data: { v: "1" } });
    // The source's mount table is fetched at most once a second, so this may take that long.
    await onEveryDestination(h, async (d) => expect(await d.kv2Data("later", "app")).toEqual({ v: "1" }));
  });

  test("nothing was logged as a failure", () => {
    expect(problems(h)).toEqual([]);
  });
});
