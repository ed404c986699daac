// The reconciliation benchmark (scripts/bench/reconcile.ts) runs as a script of its own and prints
// its figures as JSON with --json; this turns them into the suite's figures.

import { spawnChild } from "./child.ts";
import { round } from "./stats.ts";
import type { Benchmark, BenchOptions, BenchReport, Figure } from "./types.ts";

interface PassFigures {
  name: string;
  seconds: number;
  requests: { source: number; east: number; west: number; total: number };
  writes: { east: number; west: number };
  exitCode?: number;
}

interface ReconcileOutput {
  keys: number;
  differ: number;
  figures: PassFigures[];
}

const GOAL_SECONDS = 10;

export const reconcileBenchmark: Benchmark = {
  name: "reconcile",
  title: "Reconcile: full pass over KV v2 secrets to two destinations",
  async run(options: BenchOptions): Promise<BenchReport> {
    const keys = options.quick ? 1_000 : 10_000;
    const rounds = options.quick ? "1" : "3";
    const child = spawnChild([
      process.execPath,
      "scripts/bench/reconcile.ts",
      "--json",
      "--keys",
      String(keys),
      "--rounds",
      rounds,
    ]);
    const code = await child.proc.exited;
    for (const line of child
      .stderr()
      .split("\n")
      .filter((l) => l.trim() !== ""))
      options.log(line);
    if (code !== 0)
      throw new Error(`scripts/bench/reconcile.ts exited ${code}\n${child.stderr().slice(-2000)}`);
    const output = JSON.parse(child.stdout()) as ReconcileOutput;
    return { ...toReport(output), rounds: output };
  },
};

/** The passes as figures: seconds, with requests and writes in the note; goals on the two that have one. */
export function toReport(output: ReconcileOutput): BenchReport {
  const bare = output.figures.find((f) => f.name.startsWith("ceiling"));
  const figures: Figure[] = output.figures.map((pass, i) => {
    const isFirst = i === 0;
    const differs = pass.name.includes("differ") && !pass.name.includes("nothing");
    const writesOk = pass.writes.east === output.differ && pass.writes.west === output.differ;
    const figure: Figure = {
      name: pass.name,
      value: round(pass.seconds, 2),
      unit: "s",
      note: `requests ${pass.requests.total} (source ${pass.requests.source}, destinations ${pass.requests.east} + ${pass.requests.west}); writes ${pass.writes.east} + ${pass.writes.west}${pass.exitCode === undefined ? "" : `; exit ${pass.exitCode}`}`,
    };
    if (isFirst && bare && bare !== pass) {
      figure.ceiling = round(bare.seconds, 2);
      figure.ceilingName = "bare fetch, the same reads";
      figure.ratio = round(bare.seconds / pass.seconds, 2);
    }
    if (isFirst && output.keys >= 10_000) {
      figure.goal = `≤ ${GOAL_SECONDS} s for ${output.keys.toLocaleString("en-US")} keys`;
      figure.met = pass.seconds <= GOAL_SECONDS;
    }
    if (differs) {
      figure.goal = `writes only the ${output.differ} differing keys per destination`;
      figure.met = writesOk;
    }
    return figure;
  });
  return {
    figures,
    notes: [
      `${output.keys.toLocaleString("en-US")} KV v2 secrets on the source and both destinations; ${output.differ} changed on the source for the last pass. Measured by scripts/bench/reconcile.ts (run it alone: bun scripts/bench/reconcile.ts [--keys N]).`,
      "Seconds from spawn to exit for the `courier` passes (start-up included); requests and writes as counted by the Vault doubles.",
    ],
  };
}
