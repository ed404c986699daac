// Courier as an operator runs it, watched the way Prometheus would: a real process with
// --http.address, a source and two destination doubles, the source's UDP audit device pointed at
// it. What /metrics says must move with what really happens to the destinations.

import { afterAll, beforeAll, expect, test } from "bun:test";
import { type Harness, startHarness } from "../support/courier-harness.ts";
import { spawnCourier } from "../support/courier-process.ts";
import { eventually } from "../support/eventually.ts";
import { type ParsedFamily, parseExposition, sampleValue } from "../support/metrics-exposition.ts";

let h: Harness;
let url: string;

beforeAll(async () => {
  h = await startHarness({
    transport: "udp",
    destinations: 2,
    flags: ["--http.address=127.0.0.1:0", "--retry.initial=50ms", "--retry.max=200ms"],
  });
  const serving = await h.courier.waitForLog("serving /healthz, /readyz and /metrics");
  url = String(serving.address);
}, 20_000);

afterAll(async () => {
  expect(await h.stop()).toBe(0);
});

async function scrape(): Promise<Map<string, ParsedFamily>> {
  const response = await fetch(`${url}/metrics`);
  expect(response.status).toBe(200);
  return parseExposition(await response.text());
}

const written = (m: Map<string, ParsedFamily>, destination: string) =>
  sampleValue(m, "courier_sync_total", { destination, result: "written" }) ?? 0;
const accepted = (m: Map<string, ParsedFamily>) =>
  sampleValue(m, "courier_audit_entries_total", { result: "accepted" }) ?? 0;
const up = (m: Map<string, ParsedFamily>, destination: string) =>
  sampleValue(m, "courier_destination_up", { destination });

test("the running agent is healthy and, once the source answers, ready", async () => {
  expect(await (await fetch(`${url}/healthz`)).text()).toBe("ok\n");
  await eventually(async () => {
    const response = await fetch(`${url}/readyz`);
    expect(await response.text()).toBe("ready\n");
  });
});

test("the start-up reconciliation pass shows as a recent last success, with no drift found", async () => {
  const started = Date.now() / 1000 - 60;
  const m = await eventually(async () => {
    const m = await scrape();
    expect(sampleValue(m, "courier_reconcile_last_success_timestamp_seconds")).toBeGreaterThan(started);
    return m;
  });
  expect(sampleValue(m, "courier_reconcile_last_success_timestamp_seconds")).toBeLessThanOrEqual(
    Date.now() / 1000,
  );
  for (const destination of h.destinations) {
    expect(sampleValue(m, "courier_drift_keys", { destination: destination.address })).toBe(0);
  }
});

test("writes on the source show up as accepted entries, written syncs per destination, and destinations up", async () => {
  const [b, c] = h.destinations.map((d) => d.address) as [string, string];
  const before = await scrape();
  const keys = ["metrics/one", "metrics/two", "metrics/three"];
  for (const [i, key] of keys.entries()) {
    await h.source.must("POST", `secret/data/${key}`, { data: { n: String(i) } });
  }
  await eventually(async () => {
    for (const destination of h.destinations) {
      for (const key of keys) expect(await destination.kv2Data("secret", key)).not.toBeNull();
    }
  });
  const after = await eventually(async () => {
    const m = await scrape();
    expect(written(m, b) - written(before, b)).toBe(keys.length);
    expect(written(m, c) - written(before, c)).toBe(keys.length);
    return m;
  });
  expect(accepted(after) - accepted(before)).toBe(keys.length);
  expect(up(after, b)).toBe(1);
  expect(up(after, c)).toBe(1);
  expect(sampleValue(after, "courier_sync_duration_seconds_count")).toBeGreaterThanOrEqual(keys.length);
  expect(sampleValue(after, "courier_queue_depth")).toBe(0);
  expect(sampleValue(after, "courier_udp_drops_total")).toBe(0);
});

test("a destination that stops listening goes down in /metrics, the other stays up, and it comes back", async () => {
  const [b, c] = h.destinations.map((d) => d.address) as [string, string];
  const down = h.doubles.destinations[1]!;
  await down.ctx.setListening(false);
  try {
    await h.source.must("POST", "secret/data/metrics/while-down", { data: { a: "1" } });
    const m = await eventually(async () => {
      const m = await scrape();
      expect(up(m, c)).toBe(0);
      return m;
    });
    expect(sampleValue(m, "courier_sync_total", { destination: c, result: "retry" })).toBeGreaterThanOrEqual(
      1,
    );
    expect(up(m, b)).toBe(1);
  } finally {
    await down.ctx.setListening(true);
  }
  await eventually(async () => {
    expect(await h.destinations[1]!.kv2Data("secret", "metrics/while-down")).toEqual({ a: "1" });
    expect(up(await scrape(), c)).toBe(1);
  });
});

test("a second Courier on the same http.address exits 3 and says the address is in use", async () => {
  const address = url.replace("http://", "");
  const second = spawnCourier([
    `--vault.source.address=${h.source.address}`,
    "--vault.source.token=root",
    `--vault.destinations.addresses=${h.destinations[0]!.address}`,
    "--vault.destinations.tokens=root",
    "--vault.audit_address=udp://127.0.0.1:0",
    `--http.address=${address}`,
  ]);
  expect(await second.child.exited).toBe(3);
  await second.stop();
  expect(second.stderr()).toContain(
    `courier: cannot serve /healthz, /readyz and /metrics on ${address} (http.address): the address is already in use`,
  );
  expect(second.logs().some((r) => r.msg === "listening for audit entries")).toBe(false);
});
