// KV v1 end to end, and the rule under every sync: only a response entry without an error means
// something changed. Request entries and failed requests are replayed from the source's own
// audit trail to prove they cause nothing.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sendAuditLines } from "../support/audit-sender.ts";
import { type Harness, startHarness } from "../support/courier-harness.ts";
import { onEveryDestination, problems, stillOnEveryDestination } from "./everywhere.ts";

describe.each(["udp", "tcp"] as const)("KV v1 over %s", (transport) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({
      transport,
      async prepare(source, destinations) {
        for (const vault of [source, ...destinations]) await vault.mount("kv1", "kv", { version: "1" });
      },
    });
  });
  afterAll(async () => {
    expect(await h.stop()).toBe(0);
  });

  test("a create, an update and a delete on the source each reach every destination", async () => {
    await h.source.must("PUT", "kv1/app/db", { user: "app", password: "one" });
    await onEveryDestination(h, async (d) =>
      expect(await d.kv1Data("kv1", "app/db")).toEqual({ user: "app", password: "one" }),
    );
    await h.source.must("PUT", "kv1/app/db", { user: "app", password: "two", ttl: "1h" });
    await onEveryDestination(h, async (d) =>
      expect(await d.kv1Data("kv1", "app/db")).toEqual({ user: "app", password: "two", ttl: "1h" }),
    );
    await h.source.must("DELETE", "kv1/app/db");
    await onEveryDestination(h, async (d) => expect(await d.kv1Data("kv1", "app/db")).toBeNull());
  });

  test("a delete right after a create leaves nothing on the destinations", async () => {
    await h.source.must("PUT", "kv1/quick/a", { v: "1" });
    await h.source.must("DELETE", "kv1/quick/a");
    await h.source.must("PUT", "kv1/quick/marker", { v: "1" });
    await onEveryDestination(h, async (d) => expect(await d.kv1Data("kv1", "quick/marker")).not.toBeNull());
    // The create's sync may write "a" before the delete's rerun removes it (level-triggered: the
    // end state is what counts), so wait for it to be gone, then check it stays gone.
    await onEveryDestination(h, async (d) => expect(await d.kv1Data("kv1", "quick/a")).toBeNull());
    await stillOnEveryDestination(h, async (d) => expect(await d.kv1Data("kv1", "quick/a")).toBeNull());
  });

  test("a create right after a delete leaves the new secret on the destinations", async () => {
    await h.source.must("PUT", "kv1/quick/b", { v: "old" });
    await onEveryDestination(h, async (d) => expect(await d.kv1Data("kv1", "quick/b")).toEqual({ v: "old" }));
    await h.source.must("DELETE", "kv1/quick/b");
    await h.source.must("PUT", "kv1/quick/b", { v: "new" });
    await onEveryDestination(h, async (d) => expect(await d.kv1Data("kv1", "quick/b")).toEqual({ v: "new" }));
  });

  test("request entries and failed requests alone change nothing", async () => {
    // Written while the source's device towards Courier is off: only the trail records them.
    await h.auditToCourier(false);
    // Over TCP the device closing its connection rightly starts a full pass (entries may have been
    // lost). Let it finish before writing, or it would copy the keys this test keeps unheard.
    if (transport === "tcp") {
      await h.courier.waitFor(
        (r) => r.msg === "reconcile pass finished" && r.reason === "audit connection closed",
        "the pass after the audit connection closed",
      );
    }
    await h.source.must("PUT", "kv1/unheard/a", { v: "1" });
    await h.source.must("PUT", "kv1/unheard/marker", { v: "1" });
    await h.auditToCourier(true);
    const entries = h.trail();
    const find = (type: string, path: string) =>
      entries.find((e) => e.entry.type === type && e.entry.request.path === path)!;
    const request = find("request", "kv1/unheard/a");
    const response = find("response", "kv1/unheard/a");
    const failed = JSON.stringify({ ...response.entry, error: "permission denied" });
    const marker = find("response", "kv1/unheard/marker");
    expect(request.entry.request.operation).toBe("create");

    await sendAuditLines(h.listening, [request.line, failed, marker.line]);
    // The marker, sent last, proves the lines before it were read and judged.
    await onEveryDestination(h, async (d) =>
      expect(await d.kv1Data("kv1", "unheard/marker")).toEqual({ v: "1" }),
    );
    await stillOnEveryDestination(h, async (d) => expect(await d.kv1Data("kv1", "unheard/a")).toBeNull());

    // The same key's real response entry is acted on.
    await sendAuditLines(h.listening, [response.line]);
    await onEveryDestination(h, async (d) => expect(await d.kv1Data("kv1", "unheard/a")).toEqual({ v: "1" }));
  });

  test("cubbyhole and sys/ paths other than policies are never replicated", async () => {
    await h.source.must("PUT", "cubbyhole/mine", { v: "1" });
    await h.source.must("POST", "sys/auth/approle", { type: "approle" });
    await h.source.must("PUT", "kv1/after-cubbyhole", { v: "1" });
    await onEveryDestination(h, async (d) =>
      expect(await d.kv1Data("kv1", "after-cubbyhole")).toEqual({ v: "1" }),
    );
    await stillOnEveryDestination(h, async (d) => {
      expect(await d.kv1Data("cubbyhole", "mine")).toBeNull();
      expect((await d.must("GET", "sys/auth")).body.data["approle/"]).toBeUndefined();
    });
  });

  test("nothing was logged as a failure", () => {
    expect(problems(h)).toEqual([]);
  });
});
