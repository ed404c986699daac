// Figure 3, latency: from the source answering a write to both destinations holding it, p50 / p99
// / max, at 500 and 2,000 writes per second of distinct new keys, and at 500 updates per second
// (distinct keys Courier synced at version 1 beforehand, written again on the source). Each
// destination (a Vault double) has a UDP audit device pointed at the benchmark (lighter on the
// double than TCP, whose writes it awaits), and its response entry for the KV write, written once
// the write is done and before it answers, is the moment it holds the key (lib/write-watch.ts). The floor is the same writes with Courier's audit device off and the
// benchmark doing by hand what a sync must: one read of the source, then a read and a write on
// each destination side by side (a metadata read for a new key, a data read for an update).
//   bun scripts/bench/latency.ts [--quick]

import { seed, syncByHand, syncUpdateByHand } from "./lib/bare-sync.ts";
import { freeUdpPort, startCourier } from "./lib/courier.ts";
import {
  call,
  type DoubleProcess,
  disableAudit,
  enableSocketAudit,
  startDoubles,
  stopAll,
} from "./lib/double.ts";
import { pace } from "./lib/pacer.ts";
import { runAlone } from "./lib/run-alone.ts";
import { round, type Summary, summarize } from "./lib/stats.ts";
import type { Benchmark, BenchOptions, BenchReport, Figure } from "./lib/types.ts";
import { type WriteWatch, watchWrites } from "./lib/write-watch.ts";

export const benchmark: Benchmark = {
  name: "latency",
  title: "Latency: source write answered → both destinations hold it",
  run,
};

/** At 500 writes/s, p50 and p99 within twice what the same reads and writes by hand take. */
const GOAL_RATES = new Set([500]);
const GOAL_TIMES_FLOOR = 2;

/** New keys (first versions), or updates of keys every Vault holds at version 1. */
type KeyKind = "new" | "updated";

interface Phase {
  rate: number;
  kind: KeyKind;
  courier: Summary & { missing: number };
  floor: Summary;
}

async function run(options: BenchOptions): Promise<BenchReport> {
  const seconds = options.quick ? 2 : 10;
  const doubles = await startDoubles(3);
  const [source, east, west] = doubles as [DoubleProcess, DoubleProcess, DoubleProcess];
  const port = await freeUdpPort();
  const courier = await startCourier({
    source,
    destinations: [east, west],
    auditAddress: `udp://127.0.0.1:${port}`,
  });
  const watches = [await watchWrites(east), await watchWrites(west)];
  try {
    const phases: Phase[] = [];
    await viaCourier(doubles, watches, port, "warm-up", 200, 1, "new"); // connections, JIT, mount caches
    await viaCourier(doubles, watches, port, "warm-up-2", 200, 1, "updated");
    const plan: [number, KeyKind][] = [
      [500, "new"],
      [500, "updated"],
      [2_000, "new"],
    ];
    for (const [rate, kind] of plan) {
      const tag = `${kind}-${rate}`;
      const viaCourierMs = await viaCourier(doubles, watches, port, `r-${tag}`, rate, seconds, kind);
      const floorMs = await byHand(doubles, `f-${tag}`, rate, seconds, kind);
      const phase = {
        rate,
        kind,
        courier: { ...summarize(viaCourierMs.arrived), missing: viaCourierMs.missing },
        floor: summarize(floorMs),
      };
      phases.push(phase);
      options.log(
        `${phaseName(phase)}: courier p50 ${phase.courier.p50.toFixed(2)} p99 ${phase.courier.p99.toFixed(2)} max ${phase.courier.max.toFixed(2)} ms (${phase.courier.missing} missing); floor p50 ${phase.floor.p50.toFixed(2)} p99 ${phase.floor.p99.toFixed(2)} ms`,
      );
    }
    return {
      figures: phases.flatMap(figuresFor),
      notes: [
        `${seconds} s at each rate, distinct keys, KV v2 on secret/; Courier is dist/courier in the default configuration, fed by the source's UDP audit device.`,
        "Floor: the benchmark itself, right after each write is answered, reads it from the source and then reads and writes it on both destinations at once: for a new key one read of the source's data/, then a metadata read and a write on each destination (five requests; Courier's live path writes a first version only-if-absent without the read: three); for an update the same with a data read on each destination (five, as Courier). The source's audit device stays on meanwhile, sending to a port nobody reads, so the source works as hard per request.",
        "Ratio: floor / Courier (1 would be as fast as doing it by hand). A key Courier had not delivered 10 s after the last write counts as missing.",
      ],
      rounds: phases,
    };
  } finally {
    for (const watch of watches) await watch.stop();
    await courier.stop();
    await stopAll(doubles);
  }
}

function figuresFor(phase: Phase): Figure[] {
  const figure = (name: "p50" | "p99" | "max"): Figure => {
    const value = phase.courier[name];
    const floor = phase.floor[name];
    const limit = name === "max" || !GOAL_RATES.has(phase.rate) ? undefined : GOAL_TIMES_FLOOR * floor;
    return {
      name: `${name} at ${phaseName(phase)}`,
      value: round(value, 2),
      unit: "ms",
      ceiling: round(floor, 2),
      ceilingName: "by hand: source read + destination read and write",
      ratio: round(floor / value, 2),
      ...(limit === undefined ? {} : { goal: `≤ ${GOAL_TIMES_FLOOR}× the floor`, met: value <= limit }),
      ...(boundBy(phase, name) ? { note: boundBy(phase, name) } : {}),
    };
  };
  return [figure("p50"), figure("p99"), figure("max")];
}

/** "500 writes/s" for new keys, "500 updates/s" for updated ones. */
function phaseName(phase: Pick<Phase, "rate" | "kind">): string {
  return `${phase.rate} ${phase.kind === "new" ? "writes" : "updates"}/s`;
}

/**
 * Version 1 of each key an update phase will write, on the source, synced by Courier (untimed), so
 * that the keys are Courier's on the destinations, as the keys a live update changes are.
 */
async function firstVersionsViaCourier(
  source: DoubleProcess,
  watches: WriteWatch[],
  prefix: string,
  count: number,
): Promise<void> {
  let held = 0;
  for (const watch of watches) {
    watch.onWrite = (path, _at, operation) => {
      if (operation === "create" && path.startsWith(`lat/${prefix}/`)) held++;
    };
  }
  await seed(source, `lat/${prefix}`, count);
  const deadline = performance.now() + 60_000;
  while (held < count * watches.length) {
    if (performance.now() > deadline)
      throw new Error(`Courier synced ${held} of ${count} first versions in 60 s`);
    await Bun.sleep(10);
  }
}

/** What bounds a figure, when the run shows it. */
function boundBy(phase: Phase, name: "p50" | "p99" | "max"): string | undefined {
  if (name === "max" && phase.courier.missing > 0) return `${phase.courier.missing} keys never arrived`;
  if (name === "p50" && phase.courier.p50 > 20 * Math.max(1, phase.floor.p50)) {
    return "Courier fell behind and keys queued: the source, two destinations with audit devices, Courier and the writer share this machine's cores, and the floor does less work per key (the same five requests, but no audit stream to read and no worker hop, in one process)";
  }
  return undefined;
}

/** Writes distinct keys at `rate` and times each until both destinations announce it. */
async function viaCourier(
  doubles: DoubleProcess[],
  watches: WriteWatch[],
  port: number,
  prefix: string,
  rate: number,
  seconds: number,
  kind: KeyKind,
): Promise<{ arrived: number[]; missing: number }> {
  const [source] = doubles as [DoubleProcess];
  const total = Math.round(rate * seconds);
  // An update phase times the second version's writes; the first (a create) is not timed.
  const counted = kind === "new" ? "create" : "update";
  // A key is timed once both its answer and every destination's write are known, in either order:
  // Courier can finish before this process has even read the source's answer (the audit entry is
  // sent before Vault answers), which counts as 0 ms.
  const answered = new Map<string, number>();
  const held = new Map<string, { count: number; last: number }>();
  const latencies: number[] = [];
  const complete = (path: string) => {
    const t0 = answered.get(path);
    const h = held.get(path);
    if (t0 === undefined || h === undefined || h.count < watches.length) return;
    latencies.push(Math.max(0, h.last - t0));
    answered.delete(path);
  };
  await enableSocketAudit(source, "courier", `127.0.0.1:${port}`, "udp");
  try {
    if (kind === "updated") await firstVersionsViaCourier(source, watches, prefix, total);
    for (const watch of watches) {
      watch.onWrite = (path, at, operation) => {
        if (operation !== counted) return;
        const h = held.get(path) ?? { count: 0, last: 0 };
        held.set(path, { count: h.count + 1, last: Math.max(h.last, at) });
        complete(path);
      };
    }
    await pace(rate, seconds, async (i) => {
      const path = `lat/${prefix}/k${i}`;
      await call(source, "POST", `secret/data/${path}`, { data: { value: `v${i}-${kind}`, at: Date.now() } });
      answered.set(path, performance.now());
      complete(path);
    });
    const deadline = performance.now() + 10_000;
    while (latencies.length < total && performance.now() < deadline) await Bun.sleep(10);
    return { arrived: latencies, missing: total - latencies.length };
  } finally {
    await disableAudit(source, "courier");
    for (const watch of watches) watch.onWrite = () => {};
  }
}

/** The same writes, each followed by the minimum a sync must do, done by the benchmark itself. */
async function byHand(
  doubles: DoubleProcess[],
  prefix: string,
  rate: number,
  seconds: number,
  kind: KeyKind,
): Promise<number[]> {
  const [source, ...destinations] = doubles as [DoubleProcess, ...DoubleProcess[]];
  // Version 1 of each key everywhere, as Courier would have left it.
  if (kind === "updated")
    await Promise.all(doubles.map((vault) => seed(vault, `lat/${prefix}`, rate * seconds)));
  const sync = kind === "new" ? syncByHand : syncUpdateByHand;
  const latencies: number[] = [];
  // The source keeps an audit device, sending to a port nobody reads, so it does the same work
  // per request as while Courier listens.
  await enableSocketAudit(source, "courier", `127.0.0.1:${await freeUdpPort()}`, "udp");
  try {
    await pace(rate, seconds, async (i) => {
      const path = `lat/${prefix}/k${i}`;
      await call(source, "POST", `secret/data/${path}`, { data: { value: `v${i}-${kind}`, at: Date.now() } });
      const t0 = performance.now();
      await sync(source, destinations, path);
      latencies.push(performance.now() - t0);
    });
  } finally {
    await disableAudit(source, "courier");
  }
  return latencies;
}

if (import.meta.main) await runAlone(benchmark);
