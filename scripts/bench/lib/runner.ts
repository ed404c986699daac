// Runs benchmarks one after another, writes their results as JSON and prints a table. A benchmark
// that fails is reported as failed and the others still run.

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { parseArgs } from "node:util";
import { ROOT } from "./child.ts";
import { describeMachine } from "./machine.ts";
import { resultTable } from "./report-table.ts";
import type { Benchmark, BenchResult } from "./types.ts";

export interface SuiteArgs {
  quick: boolean;
  only: string[];
  out: string;
}

export const DEFAULT_OUT = "dist/bench/results.json";

/** parseSuiteArgs(["--quick", "--only", "ingest,dedup"]) → {quick:true, only:["ingest","dedup"], out:"dist/bench/results.json"} */
export function parseSuiteArgs(argv: readonly string[]): SuiteArgs {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string", multiple: true },
      out: { type: "string", default: DEFAULT_OUT },
    },
  });
  const only = (values.only ?? []).flatMap((v) => v.split(",")).filter((v) => v !== "");
  return { quick: values.quick ?? false, only, out: values.out ?? DEFAULT_OUT };
}

/** Where the runner writes: the table to `out`, progress to `err`. */
export interface SuiteOutput {
  out(text: string): void;
  err(text: string): void;
}

const CONSOLE: SuiteOutput = { out: (text) => console.log(text), err: (text) => console.error(text) };

export async function runSuite(
  all: readonly Benchmark[],
  args: SuiteArgs,
  io: SuiteOutput = CONSOLE,
): Promise<BenchResult[]> {
  const unknown = args.only.filter((name) => !all.some((b) => b.name === name));
  if (unknown.length > 0) {
    throw new Error(`unknown benchmark ${unknown.join(", ")}; known: ${all.map((b) => b.name).join(", ")}`);
  }
  const chosen =
    args.only.length === 0
      ? all.filter((b) => !(args.quick && b.slow))
      : all.filter((b) => args.only.includes(b.name));
  const machine = describeMachine();
  const log = (message: string) => io.err(`  ${message}`);
  const results: BenchResult[] = [];
  for (const bench of chosen) {
    io.err(`${bench.name}: ${bench.title}`);
    const started = performance.now();
    const command = `bun scripts/bench/index.ts --only ${bench.name}${args.quick ? " --quick" : ""}`;
    try {
      const report = await bench.run({ quick: args.quick, log });
      results.push({ name: bench.name, title: bench.title, command, seconds: seconds(started), ...report });
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      io.err(`  failed: ${message}`);
      results.push({
        name: bench.name,
        title: bench.title,
        command,
        seconds: seconds(started),
        figures: [],
        notes: [],
        error: message,
      });
    }
  }
  const out = resolve(ROOT, args.out);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ machine, quick: args.quick, results }, null, 2)}\n`);
  io.out(
    `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Linux ${machine.kernel}, Bun ${machine.bun}, load ${machine.load1} at start${args.quick ? ", quick run" : ""}\n`,
  );
  io.out(resultTable(results));
  io.out(`\nwritten to ${args.out}`);
  return results;
}

function seconds(started: number): number {
  return Math.round((performance.now() - started) / 100) / 10;
}
