// The ingest benchmark's measurements over real sockets: a listener in this process, a sender
// process playing the lines, and the bare parse loop timed right before and after for the ratio.

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { createIngestCounters } from "../../../src/audit/counters.ts";
import { listenForAudit } from "../../../src/audit/listeners/listen.ts";
import type { NetworkListener } from "../../../src/audit/listeners/listener.ts";
import { bareReceiver } from "./bare-receiver.ts";
import { spawnChild } from "./child.ts";
import { createPipeline } from "./ingest-pipeline.ts";

export interface Corpus {
  name: string;
  lines: string[];
  bytes: Uint8Array;
  file: string;
}

/** A corpus in memory and in a file for the sender. */
export function corpus(name: string, lines: string[], dir: string): Corpus {
  const text = `${lines.join("\n")}\n`;
  const file = join(dir, `${name}.jsonl`);
  writeFileSync(file, text);
  return { name, lines, bytes: new TextEncoder().encode(text), file };
}

export interface Sample {
  /** Entries per second: of wall-clock time (in memory), or of the receiving process's CPU time (sockets). */
  rate: number;
  ceiling: number;
  /** Sockets: entries per second of wall-clock time, first line to last. */
  wallRate?: number;
  /** Sockets: the bare receiver's rate in the same round (socket, split, JSON.parse, nothing else). */
  bareRate?: number;
  /** UDP: datagrams sent and received, and the sender's own rate. */
  sent?: number;
  received?: number;
  senderRate?: number;
}

/** The bare parse loop over the whole corpus, per second of this process's CPU time. */
function parseCpuRate(c: Corpus): number {
  let sink = 0;
  const started = cpuMs();
  for (const line of c.lines) if (JSON.parse(line) !== null) sink++;
  return sink / ((cpuMs() - started) / 1000);
}

/** CPU time this process has used, user and system, in ms. */
function cpuMs(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
}

/**
 * One socket run with the bare parse loop measured right before and after it. Socket figures
 * are per CPU-second of this (receiving) process, which is all one thread's work here: another
 * engineer's job on a shared machine, or the sender on the other core, cannot skew them.
 */
export async function socketRound(transport: "tcp" | "udp", c: Corpus, repeat: number): Promise<Sample> {
  const before = parseCpuRate(c);
  const sample = await overSocket(transport, c, repeat, "courier");
  const bare = await overSocket(transport, c, repeat, "bare");
  const after = parseCpuRate(c);
  return { ...sample, bareRate: bare.rate, ceiling: (before + after) / 2 };
}

type Receiver = { port: number; close(): Promise<void> };

/** Courier's listener and ingest path, or the bare receiver, calling `count` per line. */
async function receiver(
  transport: "tcp" | "udp",
  kind: "courier" | "bare",
  count: () => void,
): Promise<Receiver> {
  if (kind === "bare") return bareReceiver(transport, count);
  const pipeline = createPipeline();
  return (await listenForAudit(`${transport}://127.0.0.1:0`, {
    counters: createIngestCounters(),
    allow: ["127.0.0.0/8"],
    onLine(line) {
      pipeline.onLine(line);
      count();
    },
  })) as NetworkListener;
}

/** Entries per second handled by a real listener while another process sends the corpus. */
export async function overSocket(
  transport: "tcp" | "udp",
  c: Corpus,
  repeat: number,
  kind: "courier" | "bare" = "courier",
): Promise<Omit<Sample, "ceiling">> {
  let first = 0;
  let last = 0;
  let cpuFirst = 0;
  let cpuLast = 0;
  let seen = 0;
  let seenAtLast = 0;
  const listener = await receiver(transport, kind, () => {
    if (first === 0) [first, cpuFirst] = [performance.now(), cpuMs()];
    // The clocks every 32 lines: reading them for each would cost more than some stages.
    if (++seen % 32 === 0) [last, cpuLast, seenAtLast] = [performance.now(), cpuMs(), seen];
  });
  try {
    const sender = spawnChild([
      process.execPath,
      "scripts/bench/lib/send-lines.ts",
      `--transport=${transport}`,
      `--port=${listener.port}`,
      `--file=${c.file}`,
      `--repeat=${repeat}`,
    ]);
    const expected = c.lines.length * repeat;
    await sender.proc.exited;
    if (sender.proc.exitCode !== 0) throw new Error(`sender failed: ${sender.stderr()}`);
    // The receiver may still be catching up: wait until everything came, or nothing has for a while.
    let idleSince = performance.now();
    let count = seen;
    while (seen < expected && performance.now() - idleSince < 300) {
      await Bun.sleep(5);
      if (seen !== count) [count, idleSince] = [seen, performance.now()];
    }
    if (transport === "tcp" && seen !== expected)
      throw new Error(`TCP: ${seen} of ${expected} lines arrived`);
    const report = JSON.parse(sender.stdout().trim().split("\n").at(-1) ?? "{}") as { rate?: number };
    return {
      rate: (seenAtLast - 1) / ((cpuLast - cpuFirst) / 1000),
      wallRate: (seenAtLast - 1) / ((last - first) / 1000),
      ...(transport === "udp" ? { sent: expected, received: seen, senderRate: report.rate } : {}),
    };
  } finally {
    await listener.close();
  }
}
