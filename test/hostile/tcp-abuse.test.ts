// Connections to Courier's TCP audit listener that no Vault would make — half a line and then
// silence, megabytes without a newline, a thousand connections at once — against a real Courier
// process whose source streams its audit log over TCP. Through all of it the source's own
// connection keeps delivering, Courier's memory stays bounded, and /metrics counts each one.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Harness, startHarness } from "../support/courier-harness.ts";
import { eventually } from "../support/eventually.ts";
import { metric, scrape } from "./support/metrics.ts";
import { rssMb } from "./support/process-memory.ts";
import { type RawClient, rawClient } from "./support/raw-client.ts";

let h: Harness;
let url: string;
const clients: RawClient[] = [];

beforeAll(async () => {
  h = await startHarness({ transport: "tcp", destinations: 1, flags: ["--http.address=127.0.0.1:0"] });
  url = String((await h.courier.waitForLog("serving /healthz, /readyz and /metrics")).address);
}, 20_000);

afterAll(async () => {
  for (const client of clients) client.end();
  expect(await h.stop()).toBe(0);
});

async function connect(): Promise<RawClient> {
  const client = await rawClient(h.listening);
  clients.push(client);
  return client;
}

/** A write on the source reaches the destination: the source's own connection still flows. */
async function stillReplicates(key: string): Promise<void> {
  await h.source.must("POST", `secret/data/${key}`, { data: { v: key } });
  await eventually(async () => expect(await h.destinations[0]!.kv2Data("secret", key)).toEqual({ v: key }));
}

const rejected = async (reason: string) =>
  metric(await scrape(url), "courier_audit_entries_total", { result: "rejected", reason });

describe("a TCP audit listener under abuse", () => {
  test("half a line and then silence holds nobody up; the half line is counted when it goes", async () => {
    const staller = await connect();
    await staller.send('{"type":"response","request":{"operation":"update","path":"secret/da');
    await stillReplicates("while-one-stalls");
    expect(await rejected("truncated")).toBe(0);
    staller.end();
    await eventually(async () => expect(await rejected("truncated")).toBe(1));
  });

  test("16 MiB without a newline is one oversize line, memory stays bounded, and the stream goes on", async () => {
    const pid = h.courier.child.pid;
    const before = rssMb(pid);
    const flooder = await connect();
    const junk = new Uint8Array(1024 * 1024).fill(0x6a);
    for (let i = 0; i < 16; i++) await flooder.send(junk);
    await stillReplicates("after-junk");
    expect(rssMb(pid) - before).toBeLessThan(16);
    await flooder.send("\n");
    await eventually(async () => expect(await rejected("oversize")).toBe(1));
    expect(flooder.closed()).toBe(false);
  });

  test("1,100 silent connections cannot lock out the source's device, even when it redials", async () => {
    const pid = h.courier.child.pid;
    const before = rssMb(pid);
    const silent = await Promise.all(Array.from({ length: 1000 }, () => connect()));
    await stillReplicates("during-the-flood");
    // Vault redials after an error or a restart, maybe while the flood goes on: it must find room.
    await h.auditToCourier(false);
    silent.push(...(await Promise.all(Array.from({ length: 100 }, () => connect()))));
    await h.auditToCourier(true);
    await stillReplicates("after-redialling");
    expect(rssMb(pid) - before).toBeLessThan(32);

    // The listener holds 64 at most: every silent connection beyond that made way for a newer one.
    await eventually(async () => {
      const s = await scrape(url);
      expect(
        metric(s, "courier_audit_connections_closed_total", { reason: "evicted" }),
      ).toBeGreaterThanOrEqual(1036);
      expect(silent.filter((c) => c.closed()).length).toBeGreaterThanOrEqual(1036);
    });
    const s = await scrape(url);
    expect(metric(s, "courier_audit_connections_closed_total", { reason: "refused" })).toBe(0);
    // The source's device closing its connection may have cost entries: a full pass followed.
    expect(
      metric(s, "courier_audit_connections_closed_total", { reason: "by_sender" }),
    ).toBeGreaterThanOrEqual(1);
    await h.courier.waitFor(
      (r) => r.msg === "reconcile pass finished" && r.reason === "audit connection closed",
      "the pass after the source's device closed its connection",
    );
    expect(metric(s, "courier_audit_entries_total", { result: "disallowed_sender", reason: "" })).toBe(0);
  });
});
