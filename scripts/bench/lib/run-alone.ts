// Lets a benchmark file run by itself: `bun scripts/bench/<name>.ts [--quick] [--out file]`.

import { parseSuiteArgs, runSuite } from "./runner.ts";
import type { Benchmark } from "./types.ts";

export async function runAlone(benchmark: Benchmark): Promise<void> {
  const args = parseSuiteArgs(Bun.argv.slice(2));
  const results = await runSuite([benchmark], { ...args, only: [] });
  process.exit(results.some((r) => r.error) ? 1 : 0);
}
