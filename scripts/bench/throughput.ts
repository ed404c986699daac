// Figure 4, throughput: distinct KV v2 keys synced per second to two destinations, against a bare
// `fetch` loop doing the same reads and writes on the same Vault doubles at the same concurrency.
// Two kinds of key: new ones (first versions, which Courier writes only-if-absent without reading
// the destination: three requests a key, where the bare loop makes the five a read-then-write
// takes), and updated ones (Courier synced version 1 of each beforehand, untimed; the source then
// gets a version 2: five requests a key on both sides). Keys are written beforehand; Courier is
// then sent one audit response entry per key over UDP (paced at 20,000/s, far below what ingest
// takes) and the run ends when both destinations have answered that many writes (the doubles
// count them: GET /_double/stats).
//   bun scripts/bench/throughput.ts [--quick]

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { pool, readStats, resetStats, seed, syncByHand, syncUpdateByHand } from "./lib/bare-sync.ts";
import { cpuSeconds, spawnChild } from "./lib/child.ts";
import { freeUdpPort, startCourier } from "./lib/courier.ts";
import { type DoubleProcess, startDoubles, stopAll } from "./lib/double.ts";
import { writeEntries } from "./lib/lines.ts";
import { runAlone } from "./lib/run-alone.ts";
import { median, round } from "./lib/stats.ts";
import { perUnit, threadCpu } from "./lib/thread-cpu.ts";
import type { Benchmark, BenchOptions, BenchReport } from "./lib/types.ts";

export const benchmark: Benchmark = {
  name: "throughput",
  title: "Throughput: distinct keys synced per second to two destinations",
  run,
};

/** The bare loop's syncs at once: 32 per core, what Courier ran when it had a worker per core. */
const CONCURRENCY = availableParallelism() * 32;
const HINT_RATE = 20_000;

/** New keys (first versions) or updated ones (version 2 where every Vault holds version 1). */
type KeyKind = "new" | "updated";

interface Round {
  kind: KeyKind;
  courier: number;
  bare: number;
  /** Requests the three doubles answered per key synced. */
  courierRequestsPerKey: number;
  bareRequestsPerKey: number;
  /** CPU time per key: of the Courier process, and of the benchmark process running the bare loop. */
  courierCpuMsPerKey: number;
  bareCpuMsPerKey: number;
  /** Courier's CPU ms per key by thread: main, Worker (sync workers), HTTP Client, JITWorker, … */
  courierCpuByThread: Record<string, number>;
}

/**
 * Keys synced, unmeasured, before the rounds: until the JIT has compiled the hot paths of Courier's
 * main thread and worker (the JITWorker thread costs 0.05–0.07 CPU ms a key over the first few
 * thousand keys, near nothing after), so the rounds compare steady states. The bare loop runs in
 * this process, warm from seeding, and is warmed the same.
 */
const WARM_UP_KEYS = 2_000;

async function run(options: BenchOptions): Promise<BenchReport> {
  const keys = options.quick ? 1_500 : 5_000;
  const rounds = options.quick ? 2 : 4;
  const dir = mkdtempSync(join(tmpdir(), "courier-bench-throughput-"));
  const doubles = await startDoubles(3);
  const [source, east, west] = doubles as [DoubleProcess, DoubleProcess, DoubleProcess];
  const port = await freeUdpPort();
  const courier = await startCourier({
    source,
    destinations: [east, west],
    auditAddress: `udp://127.0.0.1:${port}`,
    // The hint rate limit (2,000/s by default) would cap this figure at itself: it guards the
    // source against floods, and what is measured here is how fast syncs go once hinted.
    flags: ["--audit.max_rate=0"],
  });
  try {
    await courier.child.waitFor(/reconcile pass finished/, 10_000).catch(() => undefined);
    const results: Round[] = [];
    const warmUps: string[] = [];
    const figures: BenchReport["figures"] = [];
    for (const kind of ["new", "updated"] as const) {
      // Round -1 warms up: JIT, worker threads, connections, mount caches. It is reported, not counted.
      const warmUpKeys = options.quick ? 500 : WARM_UP_KEYS;
      const ofKind: Round[] = [];
      for (let r = -1; r < rounds; r++) {
        const count = r < 0 ? warmUpKeys : keys;
        const c = await viaCourier(doubles, courier.child.pid, port, `tp/${kind}/c${r}`, count, dir, kind);
        const b = await byHand(doubles, `tp/${kind}/b${r}`, count, kind);
        if (r < 0) {
          const cold = `the first ${warmUpKeys} ${kind} keys (not counted): ${Math.round(c.rate)} keys/s, ${c.cpuMsPerKey.toFixed(2)} CPU ms/key (bare ${Math.round(b.rate)}, ${b.cpuMsPerKey.toFixed(2)})`;
          options.log(`warm-up: ${cold}`);
          warmUps.push(cold);
          continue;
        }
        ofKind.push({
          kind,
          courier: c.rate,
          bare: b.rate,
          courierRequestsPerKey: c.perKey,
          bareRequestsPerKey: b.perKey,
          courierCpuMsPerKey: c.cpuMsPerKey,
          bareCpuMsPerKey: b.cpuMsPerKey,
          courierCpuByThread: c.byThread,
        });
        options.log(
          `${kind} keys, round ${r + 1}/${rounds}: courier ${Math.round(c.rate)} keys/s (${c.cpuMsPerKey.toFixed(2)} CPU ms/key: ${describeThreads(c.byThread)}), bare fetch ${Math.round(b.rate)} keys/s (${b.cpuMsPerKey.toFixed(2)} CPU ms/key)`,
        );
      }
      results.push(...ofKind);
      const ratio = median(ofKind.map((r) => r.courier / r.bare));
      figures.push({
        name: `${keys} ${kind} keys to 2 destinations`,
        value: round(median(ofKind.map((r) => r.courier))),
        unit: "keys/s",
        ceiling: round(median(ofKind.map((r) => r.bare))),
        ceilingName: `bare fetch loop, ${CONCURRENCY} at once`,
        ratio: round(ratio, 2),
        goal: "≥ 0.85 of the bare loop",
        met: ratio >= 0.85,
        note: `per key: requests ${round(median(ofKind.map((r) => r.courierRequestsPerKey)), 1)} (bare ${round(median(ofKind.map((r) => r.bareRequestsPerKey)), 1)}), CPU ${round(median(ofKind.map((r) => r.courierCpuMsPerKey)), 2)} ms (bare ${round(median(ofKind.map((r) => r.bareCpuMsPerKey)), 2)} ms); by thread ${describeThreads(medianSplit(ofKind.map((r) => r.courierCpuByThread)))}`,
      });
    }
    return {
      figures,
      notes: [
        `Courier: dist/courier with --audit.max_rate=0 (otherwise the default configuration) and worker.concurrency × 32 syncs at once (by default one worker per core but one); hints are real-shaped audit response entries sent over UDP at ${HINT_RATE}/s.`,
        `Bare loop: ${CONCURRENCY} async loops in the benchmark process. A new key: read once on the source (data), then on both destinations at once a metadata read and a write (five requests; Courier writes a first version only-if-absent without the read: three). An updated key: the source's data read, then on both destinations a data read and a write checked against the version it found (five, as Courier).`,
        "The three Vault doubles share the machine's cores with Courier and the benchmark; a double serves about 30–45k KV requests/s on one core, so at these rates the doubles and the machine bound both sides.",
        `Courier's CPU per key by thread is in each figure's note. "HTTP Client" is Bun's fetch thread, which the bare loop uses just the same.`,
        `Warm-up: ${warmUps.join("; ")}.`,
      ],
      rounds: results,
    };
  } finally {
    await courier.stop();
    await stopAll(doubles);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * For the bare loop. New keys: written on the source only. Updated keys: version 1 on every Vault,
 * version 2 on the source.
 */
async function prepare(doubles: DoubleProcess[], prefix: string, keys: number, kind: KeyKind) {
  const [source] = doubles as [DoubleProcess];
  if (kind === "updated") await Promise.all(doubles.map((vault) => seed(vault, prefix, keys)));
  await seed(source, prefix, keys, kind === "updated" ? "-2" : "");
}

function describeThreads(split: Record<string, number>): string {
  return Object.entries(split)
    .map(([name, ms]) => `${name} ${ms.toFixed(3)}`)
    .join(", ");
}

/** Per thread, the median over rounds of its CPU ms per key. */
function medianSplit(splits: Record<string, number>[]): Record<string, number> {
  const names = [...new Set(splits.flatMap((split) => Object.keys(split)))];
  const split: Record<string, number> = {};
  for (const name of names) split[name] = median(splits.map((s) => s[name] ?? 0));
  return Object.fromEntries(Object.entries(split).sort((a, b) => b[1] - a[1]));
}

async function viaCourier(
  doubles: DoubleProcess[],
  courierPid: number,
  port: number,
  prefix: string,
  keys: number,
  dir: string,
  kind: KeyKind,
) {
  const [source] = doubles as [DoubleProcess];
  const file = join(dir, `${prefix.replaceAll("/", "-")}.jsonl`);
  const lines = Array.from({ length: keys }, (_, i) => writeEntries(`${prefix}/k${i}`, 2, i).response);
  writeFileSync(file, `${lines.join("\n")}\n`);
  await seed(source, prefix, keys);
  if (kind === "updated") {
    // Courier syncs the first versions, untimed, so that the keys are its own on the destinations
    // (as a live update's key is), then the source gets the next version of each.
    await Promise.all(doubles.map(resetStats));
    await hintAndWait(doubles, port, file, keys, "create");
    await seed(source, prefix, keys, "-2");
  }
  await Promise.all(doubles.map(resetStats));
  const cpu = await cpuSeconds(courierPid);
  const threads = threadCpu(courierPid);
  const started = performance.now();
  await hintAndWait(doubles, port, file, keys, kind === "new" ? "create" : "update");
  const seconds = (performance.now() - started) / 1000;
  const cpuMsPerKey = (((await cpuSeconds(courierPid)) - cpu) * 1000) / keys;
  const byThread = perUnit(threads, threadCpu(courierPid), keys);
  return { rate: keys / seconds, perKey: await requestsPerKey(doubles, keys), cpuMsPerKey, byThread };
}

/** Sends Courier the hints in `file` and waits until both destinations answered `keys` writes of `operation`. */
async function hintAndWait(
  doubles: DoubleProcess[],
  port: number,
  file: string,
  keys: number,
  operation: "create" | "update",
): Promise<void> {
  const [, east, west] = doubles as [DoubleProcess, DoubleProcess, DoubleProcess];
  const sender = spawnChild([
    process.execPath,
    "scripts/bench/lib/send-lines.ts",
    "--transport=udp",
    `--port=${port}`,
    `--file=${file}`,
    `--rate=${HINT_RATE}`,
    `--seconds=${keys / HINT_RATE}`,
  ]);
  const deadline = performance.now() + 120_000;
  for (;;) {
    const done = await Promise.all(
      [east, west].map(async (d) => (await readStats(d)).by_operation[operation] ?? 0),
    );
    if (done.every((n) => n >= keys)) break;
    if (performance.now() > deadline)
      throw new Error(`Courier synced ${done.join(" and ")} of ${keys} keys in 120 s`);
    await Bun.sleep(5);
  }
  await sender.proc.exited;
}

async function byHand(doubles: DoubleProcess[], prefix: string, keys: number, kind: KeyKind) {
  const [source, east, west] = doubles as [DoubleProcess, DoubleProcess, DoubleProcess];
  await prepare(doubles, prefix, keys, kind);
  await Promise.all(doubles.map(resetStats));
  const cpu = await cpuSeconds(process.pid);
  const started = performance.now();
  const sync = kind === "new" ? syncByHand : syncUpdateByHand;
  await pool(keys, CONCURRENCY, (i) => sync(source, [east, west], `${prefix}/k${i}`));
  const seconds = (performance.now() - started) / 1000;
  const cpuMsPerKey = (((await cpuSeconds(process.pid)) - cpu) * 1000) / keys;
  return { rate: keys / seconds, perKey: await requestsPerKey(doubles, keys), cpuMsPerKey };
}

/** Requests all three doubles answered per key, the stats polls themselves left out. */
async function requestsPerKey(doubles: DoubleProcess[], keys: number): Promise<number> {
  const stats = await Promise.all(doubles.map(readStats));
  return stats.reduce((n, s) => n + s.total, 0) / keys;
}

if (import.meta.main) await runAlone(benchmark);
