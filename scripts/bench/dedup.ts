// Figure 5, dedup: one key written 10,000 times in one second on the source; how many of those
// writes reach each destination (its KV v2 current_version: the key is new there, so every write
// Courier made is one version) and whether both end equal to the source. Rule 2 (one sync per key
// at a time, a hint mid-run marks it dirty) and the scheduler's pause before re-running a hot key
// are what keep the count low.
//   bun scripts/bench/dedup.ts [--quick]

import { freeUdpPort, startCourier } from "./lib/courier.ts";
import {
  call,
  type DoubleProcess,
  enableSocketAudit,
  readMetadata,
  readSecret,
  startDoubles,
  stopAll,
} from "./lib/double.ts";
import { pace } from "./lib/pacer.ts";
import { runAlone } from "./lib/run-alone.ts";
import { median, round } from "./lib/stats.ts";
import type { Benchmark, BenchOptions, BenchReport } from "./lib/types.ts";

export const benchmark: Benchmark = {
  name: "dedup",
  title: "Dedup: one key written 10,000 times in one second",
  run,
};

const WRITES = 10_000;
const GOAL = 20;

interface Round {
  /** How long the 10,000 writes took (the source answering each). */
  writeSeconds: number;
  /** Versions on each destination once equal. */
  versions: number[];
  equal: boolean;
  /** From the last write answered to both destinations equal. */
  convergeMs: number;
}

async function run(options: BenchOptions): Promise<BenchReport> {
  const rounds = options.quick ? 1 : 3;
  const doubles = await startDoubles(3);
  const [source, east, west] = doubles as [DoubleProcess, DoubleProcess, DoubleProcess];
  const port = await freeUdpPort();
  const courier = await startCourier({
    source,
    destinations: [east, west],
    auditAddress: `udp://127.0.0.1:${port}`,
  });
  try {
    await enableSocketAudit(source, "courier", `127.0.0.1:${port}`, "udp");
    const results: Round[] = [];
    for (let r = 0; r < rounds; r++) {
      const result = await hammer(source, [east, west], `dedup/hot-${r}`);
      results.push(result);
      options.log(
        `round ${r + 1}/${rounds}: ${WRITES} writes in ${result.writeSeconds.toFixed(2)} s → ${result.versions.join(" and ")} versions, ${result.equal ? "equal" : "NOT equal"} ${Math.round(result.convergeMs)} ms after the last write`,
      );
    }
    const worst = Math.max(...results.flatMap((r) => r.versions));
    const allEqual = results.every((r) => r.equal);
    return {
      figures: [
        {
          name: "writes reaching a destination (most of any round)",
          value: worst,
          unit: "writes",
          goal: `≤ ${GOAL}, final state equal`,
          met: worst <= GOAL && allEqual,
          ...(allEqual ? {} : { note: "a destination did not end equal to the source" }),
        },
        {
          name: "time the source took to answer the 10,000 writes",
          value: round(median(results.map((r) => r.writeSeconds)), 2),
          unit: "s",
          ...(median(results.map((r) => r.writeSeconds)) > 1.1
            ? {
                note: "longer than the second asked for: bounded by the source double (one key, audit device on)",
              }
            : {}),
        },
        {
          name: "last write answered → both destinations equal",
          value: round(median(results.map((r) => r.convergeMs)), 1),
          unit: "ms",
        },
      ],
      notes: [
        `${WRITES} KV v2 writes of one key, paced over one second by the benchmark (median ${round(median(results.map((r) => r.writeSeconds)), 2)} s measured), each a different value; the source's UDP audit device feeds dist/courier in the default configuration.`,
        "Writes reaching a destination: the key's current_version there (new on the destination, so one version per write Courier made).",
      ],
      rounds: results,
    };
  } finally {
    await courier.stop();
    await stopAll(doubles);
  }
}

async function hammer(source: DoubleProcess, destinations: DoubleProcess[], path: string): Promise<Round> {
  const started = performance.now();
  await pace(WRITES, 1, async (i) => {
    await call(source, "POST", `secret/data/${path}`, { data: { n: String(i) } });
  });
  const written = performance.now();
  const want = JSON.stringify(await readSecret(source, path));
  const deadline = written + 20_000;
  let equal = false;
  let convergeMs = Number.NaN;
  while (performance.now() < deadline) {
    const held = await Promise.all(destinations.map((d) => readSecret(d, path)));
    if (held.every((data) => JSON.stringify(data) === want)) {
      equal = true;
      convergeMs = performance.now() - written;
      break;
    }
    await Bun.sleep(5);
  }
  // A last look after a pause: a sync still running must not leave an older value behind.
  await Bun.sleep(300);
  const held = await Promise.all(destinations.map((d) => readSecret(d, path)));
  equal = equal && held.every((data) => JSON.stringify(data) === want);
  const versions = await Promise.all(
    destinations.map(async (d) => (await readMetadata(d, path))?.current_version ?? 0),
  );
  return { writeSeconds: (written - started) / 1000, versions, equal, convergeMs };
}

if (import.meta.main) await runAlone(benchmark);
