import { afterAll, describe, expect, test } from "bun:test";
import type { Socket } from "bun";
import { listenTcp } from "../../../src/audit/listeners/stream.ts";
import { CourierError } from "../../../src/errors.ts";
import { randomChunks, randomInt, seeded } from "../random.ts";
import { entry, recorder, waitFor } from "./helpers.ts";

const open: { close(): unknown }[] = [];
afterAll(async () => {
  for (const thing of open) await thing.close();
});

function start(more: Parameters<typeof recorder>[0] = {}) {
  const r = recorder(more);
  const listener = listenTcp("127.0.0.1", 0, r.options);
  open.push(listener);
  return { ...r, listener };
}

interface Client {
  socket: Socket<undefined>;
  closed: () => boolean;
}

async function connect(port: number): Promise<Client> {
  let closed = false;
  const socket = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      data() {},
      close() {
        closed = true;
      },
      error() {},
    },
  });
  open.push({ close: () => socket.end() });
  return { socket, closed: () => closed };
}

const encode = (text: string) => new TextEncoder().encode(text);

/** Writes `bytes` in random pieces, pausing now and then so reads really are split. */
async function writeInPieces(
  socket: Socket<undefined>,
  bytes: Uint8Array,
  random: () => number,
): Promise<void> {
  for (const piece of randomChunks(random, bytes, 80)) {
    socket.write(piece);
    if (randomInt(random, 4) === 0) await Bun.sleep(1);
  }
  socket.flush();
}

describe("TCP listener", () => {
  test("one connection sending many entries cut at odd places delivers them all, in order", async () => {
    const { listener, lines } = start();
    const client = await connect(listener.port);
    const sent = Array.from({ length: 300 }, (_, i) => entry(i, 50 + ((i * 37) % 900)));
    await writeInPieces(client.socket, encode(`${sent.join("\n")}\n`), seeded(3));
    await waitFor(() => lines.length === sent.length, "every entry");
    expect(lines.map((l) => l.line)).toEqual(sent);
    expect(new Set(lines.map((l) => l.sender))).toEqual(new Set(["127.0.0.1"]));
  });

  test("several connections at once each keep their own partial lines", async () => {
    const { listener, lines } = start();
    const clients = await Promise.all([1, 2, 3, 4, 5].map(() => connect(listener.port)));
    await waitFor(() => listener.connections === 5, "five connections");
    const random = seeded(5);
    const perClient = clients.map((_, c) => Array.from({ length: 60 }, (_, i) => entry(c * 1000 + i, 120)));
    await Promise.all(
      clients.map((client, c) =>
        writeInPieces(client.socket, encode(`${perClient[c]!.join("\n")}\n`), random),
      ),
    );
    await waitFor(() => lines.length === 300, "all 300 entries");
    for (const sent of perClient) {
      const mine = new Set(sent);
      expect(lines.map((l) => l.line).filter((line) => mine.has(line))).toEqual(sent);
    }
  });

  test("a sender outside the allowlist is cut off and counted, and nothing it sent arrives", async () => {
    const { listener, lines, counters } = start({ allow: ["192.0.2.0/24"] });
    const client = await connect(listener.port);
    client.socket.write(`${entry(1)}\n`);
    await waitFor(() => client.closed(), "the connection to close");
    expect(counters.disallowedSender).toBe(1);
    expect(lines).toEqual([]);
  });

  test("a connection that sends half a line and stalls is closed after the idle timeout, and counted", async () => {
    const { listener, lines, counters } = start({ idleTimeoutMs: 150 });
    const client = await connect(listener.port);
    client.socket.write(`${entry(1)}\n{"type":"resp`);
    await waitFor(() => client.closed(), "the stalled connection to close", 2000);
    expect(lines.map((l) => l.line)).toEqual([entry(1)]);
    expect(counters.stalledConnections).toBe(1);
    expect(counters.truncated).toBe(1);
    expect(listener.connections).toBe(0);
  });

  test("an idle connection between whole entries is kept open past the idle timeout", async () => {
    const { listener, lines } = start({ idleTimeoutMs: 100 });
    const client = await connect(listener.port);
    client.socket.write(`${entry(1)}\n`);
    await Bun.sleep(350);
    expect(client.closed()).toBe(false);
    client.socket.write(`${entry(2)}\n`);
    await waitFor(() => lines.length === 2, "the entry after the pause");
  });

  test("a connection that never sends a newline is held to the line cap, counted once per line", async () => {
    const { listener, lines, counters } = start({ maxLineBytes: 64 * 1024 });
    const client = await connect(listener.port);
    const junk = encode("j".repeat(256 * 1024));
    for (let i = 0; i < 12; i++) client.socket.write(junk); // 3 MiB, no newline
    client.socket.flush();
    await waitFor(() => counters.oversize === 1, "the over-long line to be counted");
    client.socket.write(`\n${entry(7)}\n`);
    await waitFor(() => lines.length === 1, "the entry after the junk");
    expect(lines[0]!.line).toBe(entry(7));
    expect(counters.oversize).toBe(1);
    expect(client.closed()).toBe(false);
  });

  test("a partial line at close is counted as truncated; a reconnect starts clean", async () => {
    const { listener, lines, counters } = start();
    const first = await connect(listener.port);
    first.socket.write(`${entry(1)}\n{"half`);
    await waitFor(() => lines.length === 1, "the first entry");
    first.socket.end();
    await waitFor(() => counters.truncated === 1, "the half line to be counted");
    const second = await connect(listener.port);
    second.socket.write(`${entry(2)}\n`);
    await waitFor(() => lines.length === 2, "the entry after reconnecting");
    expect(lines.map((l) => l.line)).toEqual([entry(1), entry(2)]);
  });

  test("beyond the maximum, a new connection takes the place of one that never sent a line, counted", async () => {
    const { listener, counters, lines } = start({ maxConnections: 2 });
    const talking = await connect(listener.port);
    talking.socket.write(`${entry(1)}\n`);
    await waitFor(() => lines.length === 1, "the first entry");
    const silent = await connect(listener.port);
    await waitFor(() => listener.connections === 2, "two connections");
    const third = await connect(listener.port);
    await waitFor(() => silent.closed(), "the silent connection to be closed");
    third.socket.write(`${entry(3)}\n`);
    talking.socket.write(`${entry(2)}\n`);
    await waitFor(() => lines.length === 3, "entries on both remaining connections");
    expect(talking.closed()).toBe(false);
    expect(counters.evictedConnections).toBe(1);
    expect(counters.refusedConnections).toBe(0);
  });

  test("a port already in use fails with LISTEN_FAILED naming the address and the reason", () => {
    const { listener } = start();
    let error: unknown;
    try {
      listenTcp("127.0.0.1", listener.port, recorder().options);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CourierError);
    expect((error as CourierError).code).toBe("LISTEN_FAILED");
    expect((error as CourierError).exitCode).toBe(3);
    expect((error as Error).message).toContain(`tcp://127.0.0.1:${listener.port}`);
    expect((error as Error).message).toContain("already in use");
  });

  test("after close, the port no longer accepts connections", async () => {
    const { listener } = start();
    await listener.close();
    let refused = false;
    await Bun.connect({ hostname: "127.0.0.1", port: listener.port, socket: { data() {} } }).then(
      (socket) => socket.end(),
      () => {
        refused = true;
      },
    );
    expect(refused).toBe(true);
  });
});
