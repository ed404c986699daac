// Figure 7, footprint of the compiled binary (dist/courier): start-up to listening, resident
// memory 3 s after the start-up pass and after a minute idle (not in --quick), and resident memory
// with 100,000 distinct keys pending. The ceiling for the first
// two is a compiled listener that does nothing else (lib/bare-listener.ts), built the same way.
// For the pending keys both destinations answer KV requests only after 10 minutes (the doubles'
// latency fault), so the 64 syncs in flight stall and everything hinted after them waits in the
// ring; 100,064 hints for distinct keys arrive over UDP.
//   bun scripts/bench/footprint.ts [--quick]

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { ensureBareListener } from "./lib/bare-binary.ts";
import { residentBytes, spawnChild } from "./lib/child.ts";
import { freeTcpPort, freeUdpPort, startCourier } from "./lib/courier.ts";
import {
  type DoubleProcess,
  disableAudit,
  enableSocketAudit,
  readSecret,
  setFaults,
  startDoubles,
  stopAll,
  writeSecret,
} from "./lib/double.ts";
import { writeEntries } from "./lib/lines.ts";
import { runAlone } from "./lib/run-alone.ts";
import { median, round } from "./lib/stats.ts";
import type { Benchmark, BenchOptions, BenchReport } from "./lib/types.ts";
import { waitDrained } from "./lib/udp-stats.ts";

export const benchmark: Benchmark = {
  name: "footprint",
  title: "Footprint: start-up, memory idle and with 100,000 keys pending (dist/courier)",
  run,
};

const MB = 1024 * 1024;
const PENDING = 100_000;
const IN_FLIGHT = availableParallelism() * 32;

async function run(options: BenchOptions): Promise<BenchReport> {
  const runs = options.quick ? 3 : 7;
  const bare = await ensureBareListener();
  const doubles = await startDoubles(3);
  const [source, east, west] = doubles as [DoubleProcess, DoubleProcess, DoubleProcess];
  const dir = mkdtempSync(join(tmpdir(), "courier-bench-footprint-"));
  try {
    const startups: number[] = [];
    const bareStartups: number[] = [];
    for (let i = 0; i < runs; i++) {
      const courier = await startCourier({
        source,
        destinations: [east, west],
        auditAddress: `udp://127.0.0.1:${await freeUdpPort()}`,
      });
      startups.push(courier.listeningAfterMs);
      await courier.stop();
      const listener = spawnChild([bare, String(await freeUdpPort())]);
      bareStartups.push((await listener.waitFor(/listening for audit entries/)).ms);
      await listener.stop();
    }
    const { samples: idle, firstKey } = await idleMemory(
      bare,
      source,
      [east, west],
      options.quick ? [SETTLED_S] : [SETTLED_S, IDLE_S],
    );
    options.log(
      `start-up ${startups.map((ms) => Math.round(ms)).join(", ")} ms (bare ${bareStartups.map((ms) => Math.round(ms)).join(", ")}); ` +
        idle
          .map(
            (m) => `${m.seconds} s idle ${(m.courier / MB).toFixed(1)} MB (bare ${(m.bare / MB).toFixed(1)})`,
          )
          .join("; "),
    );
    const pending = await withPending(source, [east, west], dir, options);
    const startup = median(startups);
    const bareStartup = median(bareStartups);
    const settled = idle[0]!;
    const minute = idle[1];
    return {
      figures: [
        {
          name: "start-up to listening",
          value: round(startup, 1),
          unit: "ms",
          ceiling: round(bareStartup, 1),
          ceilingName: "a compiled bare UDP listener",
          ratio: round(bareStartup / startup, 2),
          goal: "≤ 150 ms",
          met: startup <= 150,
        },
        {
          name: `resident memory, ${SETTLED_S} s after the start-up pass`,
          value: round(settled.courier / MB, 1),
          unit: "MB",
          ceiling: round(settled.bare / MB, 1),
          ceilingName: "a compiled bare UDP listener",
          ratio: round(settled.bare / settled.courier, 2),
          goal: "≤ 80 MB",
          met: settled.courier <= 80 * MB,
        },
        ...(minute
          ? [
              {
                name: `resident memory, idle ${IDLE_S} s`,
                value: round(minute.courier / MB, 1),
                unit: "MB",
                ceiling: round(minute.bare / MB, 1),
                ceilingName: "a compiled bare UDP listener",
                ratio: round(minute.bare / minute.courier, 2),
                goal: "≤ 50 MB",
                met: minute.courier <= 50 * MB,
                note: `${minute.workers} sync worker threads running (courier_sync_workers)`,
              },
            ]
          : []),
        ...(firstKey
          ? [
              {
                name: `first key synced after ${IDLE_S} s idle`,
                value: round(firstKey.afterIdle, 1),
                unit: "ms",
                ceiling: round(firstKey.warm, 1),
                ceilingName: "the next key, workers running",
                ratio: round(firstKey.warm / firstKey.afterIdle, 2),
                note: "source write answered → both destinations hold it; one write each",
              },
            ]
          : []),
        {
          name: `resident memory, ${PENDING.toLocaleString("en-US")} keys pending`,
          value: round(pending.rss / MB, 1),
          unit: "MB",
          goal: "≤ 200 MB",
          met: pending.rss <= 200 * MB && pending.queued >= PENDING,
          note: `queue depth ${pending.queued} (courier_queue_depth), ${Math.round((pending.rss - pending.idle) / PENDING)} bytes per pending key over the ${round(pending.idle / MB, 1)} MB before the hints`,
        },
      ],
      notes: [
        `Start-up: from spawn to Courier's "listening for audit entries" log line (after loading its configuration and the source's mount table), median of ${runs}; the bare listener is timed to its own line the same way.`,
        `Idle: VmRSS (/proc/<pid>/status) ${idle.map((m) => `${m.seconds} s`).join(" and ")} after the start-up pass finished (the bare listener: as long after it started), with two destinations and up to ${availableParallelism()} worker threads, which start with the first sync and end after 30 s without one.`,
        `Pending: --audit.max_rate=0 (otherwise the 2,000/s hint limit marks the mount for a pass instead of queueing keys) and --http.address for the queue-depth gauge; hints are real-shaped response entries of ${Math.round(pending.lineBytes)} bytes for distinct keys, sent at 25,000/s.`,
      ],
      rounds: { startups, bareStartups, idle, firstKey, pending },
    };
  } finally {
    await stopAll(doubles);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Seconds after the start-up pass at which idle memory is read: soon after, and a minute on. */
const SETTLED_S = 3;
const IDLE_S = 60;

interface IdleSample {
  seconds: number;
  courier: number;
  bare: number;
  workers: number;
}

interface IdleRun {
  samples: IdleSample[];
  /** ms from a source write answered to both destinations holding it: after the idle, then again at once. */
  firstKey?: { afterIdle: number; warm: number };
}

/** Courier and the bare listener side by side, idle, their resident memory read at each of `seconds`. */
async function idleMemory(
  bare: string,
  source: DoubleProcess,
  destinations: DoubleProcess[],
  seconds: number[],
): Promise<IdleRun> {
  const httpPort = freeTcpPort();
  const auditAddress = `127.0.0.1:${await freeUdpPort()}`;
  const courier = await startCourier({
    source,
    destinations,
    auditAddress: `udp://${auditAddress}`,
    flags: [`--http.address=127.0.0.1:${httpPort}`],
  });
  const listener = spawnChild([bare, String(await freeUdpPort())]);
  try {
    await listener.waitFor(/listening for audit entries/);
    await courier.child.waitFor(/reconcile pass finished/, 10_000).catch(() => undefined);
    const from = performance.now();
    const samples: IdleSample[] = [];
    const firstKey = async (path: string) => {
      const started = performance.now();
      await writeSecret(source, path, { value: path });
      for (;;) {
        const held = await Promise.all(destinations.map((d) => readSecret(d, path)));
        if (held.every((data) => data?.value === path)) return performance.now() - started;
        await Bun.sleep(1);
      }
    };
    for (const at of seconds) {
      await Bun.sleep(Math.max(0, at * 1000 - (performance.now() - from)));
      const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
      samples.push({
        seconds: at,
        courier: (await residentBytes(courier.child.pid)) ?? Number.NaN,
        bare: (await residentBytes(listener.pid)) ?? Number.NaN,
        workers: Number(/^courier_sync_workers (\d+)/m.exec(metrics)?.[1] ?? Number.NaN),
      });
    }
    if (seconds.at(-1)! < IDLE_S) return { samples };
    // The sync workers have ended by now: the first key starts one.
    await enableSocketAudit(source, "footprint", auditAddress, "udp");
    const afterIdle = await firstKey(`idle/first-${Date.now()}`);
    const warm = await firstKey(`idle/second-${Date.now()}`);
    await disableAudit(source, "footprint");
    return { samples, firstKey: { afterIdle, warm } };
  } finally {
    await listener.stop();
    await courier.stop();
  }
}

async function withPending(
  source: DoubleProcess,
  destinations: DoubleProcess[],
  dir: string,
  options: BenchOptions,
): Promise<{ rss: number; idle: number; queued: number; lineBytes: number }> {
  const count = PENDING + IN_FLIGHT;
  const lines = Array.from(
    { length: count },
    (_, i) => writeEntries(`pending/app-${i % 97}/key-${i}`, 1, i).response,
  );
  const file = join(dir, "hints.jsonl");
  writeFileSync(file, `${lines.join("\n")}\n`);
  const lineBytes = lines.reduce((n, l) => n + l.length, 0) / lines.length;
  lines.length = 0;
  const port = await freeUdpPort();
  const httpPort = freeTcpPort();
  const courier = await startCourier({
    source,
    destinations,
    auditAddress: `udp://127.0.0.1:${port}`,
    flags: ["--audit.max_rate=0", `--http.address=127.0.0.1:${httpPort}`],
  });
  try {
    await courier.child.waitFor(/reconcile pass finished/, 10_000).catch(() => undefined);
    for (const d of destinations) await setFaults(d, [{ kind: "latency", ms: 600_000, path: "secret/*" }]);
    await Bun.sleep(500);
    const idle = (await residentBytes(courier.child.pid)) ?? Number.NaN;
    const sender = spawnChild([
      process.execPath,
      "scripts/bench/lib/send-lines.ts",
      "--transport=udp",
      `--port=${port}`,
      `--file=${file}`,
      "--rate=25000",
      `--seconds=${count / 25_000}`,
    ]);
    await sender.proc.exited;
    await waitDrained(port, 5_000);
    await Bun.sleep(1_000);
    const rss = (await residentBytes(courier.child.pid)) ?? Number.NaN;
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    const queued = Number(/^courier_queue_depth (\d+)/m.exec(metrics)?.[1] ?? Number.NaN);
    options.log(
      `${queued} keys pending: ${(rss / MB).toFixed(1)} MB resident (${(idle / MB).toFixed(1)} MB before)`,
    );
    return { rss, idle, queued, lineBytes };
  } finally {
    for (const d of destinations) await setFaults(d, []);
    await courier.stop();
  }
}

if (import.meta.main) await runAlone(benchmark);
