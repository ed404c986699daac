// What a benchmark is and what it hands back. Machine-dependent figures travel with a ceiling
// measured in the same run, so the ratio means something on any machine and any day.

export interface BenchOptions {
  /** A short run (the whole suite under a minute): fewer rounds, shorter windows. */
  quick: boolean;
  /** Progress for the person watching; goes to stderr. */
  log: (message: string) => void;
}

export interface Figure {
  /** What was measured: "TCP stream", "p99 at 500 writes/s". */
  name: string;
  value: number;
  unit: string;
  /** The same thing done the simplest way on the same machine, in the same unit. */
  ceiling?: number;
  /** What the ceiling is: "bare JSON.parse loop". */
  ceilingName?: string;
  /** value / ceiling (or ceiling / value for times, where lower is better): 1 = as fast as bare. */
  ratio?: number;
  /** The goal in words, "≥ 0.5 of the ceiling", and whether this run met it. */
  goal?: string;
  met?: boolean;
  /** What bounds it, when that is not Courier (e.g. "bounded by the Vault double"). */
  note?: string;
}

export interface BenchReport {
  figures: Figure[];
  /** Sentences: how it was measured, what bounds it. */
  notes: string[];
  /** Per-round raw numbers, for anyone who wants to check the medians. */
  rounds?: unknown;
}

export interface Benchmark {
  /** Short name for --only: "ingest". */
  name: string;
  title: string;
  /** Too long for --quick: a quick run leaves it out unless --only names it. */
  slow?: boolean;
  run(options: BenchOptions): Promise<BenchReport>;
}

export interface BenchResult extends BenchReport {
  name: string;
  title: string;
  /** The command that produces this result alone. */
  command: string;
  seconds: number;
  error?: string;
}
