// Audit devices as Vault's behave: framing per transport, prefix, connection reuse, one redial,
// write deadlines, and the UDP size limit.
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDevice } from "./devices/create-device.ts";
import { MAX_UDP_PAYLOAD } from "./devices/udp-device.ts";
import { closedPort, stalledListener, streamListener, udpListener } from "./listeners.ts";

const enc = (s: string) => new TextEncoder().encode(s);
const dir = mkdtempSync(join(tmpdir(), "audit-devices-"));
const cleanups: (() => unknown)[] = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe("socket device over tcp", () => {
  test("writes every entry on one reused connection, in order", async () => {
    const peer = await streamListener();
    cleanups.push(peer.stop);
    const { device } = createDevice("socket", { address: `127.0.0.1:${peer.port}` });
    cleanups.push(() => device.close());
    for (const n of [1, 2, 3]) await device.write(enc(`{"n":${n}}\n`));
    expect(await peer.lines(3)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    expect(peer.connections()).toBe(1);
  });

  test("a connection the listener closed loses the next entry silently; the one after redials", async () => {
    const peer = await streamListener();
    cleanups.push(peer.stop);
    const { device } = createDevice("socket", { address: `127.0.0.1:${peer.port}` });
    cleanups.push(() => device.close());
    await device.write(enc("first\n"));
    await peer.lines(1);
    peer.dropConnections();
    await Bun.sleep(50);
    // Go's Write to a half-closed TCP connection succeeds; the peer's reset fails the next one.
    await device.write(enc("lost\n"));
    await Bun.sleep(50);
    await device.write(enc("third\n"));
    expect(await peer.lines(2)).toEqual(["first", "third"]);
    expect(peer.connections()).toBe(2);
  });

  test("fails fast when nothing listens (dial refused, and refused again on the redial)", async () => {
    const { device } = createDevice("socket", { address: `127.0.0.1:${await closedPort()}` });
    const started = performance.now();
    await expect(device.write(enc("x\n"))).rejects.toThrow();
    expect(performance.now() - started).toBeLessThan(1000);
  });

  test("a peer that accepts but never reads stalls an entry twice the write_timeout, then fails it", async () => {
    const peer = await stalledListener();
    cleanups.push(peer.stop);
    const { device } = createDevice("socket", { address: `127.0.0.1:${peer.port}`, write_timeout: "150ms" });
    cleanups.push(() => device.close());
    const started = performance.now();
    // Bigger than the kernel's send and receive buffers together, so the write cannot finish.
    await expect(device.write(new Uint8Array(64 * 1024 * 1024).fill(120))).rejects.toThrow("i/o timeout");
    const took = performance.now() - started;
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(2000);
  });
});

describe("socket device over unix and udp", () => {
  test("unix: entries arrive as lines on the socket file", async () => {
    const path = join(dir, "audit.sock");
    const peer = await streamListener(path);
    cleanups.push(peer.stop);
    const { device, prefix } = createDevice("socket", {
      address: path,
      socket_type: "unix",
      prefix: "vault: ",
    });
    cleanups.push(() => device.close());
    await device.write(enc(`${prefix}{"a":1}\n`));
    expect(await peer.lines(1)).toEqual(['vault: {"a":1}']);
  });

  test("udp: one datagram per entry, newline included", async () => {
    const peer = await udpListener();
    cleanups.push(peer.stop);
    const { device } = createDevice("socket", { address: `127.0.0.1:${peer.port}`, socket_type: "udp" });
    cleanups.push(() => device.close());
    await device.write(enc('{"n":1}\n'));
    await device.write(enc('{"n":2}\n'));
    expect(await peer.waitFor(2)).toEqual(['{"n":1}\n', '{"n":2}\n']);
  });

  test("udp: an entry of 65,507 bytes is sent, one byte more fails with message too long", async () => {
    const peer = await udpListener();
    cleanups.push(peer.stop);
    const { device } = createDevice("socket", { address: `127.0.0.1:${peer.port}`, socket_type: "udp" });
    cleanups.push(() => device.close());
    await device.write(new Uint8Array(MAX_UDP_PAYLOAD).fill(97));
    await expect(device.write(new Uint8Array(MAX_UDP_PAYLOAD + 1).fill(97))).rejects.toThrow(
      "message too long",
    );
    expect((await peer.waitFor(1))[0]?.length).toBe(MAX_UDP_PAYLOAD);
  });

  test("unix: a connection the listener closed fails the next write at once, which redials", async () => {
    const path = join(dir, "dropped.sock");
    const peer = await streamListener(path);
    cleanups.push(peer.stop);
    const { device } = createDevice("socket", { address: path, socket_type: "unix" });
    cleanups.push(() => device.close());
    await device.write(enc("first\n"));
    await peer.lines(1);
    peer.dropConnections();
    await Bun.sleep(50);
    await device.write(enc("second\n"));
    expect(await peer.lines(2)).toEqual(["first", "second"]);
    expect(peer.connections()).toBe(2);
  });

  test("udp to a port nobody listens on keeps succeeding, entry after entry: Vault cannot see the loss", async () => {
    const { device } = createDevice("socket", {
      address: `127.0.0.1:${await closedPort()}`,
      socket_type: "udp",
    });
    cleanups.push(() => device.close());
    // Back to back, so each send meets the refusal the previous datagram's ICMP left behind.
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => device.write(enc("lost\n"))));
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
  });
});

describe("file device and options", () => {
  test("appends one line per entry to file_path, created with mode 0600", async () => {
    const path = join(dir, "logs", "audit.log");
    const { device } = createDevice("file", { file_path: path });
    await device.write(enc("one\n"));
    await device.write(enc("two\n"));
    await device.close();
    expect(readFileSync(path, "utf8")).toBe("one\ntwo\n");
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  test("honours mode and accepts `discard`", async () => {
    const path = join(dir, "audit-0640.log");
    const { device } = createDevice("file", { file_path: path, mode: "0640" });
    await device.close();
    expect(statSync(path).mode & 0o777).toBe(0o640);
    const discard = createDevice("file", { file_path: "DISCARD" });
    await discard.device.write(enc("gone\n"));
  });

  test.each([
    ["socket", {}, "address is required"],
    ["socket", { address: "127.0.0.1" }, "missing port in address"],
    ["socket", { address: "10.0.0.1:9090" }, "only dials loopback"],
    ["socket", { address: "127.0.0.1:9", socket_type: "sctp" }, "unknown network sctp"],
    ["socket", { address: "127.0.0.1:9", format: "xml" }, 'unknown format type "xml"'],
    ["socket", { address: "127.0.0.1:9", hmac_accessor: "maybe" }, "invalid syntax"],
    ["file", {}, "file_path is required"],
    ["kafka", {}, 'unknown backend type: "kafka"'],
  ] as [string, Record<string, string>, string][])("%s with %j is refused: %s", (type, options, message) => {
    expect(() => createDevice(type, options)).toThrow(message);
  });

  test("format jsonx, prefix and hashing options are read", () => {
    const setup = createDevice("file", {
      file_path: "discard",
      format: "jsonx",
      prefix: "@cee:",
      hmac_accessor: "false",
      log_raw: "true",
      elide_list_responses: "1",
    });
    expect(setup.format).toBe("jsonx");
    expect(setup.prefix).toBe("@cee:");
    expect(setup.policy).toEqual({ hmacAccessor: false, raw: true, elideListResponses: true });
  });
});
