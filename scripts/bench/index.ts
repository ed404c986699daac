// The benchmark suite: how fast, how small, and how close to the limit Courier is.
//   bun scripts/bench/index.ts [--quick] [--only name[,name…]] [--out dist/bench/results.json]
// Every figure that depends on the machine comes with a ceiling measured in the same run (the
// same work done the simplest way), so the ratio carries across machines. Results go to a JSON
// file and a table on stdout; progress goes to stderr.

import { benchmark as dedup } from "./dedup.ts";
import { benchmark as doubleSpeed } from "./double-speed.ts";
import { benchmark as footprint } from "./footprint.ts";
import { benchmark as ingest } from "./ingest.ts";
import { benchmark as latency } from "./latency.ts";
import { reconcileBenchmark } from "./lib/reconcile-adapter.ts";
import { parseSuiteArgs, runSuite } from "./lib/runner.ts";
import type { Benchmark } from "./lib/types.ts";
import { verifiedPassesBenchmark } from "./lib/verified-passes-adapter.ts";
import { benchmark as throughput } from "./throughput.ts";
import { benchmark as udpLoss } from "./udp-loss.ts";

/** In the order of the figures in the README. */
export const BENCHMARKS: readonly Benchmark[] = [
  ingest,
  udpLoss,
  latency,
  throughput,
  dedup,
  reconcileBenchmark,
  verifiedPassesBenchmark("verified-passes", 10_000, { quickKeys: 2_000 }),
  verifiedPassesBenchmark("verified-passes-100k", 100_000, { slow: true }),
  footprint,
  doubleSpeed,
];

if (import.meta.main) {
  const results = await runSuite(BENCHMARKS, parseSuiteArgs(Bun.argv.slice(2)));
  process.exit(results.some((r) => r.error) ? 1 : 0);
}
