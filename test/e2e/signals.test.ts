// Stopping: SIGTERM or SIGINT stops listening, lets syncs in flight finish, and exits 0 promptly.
// Starting again: the source's device reconnects, and what changed meanwhile is caught up.
import { describe, expect, test } from "bun:test";
import { type Harness, startHarness } from "../support/courier-harness.ts";
import { eventually } from "../support/eventually.ts";

async function stopTimed(h: Harness, signal: NodeJS.Signals): Promise<{ code: number; ms: number }> {
  const started = performance.now();
  const code = await h.courier.stop(signal);
  return { code, ms: performance.now() - started };
}

describe.each(["udp", "tcp"] as const)("stopping courier over %s", (transport) => {
  test.each(["SIGTERM", "SIGINT"] as const)("%s with nothing to do exits 0 at once", async (signal) => {
    const h = await startHarness({ transport, destinations: 1 });
    try {
      await h.source.must("POST", "secret/data/before-stop", { data: { v: "1" } });
      await eventually(async () =>
        expect(await h.destinations[0]!.kv2Data("secret", "before-stop")).not.toBeNull(),
      );
      const { code, ms } = await stopTimed(h, signal);
      expect(code).toBe(0);
      expect(ms).toBeLessThan(1_500);
      const messages = h.courier.logs().map((r) => r.msg);
      expect(messages.indexOf("stopping")).toBeGreaterThan(messages.indexOf("listening for audit entries"));
      expect(messages.at(-1)).toBe("stopped");
    } finally {
      await h.stop();
    }
  });

  test("SIGTERM while a sync is in flight lets it finish, then exits 0", async () => {
    const h = await startHarness({ transport, destinations: 1 });
    const destination = h.doubles.destinations[0]!;
    try {
      await h.destinations[0]!.faults([
        { kind: "latency", ms: 600, path: "secret/data/slow", method: "POST" },
      ]);
      const writesBefore = destination.ctx.stats.byMethod.POST ?? 0;
      await h.source.must("POST", "secret/data/slow", { data: { v: "1" } });
      // The destination has received Courier's write and is sitting on it.
      await eventually(() => expect(destination.ctx.stats.byMethod.POST ?? 0).toBeGreaterThan(writesBefore));
      const { code, ms } = await stopTimed(h, "SIGTERM");
      expect(code).toBe(0);
      expect(ms).toBeLessThan(3_000);
      expect(await h.destinations[0]!.kv2Data("secret", "slow")).toEqual({ v: "1" });
      expect(h.courier.logs().filter((r) => r.msg === "sync failed")).toEqual([]);
    } finally {
      await h.stop();
    }
  });
});

describe.each(["udp", "tcp", "unix"] as const)("restarting courier over %s", (transport) => {
  test("writes made while it was down arrive after the restart, and the stream flows again", async () => {
    const h = await startHarness({ transport, destinations: 1 });
    try {
      await h.source.must("POST", "secret/data/restart/before", { data: { v: "1" } });
      await eventually(async () =>
        expect(await h.destinations[0]!.kv2Data("secret", "restart/before")).not.toBeNull(),
      );
      // The source keeps working while Courier is down: its file device records every request.
      const code = await h.restart(() =>
        h.source.must("POST", "secret/data/restart/while-down", { data: { v: "1" } }),
      );
      expect(code).toBe(0);
      await eventually(async () =>
        expect(await h.destinations[0]!.kv2Data("secret", "restart/while-down")).toEqual({ v: "1" }),
      );
      await h.source.must("POST", "secret/data/restart/after", { data: { v: "1" } });
      await eventually(async () =>
        expect(await h.destinations[0]!.kv2Data("secret", "restart/after")).toEqual({ v: "1" }),
      );
    } finally {
      await h.stop();
    }
  });
});
