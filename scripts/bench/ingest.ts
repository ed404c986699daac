// Figure 1, ingest: audit entries per second through framing, parsing, classification and the
// dedup ring on one thread, from a real TCP stream and real UDP datagrams on loopback, against the
// ceiling of a bare JSON.parse loop over the same lines measured in the same round.
//   bun scripts/bench/ingest.ts [--quick]
// The sender is another process (scripts/bench/lib/send-lines.ts), so the receiving thread does
// only Courier's work. The lines are the fixtures plus generated KV v2 writes of 1.4–1.9 KB, as
// Vault writes them: a request entry, then a response entry. Stages measured in memory too (over
// strings, over bytes) show where the time goes.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isPlainRequestEntry } from "../../src/audit/classify.ts";
import { LineFramer } from "../../src/audit/framer.ts";
import { createPipeline } from "./lib/ingest-pipeline.ts";
import { writeStream } from "./lib/lines.ts";
import { runAlone } from "./lib/run-alone.ts";
import { type Corpus, corpus, overSocket, type Sample, socketRound } from "./lib/socket-ingest.ts";
import { median, round } from "./lib/stats.ts";
import type { Benchmark, BenchOptions, BenchReport, Figure } from "./lib/types.ts";

export const benchmark: Benchmark = {
  name: "ingest",
  title: "Ingest: entries/s through framing, parsing, classification and ring, one thread",
  run,
};

async function run(options: BenchOptions): Promise<BenchReport> {
  const dir = mkdtempSync(join(tmpdir(), "courier-bench-ingest-"));
  try {
    const writes = options.quick ? 3_000 : 10_000;
    const stream = writeStream(writes, Math.floor(writes / 2));
    const mixed = corpus("stream", stream, dir);
    const responses = corpus(
      "responses",
      stream.filter((line) => !isPlainRequestEntry(line)),
      dir,
    );
    const figures: Figure[] = [];
    const rounds: Record<string, unknown> = {};
    for (const c of [mixed, responses]) {
      const label = c === mixed ? "Vault's stream" : "response entries only";
      const memory = inMemory(c, options.quick ? 20 : 60);
      const sockets: Record<string, Sample[]> = { tcp: [], udp: [] };
      const transports = c === mixed ? (["tcp", "udp"] as const) : (["tcp"] as const);
      for (const transport of transports) await overSocket(transport, c, 1); // warm-up, not counted
      for (let round = 0; round < (options.quick ? 2 : 5); round++) {
        for (const transport of transports) {
          sockets[transport]!.push(await socketRound(transport, c, options.quick ? 1 : 2));
        }
        const last = (t: string) => sockets[t]?.at(-1);
        options.log(
          `ingest ${c.name} round ${round + 1}: tcp ${fmt(last("tcp"))}, udp ${fmt(last("udp"))} entries/s`,
        );
      }
      figures.push(
        figure(`parse + classify + ring over strings (${label})`, memory.strings, false),
        figure(`+ framing over bytes (${label})`, memory.bytes, false),
        ...transports.map((t) =>
          figure(`${t === "tcp" ? "TCP stream" : "UDP datagrams"} (${label})`, sockets[t]!, true),
        ),
      );
      rounds[c.name] = { memory, sockets };
    }
    return {
      figures,
      notes: [
        `${mixed.lines.length} lines (${(mixed.bytes.length / mixed.lines.length).toFixed(0)} bytes on average): the audit fixtures and generated KV v2 writes, a request entry then a response entry each, ${Math.floor(writes / 2)} distinct keys; "response entries only" drops the request entries, so every line is parsed.`,
        "Ceiling: a bare JSON.parse loop over the same line strings in the same process, measured in short slices alternating with the stage measured (in memory, wall-clock time), or right before and after each socket run (CPU time); ratios are medians of those pairs.",
        "Socket figures are entries per CPU-second of the receiving process (user + system, so the kernel's socket work counts): on a shared machine wall-clock rates swing with other load, CPU time does not. The wall-clock rate is in each figure's note.",
        "A request entry is recognised without parsing it (classify.ts, isPlainRequestEntry), so Vault's stream can reach or beat the ceiling; the response-only figures are the conservative ones.",
        "TCP and UDP senders are another process (scripts/bench/lib/send-lines.ts). UDP counts what was received and handled; when nothing was lost the figure is bounded by the sender, not by Courier.",
      ],
      rounds,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function figure(name: string, samples: Sample[], goal: boolean): Figure {
  const ratio = median(samples.map((s) => s.rate / s.ceiling));
  const wall = samples.some((s) => s.wallRate !== undefined)
    ? `; ${fmtRate(median(samples.map((s) => s.wallRate ?? 0)))} entries/s of wall-clock time`
    : "";
  const udp = samples.some((s) => s.sent !== undefined)
    ? `; ${samples.reduce((n, s) => n + (s.received ?? 0), 0)} of ${samples.reduce((n, s) => n + (s.sent ?? 0), 0)} datagrams arrived, the sender managing ${fmtRate(median(samples.map((s) => s.senderRate ?? 0)))}/s`
    : "";
  const bare = samples.some((s) => s.bareRate !== undefined)
    ? `; a bare receiver (socket, split, JSON.parse) managed ${round(median(samples.map((s) => (s.bareRate ?? 0) / s.ceiling)), 2)} of the ceiling`
    : "";
  return {
    name,
    value: round(median(samples.map((s) => s.rate))),
    unit: "entries/s",
    ceiling: round(median(samples.map((s) => s.ceiling))),
    ceilingName: "bare JSON.parse loop",
    ratio: round(ratio, 2),
    ...(goal ? { goal: "≥ 0.5 of the ceiling", met: ratio >= 0.5 } : {}),
    ...(wall || udp ? { note: `per CPU-second of the receiving process${wall}${bare}${udp}` } : {}),
  };
}

/**
 * The in-memory stages in `slices` short slices of the corpus, each stage right after the bare
 * parse loop over the same slice, so a busy moment on the machine hits both sides of a ratio.
 */
function inMemory(c: Corpus, slices: number): { strings: Sample[]; bytes: Sample[] } {
  const size = Math.min(2_000, c.lines.length);
  const out = { strings: [] as Sample[], bytes: [] as Sample[] };
  let sink = 0;
  for (let i = -3; i < slices; i++) {
    const from = ((i + 3) * size) % Math.max(1, c.lines.length - size);
    const lines = c.lines.slice(from, from + size);
    const bytes = new TextEncoder().encode(`${lines.join("\n")}\n`);
    const ceiling = rate(size, () => {
      for (const line of lines) if (JSON.parse(line) !== null) sink++;
    });
    const strings = rate(size, () => {
      const pipeline = createPipeline();
      for (const line of lines) pipeline.onLine(line);
      sink += pipeline.accepted;
    });
    const framed = rate(size, () => {
      const pipeline = createPipeline();
      const framer = new LineFramer({ onLine: pipeline.onLine, onDiscard: () => {} });
      // 64 KiB chunks: what one socket read typically hands over.
      for (let at = 0; at < bytes.length; at += 65_536) framer.push(bytes.subarray(at, at + 65_536));
      sink += pipeline.accepted;
    });
    if (i < 0) continue; // warm-up slices: JIT and caches
    out.strings.push({ rate: strings, ceiling });
    out.bytes.push({ rate: framed, ceiling });
  }
  if (sink < 0) console.log(sink); // keeps the work observable
  return out;
}

function rate(count: number, work: () => void): number {
  const started = performance.now();
  work();
  return count / ((performance.now() - started) / 1000);
}

function fmt(sample: Sample | undefined): string {
  return sample === undefined ? "-" : `${fmtRate(sample.rate)} (ceiling ${fmtRate(sample.ceiling)})`;
}

/** fmtRate(123456) → "123k" */
function fmtRate(value: number): string {
  return `${Math.round(value / 1000)}k`;
}

if (import.meta.main) await runAlone(benchmark);
