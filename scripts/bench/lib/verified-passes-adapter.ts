// The verified-passes benchmark (scripts/bench/verified-passes.ts) runs as a script of its own and
// prints its passes as JSON with --json; this turns them into the suite's figures: requests per key
// of the passes against the least a pass must read, and the largest peak resident memory of any
// pass against the memory goal.

import { spawnChild } from "./child.ts";
import { round } from "./stats.ts";
import type { Benchmark, BenchOptions, BenchReport, Figure } from "./types.ts";

/** One `courier sync` of the benchmark, as verified-passes.ts prints it with --json. */
export interface VerifiedRun {
  /** Which pass: first, second, third, deep, repaired. */
  id: string;
  name: string;
  seconds: number;
  exitCode: number;
  requests: { source: number; east: number; west: number };
  perKey: number;
  /** Courier's peak resident memory, MiB. */
  peakMB: number;
}

export interface VerifiedOutput {
  keys: number;
  /** One metadata read per key per Vault. */
  ceilingPerKey: number;
  runs: VerifiedRun[];
  repaired: boolean;
}

/** Resident memory no pass may exceed, whatever the number of keys. */
const PEAK_GOAL_MB = 200;
/** A pass that trusts its record reads metadata only: the ceiling, plus LISTs and start-up calls (0.16/key at 2,000 keys). */
const TRUSTING_GOAL_PER_KEY = 3.2;

/**
 * The benchmark for `keys` keys (`quickKeys` under --quick). `slow`: too long for a quick run,
 * which leaves it out.
 */
export function verifiedPassesBenchmark(
  name: string,
  keys: number,
  options: { quickKeys?: number; slow?: boolean } = {},
): Benchmark {
  return {
    name,
    title: `Verified passes: courier sync pass after pass over ${keys.toLocaleString("en-US")} KV v2 keys, two destinations, nothing differing`,
    slow: options.slow,
    async run(bench: BenchOptions): Promise<BenchReport> {
      const count = bench.quick ? (options.quickKeys ?? keys) : keys;
      const child = spawnChild([
        process.execPath,
        "scripts/bench/verified-passes.ts",
        "--json",
        "--keys",
        String(count),
      ]);
      const code = await child.proc.exited;
      for (const line of child
        .stderr()
        .split("\n")
        .filter((l) => l.trim() !== ""))
        bench.log(line);
      if (code !== 0)
        throw new Error(`scripts/bench/verified-passes.ts exited ${code}\n${child.stderr().slice(-2000)}`);
      const output = JSON.parse(child.stdout()) as VerifiedOutput;
      return { ...toVerifiedReport(output), rounds: output };
    },
  };
}

/** Requests per key of the first, second, --deep and repairing passes, and the largest peak memory. */
export function toVerifiedReport(output: VerifiedOutput): BenchReport {
  const figures: Figure[] = [];
  const perKey = (id: string, name: string, goal?: number, mustRepair = false) => {
    const run = output.runs.find((r) => r.id === id);
    if (!run) return;
    const figure: Figure = {
      name,
      value: round(run.perKey, 2),
      unit: "requests/key",
      ceiling: output.ceilingPerKey,
      ceilingName: "one metadata read per key per Vault",
      ratio: round(output.ceilingPerKey / run.perKey, 2),
      note: `${run.seconds.toFixed(1)} s, peak ${run.peakMB} MB, exit ${run.exitCode}`,
    };
    if (goal !== undefined) {
      figure.goal = `≤ ${goal} requests/key${mustRepair ? ", the change repaired" : ""}`;
      figure.met = run.perKey <= goal && run.exitCode === 0 && (!mustRepair || output.repaired);
    }
    figures.push(figure);
  };
  perKey("first", "first pass (reads all data, records what is equal)");
  perKey("second", "second pass (trusts the record)", TRUSTING_GOAL_PER_KEY);
  perKey("deep", "pass with --deep (reads all data)");
  perKey("repaired", "pass after a value changed by hand on a destination", TRUSTING_GOAL_PER_KEY, true);
  const largest = output.runs.reduce((a, b) => (b.peakMB > a.peakMB ? b : a));
  figures.push({
    name: "peak resident memory, largest of the passes",
    value: largest.peakMB,
    unit: "MB",
    goal: `≤ ${PEAK_GOAL_MB} MB`,
    met: output.runs.every((r) => r.peakMB <= PEAK_GOAL_MB),
    note: output.runs.map((r) => `${r.id} ${r.peakMB}`).join(", "),
  });
  return {
    figures,
    notes: [
      `${output.keys.toLocaleString("en-US")} KV v2 secrets, equal on the source and both destinations; courier sync runs five times with one state directory. Measured by scripts/bench/verified-passes.ts (run it alone: bun scripts/bench/verified-passes.ts --keys ${output.keys}).`,
      "Requests as counted by the Vault doubles, over all three; peak resident memory (MB = 2^20 bytes) is the courier process's maxRSS.",
    ],
  };
}
