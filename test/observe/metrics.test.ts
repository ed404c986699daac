import { afterAll, describe, expect, test } from "bun:test";
import { createIngestCounters } from "../../src/audit/counters.ts";
import type { AuditListener } from "../../src/audit/listeners/listener.ts";
import { listenTcp } from "../../src/audit/listeners/stream.ts";
import { listenUdp } from "../../src/audit/listeners/udp.ts";
import type { Task } from "../../src/dispatch/scheduler.ts";
import { CourierMetrics, destinationLabel } from "../../src/observe/metrics.ts";
import type { DestinationOutcome, SyncResult, SyncResultKind } from "../../src/sync/outcome.ts";
import { ALL_DONE, harness, kv, syncResult } from "../dispatch/harness.ts";
import { parseExposition, sampleValue } from "../support/metrics-exposition.ts";

const B = "http://127.0.0.1:8201";
const C = "http://127.0.0.1:8202";
const TASK: Task = { key: kv("app"), destinations: [B, C], attempt: 1 };

const listeners: AuditListener[] = [];
afterAll(async () => {
  await Promise.all(listeners.map((l) => l.close()));
});

function metrics(): CourierMetrics {
  return new CourierMetrics({
    destinations: [B, C],
    build: { version: "1.2.3", commit: "abc1234", target: "linux-arm64" },
  });
}

function outcome(destination: string, result: SyncResultKind): DestinationOutcome {
  const transient = result === "retry";
  const error =
    result === "retry" || result === "failed"
      ? { code: "VAULT_UNREACHABLE" as const, message: `${destination} refused the connection`, transient }
      : undefined;
  return {
    destination,
    result,
    done: result === "written" ? ["kv2-write"] : [],
    skipped: [],
    ...(error && { error }),
  };
}

function synced(b: SyncResultKind, c: SyncResultKind): SyncResult {
  return { destinations: [outcome(B, b), outcome(C, c)] };
}

function scrape(m: CourierMetrics) {
  return parseExposition(m.render());
}

/** A listener that is not UDP, for views where drops do not matter. */
async function tcpListener(): Promise<AuditListener> {
  const listener = await listenTcp("127.0.0.1", 0, {
    onLine: () => {},
    counters: createIngestCounters(),
    allow: ["127.0.0.0/8"],
  });
  listeners.push(listener);
  return listener;
}

describe("sync results", () => {
  test("each destination's result is counted under its address, and the run's time lands in the histogram", () => {
    const m = metrics();
    m.recordSync(TASK, synced("written", "written"), 12);
    m.recordSync(TASK, synced("unchanged", "written"), 3);
    const families = scrape(m);
    expect(sampleValue(families, "courier_sync_total", { destination: B, result: "written" })).toBe(1);
    expect(sampleValue(families, "courier_sync_total", { destination: B, result: "unchanged" })).toBe(1);
    expect(sampleValue(families, "courier_sync_total", { destination: C, result: "written" })).toBe(2);
    expect(sampleValue(families, "courier_sync_duration_seconds_count")).toBe(2);
    expect(sampleValue(families, "courier_sync_duration_seconds_sum")).toBeCloseTo(0.015, 10);
    expect(sampleValue(families, "courier_sync_duration_seconds_bucket", { le: "0.005" })).toBe(1);
    expect(sampleValue(families, "courier_sync_duration_seconds_bucket", { le: "0.025" })).toBe(2);
  });

  test.each<[string, SyncResultKind[], number | undefined]>([
    ["no sync yet: no series", [], undefined],
    ["a write went through", ["written"], 1],
    ["nothing needed doing", ["unchanged"], 1],
    ["a delete went through", ["deleted"], 1],
    ["a difference left alone", ["skipped"], 1],
    ["a transient failure", ["written", "retry"], 0],
    ["back after a transient failure", ["retry", "unchanged"], 1],
    ["a permanent failure (it answered) leaves it up", ["written", "failed"], 1],
    ["a permanent failure leaves it down", ["retry", "failed"], 0],
  ])("courier_destination_up after %s", (_, results, up) => {
    const m = metrics();
    for (const result of results) m.recordSync(TASK, synced(result, "written"), 1);
    const families = scrape(m);
    expect(sampleValue(families, "courier_destination_up", { destination: B })).toBe(up);
    if (results.length > 0)
      expect(sampleValue(families, "courier_destination_up", { destination: C })).toBe(1);
  });

  test("a source that could not be read is counted apart and says nothing about the destinations", () => {
    const m = metrics();
    m.recordSync(TASK, synced("written", "written"), 1);
    const error = { code: "VAULT_UNREACHABLE" as const, message: "source sealed", transient: true };
    m.recordSync(TASK, { sourceError: error, destinations: [{ ...outcome(B, "retry"), error }] }, 1);
    const families = scrape(m);
    expect(sampleValue(families, "courier_source_errors_total")).toBe(1);
    expect(sampleValue(families, "courier_sync_total", { destination: B, result: "retry" })).toBeUndefined();
    expect(sampleValue(families, "courier_destination_up", { destination: B })).toBe(1);
  });

  test.each([
    ["http://127.0.0.1:8200", "http://127.0.0.1:8200"],
    ["https://vault-b.example:8200/", "https://vault-b.example:8200"],
    ["https://user:s3cret@vault-b:8200", "https://vault-b:8200"],
    ["https://[::1]:8200", "https://[::1]:8200"],
  ])("the destination %j is labelled %j (never with credentials)", (address, label) => {
    expect(destinationLabel(address)).toBe(label);
    const m = new CourierMetrics({
      destinations: [address],
      build: { version: "1", commit: "x", target: "t" },
    });
    m.recordSync(TASK, { destinations: [outcome(address, "written")] }, 1);
    expect(m.render()).not.toContain("s3cret");
    expect(sampleValue(scrape(m), "courier_sync_total", { destination: label })).toBe(1);
  });
});

describe("numbers read when scraped", () => {
  test("before the agent listens, read-at-scrape families show no samples; build info always does", () => {
    const families = scrape(metrics());
    expect(families.get("courier_audit_entries_total")?.samples).toEqual([]);
    expect(families.get("courier_queue_depth")?.samples).toEqual([]);
    expect(
      sampleValue(families, "courier_build_info", {
        version: "1.2.3",
        commit: "abc1234",
        target: "linux-arm64",
      }),
    ).toBe(1);
    expect(sampleValue(families, "courier_reconcile_last_success_timestamp_seconds")).toBe(0);
    expect(sampleValue(families, "courier_drift_keys", { destination: B })).toBe(0);
  });

  test("the ingest counters show as courier_audit_entries_total by result and reason", async () => {
    const m = metrics();
    const counters = createIngestCounters();
    const { scheduler } = harness();
    m.watch({ counters, scheduler, listener: await tcpListener() });
    counters.accepted = 5;
    counters.ignored.not_a_write = 3;
    counters.ignored.not_response = 4;
    counters.rejected.invalid_json = 2;
    counters.oversize = 1;
    counters.disallowedSender = 6;
    counters.mountRefreshes = 7;
    const families = scrape(m);
    const entries = (labels: Record<string, string>) =>
      sampleValue(families, "courier_audit_entries_total", labels);
    expect(entries({ result: "accepted" })).toBe(5);
    expect(entries({ result: "ignored", reason: "not_a_write" })).toBe(3);
    expect(entries({ result: "ignored", reason: "not_response" })).toBe(4);
    expect(entries({ result: "ignored", reason: "cubbyhole" })).toBe(0);
    expect(entries({ result: "rejected", reason: "invalid_json" })).toBe(2);
    expect(entries({ result: "rejected", reason: "oversize" })).toBe(1);
    expect(entries({ result: "disallowed_sender" })).toBe(6);
    expect(entries({ result: "mount_refresh" })).toBe(7);
    expect(sampleValue(families, "courier_udp_drops_total")).toBe(0);
  });

  test("queue depth and in-flight syncs are the scheduler's own numbers at the moment of the scrape", async () => {
    const m = metrics();
    // No rule: runs stay open until answered, so two run and the rest wait.
    const { scheduler, executor } = harness({ concurrency: 2, rule: undefined });
    m.watch({ counters: createIngestCounters(), scheduler, listener: await tcpListener() });
    for (const path of ["a", "b", "c", "d", "e"]) scheduler.offer(kv(path));
    await Bun.sleep(0);
    let families = scrape(m);
    expect(sampleValue(families, "courier_inflight")).toBe(2);
    expect(sampleValue(families, "courier_queue_depth")).toBe(3);
    executor.rule = ALL_DONE;
    for (const run of executor.runs) run.answer(syncResult({ a: "written", b: "written" }));
    await scheduler.whenIdle();
    expect(executor.runs.length).toBe(5);
    families = scrape(m);
    expect(sampleValue(families, "courier_inflight")).toBe(0);
    expect(sampleValue(families, "courier_queue_depth")).toBe(0);
    await scheduler.stop(0);
  });

  test("datagrams the kernel dropped on the UDP socket show in courier_udp_drops_total at the next scrape", async () => {
    const counters = createIngestCounters();
    let read = 0;
    const listener = await listenUdp("127.0.0.1", 0, {
      onLine: () => read++,
      counters,
      allow: ["127.0.0.0/8"],
      receiveBufferBytes: 64 * 1024,
    });
    listeners.push(listener);
    const m = metrics();
    m.watch({ counters, scheduler: harness().scheduler, listener });
    const client = await Bun.udpSocket({ hostname: "127.0.0.1", port: 0 });
    const burst = 600;
    const datagram = Buffer.from(`${JSON.stringify({ type: "response", pad: "x".repeat(2000) })}\n`);
    // Sent without yielding, so the listener cannot read until the burst is over.
    for (let i = 0; i < burst; i++) client.send(datagram, listener.port, "127.0.0.1");
    const deadline = Date.now() + 3000;
    let drops = 0;
    while (Date.now() < deadline) {
      drops = sampleValue(scrape(m), "courier_udp_drops_total") ?? 0;
      if (read + drops === burst) break;
      await Bun.sleep(10);
    }
    client.close();
    expect(drops).toBeGreaterThan(0);
    expect(read + drops).toBe(burst);
  });

  test("reconciliation's last success and drift per destination show once the agent reports them", async () => {
    const m = metrics();
    m.watch({
      counters: createIngestCounters(),
      scheduler: harness().scheduler,
      listener: await tcpListener(),
      reconcile: () => ({ lastSuccessMs: 1_700_000_000_500, drift: { [C]: 4 } }),
    });
    const families = scrape(m);
    expect(sampleValue(families, "courier_reconcile_last_success_timestamp_seconds")).toBe(1_700_000_000.5);
    expect(sampleValue(families, "courier_drift_keys", { destination: B })).toBe(0);
    expect(sampleValue(families, "courier_drift_keys", { destination: C })).toBe(4);
  });
});
