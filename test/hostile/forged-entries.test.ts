// Entries from an allowed address that Vault never wrote. An entry is only ever a hint: Courier
// reads the source and makes the destinations equal to it, so a forged delete of a live key
// changes nothing, a forged path outside the scope reaches no destination, a flood of forged
// hints is held to --audit.max_rate, and entries from a sender off the allowlist are dropped and
// counted.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { sendAuditLines } from "../support/audit-sender.ts";
import { type Harness, startHarness } from "../support/courier-harness.ts";
import { eventually, holds } from "../support/eventually.ts";
import { forged, writesSeen } from "./support/forge.ts";
import { metric, metricSum, scrape } from "./support/metrics.ts";

const MAX_RATE = 50;
const MANY = 1000;

let h: Harness;
let url: string;

beforeAll(async () => {
  h = await startHarness({
    transport: "udp",
    destinations: 2,
    flags: [
      "--http.address=127.0.0.1:0",
      "--sync.mounts=secret/,kv1/",
      "--vault.audit_allow=127.0.0.1/32",
      `--audit.max_rate=${MAX_RATE}`,
    ],
    async prepare(source) {
      await source.mount("kv1", "kv", { version: "1" });
      await source.mount("other", "kv", { version: "2" });
      // A mount of some size: a flood must not turn into walk after walk of it.
      for (let i = 0; i < MANY; i += 100) {
        const batch = Array.from({ length: 100 }, (_, j) => `secret/data/many/k${i + j}`);
        await Promise.all(batch.map((path) => source.must("POST", path, { data: { v: "1" } })));
      }
    },
  });
  url = String((await h.courier.waitForLog("serving /healthz, /readyz and /metrics")).address);
}, 20_000);

afterAll(async () => {
  expect(await h.stop()).toBe(0);
});

const destinationStats = () => h.doubles.destinations.map((d) => d.ctx.stats);

/** Entries Courier has counted so far, whatever became of them. */
/**
 * Entries counted that a forged successful write can be: not the request entries, reads and
 * failed requests that Courier's own reads of the source put on the stream meanwhile (each sync a
 * forged hint starts reads the source, and those entries come back at their own pace).
 */
const writeEntriesCounted = async () => {
  const s = await scrape(url);
  const own = ["not_response", "not_a_write", "failed_request"].map((reason) =>
    metric(s, "courier_audit_entries_total", { result: "ignored", reason }),
  );
  return metricSum(s, "courier_audit_entries_total") - own.reduce((a, b) => a + b, 0);
};
const outOfScope = async () =>
  metric(await scrape(url), "courier_audit_entries_total", {
    result: "ignored",
    reason: "mount_out_of_scope",
  });

describe("forged entries from an allowed address", () => {
  test("a forged delete of keys that exist on the source changes nothing on the destinations", async () => {
    await h.source.must("POST", "secret/data/live", { data: { v: "1" } });
    await h.source.must("PUT", "kv1/live", { v: "1" });
    await h.source.must("PUT", "sys/policies/acl/live", { policy: 'path "x/*" { capabilities = ["read"] }' });
    for (const d of h.destinations) {
      await eventually(async () => {
        expect(await d.kv2Data("secret", "live")).toEqual({ v: "1" });
        expect(await d.kv1Data("kv1", "live")).toEqual({ v: "1" });
        expect(await d.policy("live")).not.toBeNull();
      });
    }
    const versions = await Promise.all(h.destinations.map((d) => d.kv2Metadata("secret", "live")));
    for (const stats of destinationStats()) stats.reset();
    const logged = h.courier.logs().length;

    await sendAuditLines(h.listening, [
      forged("delete", "secret/data/live"),
      forged("delete", "secret/metadata/live"),
      forged("update", "secret/destroy/live"),
      forged("update", "secret/delete/live"),
      forged("delete", "kv1/live"),
      forged("delete", "sys/policies/acl/live"),
    ]);
    // Each key was read again from the source and found equal on both destinations (once, or twice
    // when the later hints for it came in while its first run was under way: a run marked dirty).
    const unchanged = (key: string) =>
      h.courier
        .logs()
        .slice(logged)
        .filter((r) => r.msg === "synced" && r.key === key && r.result === "unchanged").length;
    await eventually(() => {
      for (const key of ["kv secret/live", "kv kv1/live", "policy live"])
        expect([key, unchanged(key) >= 2]).toEqual([key, true]);
    });
    await holds(() => expect(destinationStats().map(writesSeen)).toEqual([0, 0]));
    const synced = h.courier
      .logs()
      .slice(logged)
      .filter((r) => r.msg === "synced");
    expect(synced.filter((r) => r.result !== "unchanged")).toEqual([]);
    for (const [i, d] of h.destinations.entries()) {
      expect(await d.kv2Data("secret", "live")).toEqual({ v: "1" });
      expect((await d.kv2Metadata("secret", "live")).versions).toEqual(versions[i].versions);
      expect(await d.kv1Data("kv1", "live")).toEqual({ v: "1" });
      expect(await d.policy("live")).toBe('path "x/*" { capabilities = ["read"] }');
    }
    expect(destinationStats().map(writesSeen)).toEqual([0, 0]);
  });

  test("paths outside the scope reach no destination", async () => {
    const outBefore = await outOfScope();
    await h.source.must("POST", "other/data/kept-out", { data: { v: "1" } });
    // That real write's own entry is counted before the count the forged lines add to is taken.
    await eventually(async () => expect(await outOfScope()).toBe(outBefore + 1));
    const before = await writeEntriesCounted();
    for (const stats of destinationStats()) stats.reset();
    const lines = [
      forged("update", "sys/mounts/secret"),
      forged("update", "sys/mounts/secret/tune"),
      forged("update", "auth/token/create"),
      forged("update", "auth/approle/role/r/secret-id"),
      forged("create", "cubbyhole/x"),
      forged("update", "other/data/kept-out"),
      forged("delete", "other/metadata/kept-out"),
      forged("update", "sys/audit/x"),
      forged("delete", "sys/audit/courier"),
      forged("update", "identity/entity/name/x"),
      forged("update", "secret/config"),
      forged("update", "secret/data/a/../../sys/policies/acl/root"),
      // A namespace the source does not have: neither a key nor a policy is taken on its word.
      forged("delete", "secret/data/live", "nowhere/"),
      forged("delete", "sys/policies/acl/live", "nowhere/"),
    ];
    await sendAuditLines(h.listening, lines);
    await eventually(async () => expect((await writeEntriesCounted()) - before).toBe(lines.length), {
      timeoutMs: 6000,
    });
    await holds(() => expect(destinationStats().map(writesSeen)).toEqual([0, 0]), { timeoutMs: 500 });
    const s = await scrape(url);
    expect(
      metric(s, "courier_audit_entries_total", { result: "ignored", reason: "mount_out_of_scope" }),
    ).toBe(3);
    expect(metric(s, "courier_audit_entries_total", { result: "ignored", reason: "unknown_mount" })).toBe(2);
    for (const d of h.destinations) {
      expect(Object.keys(await d.mounts())).not.toContain("other/");
      expect(await d.kv2Data("secret", "live")).toEqual({ v: "1" });
      expect(await d.policy("live")).not.toBeNull();
    }
  });

  test("entries from a sender off the allowlist are dropped and counted, and do nothing", async () => {
    for (const stats of destinationStats()) stats.reset();
    const before = await scrape(url);
    const accepted = metric(before, "courier_audit_entries_total", { result: "accepted", reason: "" });
    const lines = Array.from({ length: 20 }, (_, i) => forged("update", `secret/data/off-list-${i}`));
    await sendAuditLines(h.listening, lines, { from: "127.0.0.2" });
    await eventually(async () =>
      expect(
        metric(await scrape(url), "courier_audit_entries_total", { result: "disallowed_sender", reason: "" }),
      ).toBe(20),
    );
    const after = await scrape(url);
    expect(metric(after, "courier_audit_entries_total", { result: "accepted", reason: "" })).toBe(accepted);
    expect(destinationStats().map((s) => s.total)).toEqual([0, 0]);
  });
});

describe("a flood of forged hints", () => {
  test("naming a thousand namespaces the source does not have costs it ~10 mount-table reads a second", async () => {
    const stats = h.doubles.source.ctx.stats;
    await Bun.sleep(1200); // refreshes asked for by the tests above have run
    stats.reset();
    const before = await writeEntriesCounted();
    const lines = Array.from({ length: 1000 }, (_, i) => forged("update", "secret/data/x", `forged-${i}/`));
    await sendAuditLines(h.listening, lines);
    await Bun.sleep(2000);
    // Mount-table reads, not the once-a-second check of the source's HA role.
    const mountReads = () => stats.total - (stats.bySysPath["sys/leader"] ?? 0);
    // One read per namespace at most, and no faster than one every 100 ms: ~20 in 2 s, not 1,000.
    expect(mountReads()).toBeLessThanOrEqual(25);
    expect(mountReads()).toBeGreaterThan(5);
    // Only so many namespaces wait for a read (64); each line is counted once, looked up or not.
    await eventually(async () => expect(await writeEntriesCounted()).toBe(before + 1000), {
      timeoutMs: 10_000,
    });
    expect(mountReads()).toBeLessThanOrEqual(70);
    for (const stats of destinationStats()) expect(writesSeen(stats)).toBe(0);
  }, 20_000);

  test("is held near --audit.max_rate: the source's request rate stays bounded while it lasts", async () => {
    const stats = h.doubles.source.ctx.stats;
    await Bun.sleep(1200); // the token bucket fills up again
    stats.reset();
    const started = performance.now();
    const samples: [number, number][] = [];
    const sampler = setInterval(() => samples.push([performance.now() - started, stats.total]), 250);
    // 8,000 distinct keys over 4 s: 2,000 hints a second, 40 times the limit.
    for (let batch = 0; batch < 40; batch++) {
      const lines = Array.from({ length: 200 }, (_, i) =>
        forged("update", `secret/data/flood/k${batch * 200 + i}`),
      );
      await sendAuditLines(h.listening, lines);
      await Bun.sleep(100);
    }
    clearInterval(sampler);
    // The steady rate, after the bucket's first burst: live hints at the limit, plus the walk the
    // hints over it asked for, paced at the limit too (each key a read or two on the source).
    const from = samples.find(([t]) => t >= 1000)!;
    const to = samples.at(-1)!;
    const perSecond = ((to[1] - from[1]) / (to[0] - from[0])) * 1000;
    const hintsPerSecond = (8000 / to[0]) * 1000;
    console.log(
      `flood of ${Math.round(hintsPerSecond)} hints/s (limit ${MAX_RATE}, mount of ${MANY} keys): ` +
        `the source answered ${Math.round(perSecond)} requests/s once steady, ${to[1]} in ${Math.round(to[0])} ms`,
    );
    expect(perSecond).toBeLessThan(5 * MAX_RATE);
    expect(perSecond).toBeGreaterThan(MAX_RATE / 2);
  }, 20_000);
});
