// A sender process for benchmarks: plays a file of audit lines to a listener the way a socket
// audit device would, so the receiving side's work is all that runs on the receiver's thread.
//   bun scripts/bench/lib/send-lines.ts --transport tcp|udp --port P --file F
//       [--repeat R]            send the file R times, as fast as the receiver takes it
//       [--rate N --seconds S]  UDP only: N datagrams per second, steadily, for S seconds
// Prints one JSON line when done: {"sent": datagrams or lines, "ms": time spent sending, "behind": …}.

import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    transport: { type: "string" },
    port: { type: "string" },
    file: { type: "string" },
    repeat: { type: "string", default: "1" },
    rate: { type: "string", default: "0" },
    seconds: { type: "string", default: "0" },
  },
});
const port = Number(values.port);
const bytes = new Uint8Array(readFileSync(values.file ?? ""));
const repeat = Number(values.repeat);

if (values.transport === "tcp") await sendTcp();
else await sendUdp();
process.exit(0);

async function sendTcp(): Promise<void> {
  let drained: (() => void) | undefined;
  const socket = await Bun.connect({
    hostname: "127.0.0.1",
    port,
    socket: {
      data() {},
      drain() {
        drained?.();
      },
    },
  });
  const started = performance.now();
  for (let r = 0; r < repeat; r++) {
    let offset = 0;
    while (offset < bytes.length) {
      const chunk = bytes.subarray(offset, Math.min(bytes.length, offset + (1 << 20)));
      const written = socket.write(chunk);
      offset += Math.max(0, written);
      if (written < chunk.length) await new Promise<void>((resolve) => (drained = resolve));
    }
  }
  socket.end();
  report({ sent: countLines(bytes) * repeat, ms: performance.now() - started });
}

async function sendUdp(): Promise<void> {
  const datagrams = splitLines(bytes);
  let drained: (() => void) | undefined;
  const socket = await Bun.udpSocket({
    connect: { hostname: "127.0.0.1", port },
    socket: {
      drain() {
        drained?.();
      },
      error() {},
    },
  });
  const rate = Number(values.rate);
  let sent = 0;
  let waits = 0;
  const started = performance.now();
  // Sends datagrams[next…] up to `until` (a count), waiting out a full send buffer.
  const sendUpTo = async (until: number) => {
    while (sent < until) {
      const batch: Uint8Array[] = [];
      for (let i = 0; i < Math.min(64, until - sent); i++)
        batch.push(datagrams[(sent + i) % datagrams.length]!);
      const n = socket.sendMany(batch);
      sent += n;
      if (n < batch.length) {
        waits++;
        await Promise.race([new Promise<void>((resolve) => (drained = resolve)), Bun.sleep(1)]);
      }
    }
  };
  if (rate <= 0) {
    await sendUpTo(datagrams.length * repeat);
  } else {
    const seconds = Number(values.seconds);
    const total = Math.round(rate * seconds);
    while (sent < total) {
      const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate));
      await sendUpTo(due);
      await Bun.sleep(1);
    }
  }
  const ms = performance.now() - started;
  socket.close();
  report({ sent, ms, rate: Math.round(sent / (ms / 1000)), waits });
}

function report(result: Record<string, number>): void {
  console.log(JSON.stringify(result));
}

/** Each line with its "\n", as Vault's socket device sends one entry per datagram. */
function splitLines(all: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  for (;;) {
    const nl = all.indexOf(10, start);
    if (nl === -1) break;
    if (nl > start) out.push(all.slice(start, nl + 1));
    start = nl + 1;
  }
  return out;
}

function countLines(all: Uint8Array): number {
  let n = 0;
  for (let i = all.indexOf(10); i !== -1; i = all.indexOf(10, i + 1)) n++;
  return n;
}
