import { afterAll, describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { listenUdp, readReceiveBuffer, type UdpListener } from "../../../src/audit/listeners/udp.ts";
import { CourierError } from "../../../src/errors.ts";
import { entry, recorder, waitFor } from "./helpers.ts";

const open: { close(): unknown }[] = [];
afterAll(async () => {
  for (const thing of open) await thing.close();
});

async function udpListener(r: ReturnType<typeof recorder>, host = "127.0.0.1"): Promise<UdpListener> {
  const listener = await listenUdp(host, 0, r.options);
  open.push(listener);
  return listener;
}

async function sender(host = "127.0.0.1") {
  const socket = await Bun.udpSocket({ hostname: host, port: 0 });
  open.push(socket);
  return socket;
}

const rmemMax = Number(readFileSync("/proc/sys/net/core/rmem_max", "utf8"));

describe("UDP listener", () => {
  test("hands each datagram to onLine as one entry, with the sender's address", async () => {
    const r = recorder({ prefix: "vault: " });
    const listener = await udpListener(r);
    const client = await sender();
    client.send('vault: {"a":1}\n', listener.port, "127.0.0.1");
    client.send('{"b":2}', listener.port, "127.0.0.1");
    await waitFor(() => r.lines.length === 2, "two entries");
    expect(r.lines).toEqual([
      { line: '{"a":1}', sender: "127.0.0.1" },
      { line: '{"b":2}', sender: "127.0.0.1" },
    ]);
    expect(listener.address).toBe(`udp://127.0.0.1:${listener.port}`);
  });

  test("listens on IPv6 loopback too", async () => {
    const r = recorder();
    const listener = await udpListener(r, "::1");
    const client = await sender("::1");
    client.send('{"v6":true}\n', listener.port, "::1");
    await waitFor(() => r.lines.length === 1, "one entry");
    expect(r.lines).toEqual([{ line: '{"v6":true}', sender: "::1" }]);
    expect(listener.address).toBe(`udp://[::1]:${listener.port}`);
  });

  test("drops and counts datagrams from a sender outside the allowlist", async () => {
    const r = recorder({ allow: ["10.0.0.0/8"] });
    const listener = await udpListener(r);
    const client = await sender();
    for (let i = 0; i < 5; i++) client.send(entry(i), listener.port, "127.0.0.1");
    await waitFor(() => r.counters.disallowedSender === 5, "five refusals");
    expect(r.lines).toEqual([]);
  });

  test("counts oversize and invalid UTF-8 datagrams and keeps going", async () => {
    const r = recorder({ maxLineBytes: 100 });
    const listener = await udpListener(r);
    const client = await sender();
    client.send("x".repeat(500), listener.port, "127.0.0.1");
    client.send(Uint8Array.of(0x7b, 0xff, 0x7d), listener.port, "127.0.0.1");
    client.send('{"ok":1}', listener.port, "127.0.0.1");
    await waitFor(() => r.lines.length === 1, "the good entry");
    expect(r.counters.oversize).toBe(1);
    expect(r.counters.rejected.invalid_utf8).toBe(1);
  });

  test("an onLine that throws is reported and the next datagram still arrives", async () => {
    const errors: unknown[] = [];
    const seen: string[] = [];
    const r = recorder({
      onLine: (line) => {
        if (line === "boom") throw new Error("boom");
        seen.push(line);
      },
      onError: (error) => errors.push(error),
    });
    const listener = await udpListener(r);
    const client = await sender();
    client.send("boom", listener.port, "127.0.0.1");
    client.send("after", listener.port, "127.0.0.1");
    await waitFor(() => seen.length === 1, "the entry after the failure");
    expect(seen).toEqual(["after"]);
    expect(errors.length).toBe(1);
  });

  test("raises the receive buffer, as getsockopt confirms, or warns once naming rmem_max", async () => {
    const requested = 6 * 1024 * 1024;
    const r = recorder({ receiveBufferBytes: requested });
    const listener = await udpListener(r);
    expect(listener.fd).toBeNumber();
    expect(readReceiveBuffer(listener.fd!)).toBe(listener.receiveBuffer.granted!);
    if (listener.receiveBuffer.forced || rmemMax >= requested) {
      expect(listener.receiveBuffer.granted).toBeGreaterThanOrEqual(requested);
      expect(r.warnings).toEqual([]);
    } else {
      expect(listener.receiveBuffer.granted).toBe(rmemMax);
      expect(r.warnings.length).toBe(1);
      expect(r.warnings[0]).toContain("rmem_max");
    }
    expect(listener.receiveBuffer.granted).toBeGreaterThan(212_992);
  });

  test("a burst the enlarged buffer holds loses nothing; one a small buffer cannot hold shows up as kernel drops", async () => {
    const burst = 600;
    const big = recorder({ receiveBufferBytes: 16 * 1024 * 1024 });
    const small = recorder({ receiveBufferBytes: 64 * 1024 });
    const bigListener = await udpListener(big);
    const smallListener = await udpListener(small);
    const client = await sender();
    // Sent without yielding: the listeners cannot read until the burst is over.
    for (let i = 0; i < burst; i++) {
      const datagram = entry(i, 2000);
      client.send(datagram, bigListener.port, "127.0.0.1");
      client.send(datagram, smallListener.port, "127.0.0.1");
    }
    if (bigListener.receiveBuffer.granted! >= 16 * 1024 * 1024) {
      await waitFor(() => big.lines.length === burst, "the whole burst on the big buffer");
      expect(bigListener.pollKernelDrops()).toBe(0);
    }
    await waitFor(
      () => small.lines.length + smallListener.pollKernelDrops() === burst,
      "every datagram on the small buffer read or counted as dropped",
    );
    expect(small.counters.udpKernelDrops).toBeGreaterThan(0);
    expect(small.lines.map((l) => l.line)).toEqual(
      [...new Set(small.lines.map((l) => l.line))], // no duplicates, order kept
    );
  });

  test("a port already in use fails with LISTEN_FAILED naming the address and the reason", async () => {
    const first = await udpListener(recorder());
    let error: unknown;
    try {
      await listenUdp("127.0.0.1", first.port, recorder().options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CourierError);
    expect((error as CourierError).code).toBe("LISTEN_FAILED");
    expect((error as Error).message).toContain(`udp://127.0.0.1:${first.port}`);
    expect((error as Error).message).toContain("already in use");
  });
});
