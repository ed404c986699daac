// A fuzz run: N seeded inputs through the ingest path, each as a datagram and some also inside a
// stream cut at random places. It checks that nothing throws, that every input is counted exactly
// once and has an outcome it may have, that the two framings agree, that no input is slow for its
// size, and that memory stays flat. Failures are collected (the first 20 kept), never thrown.
import { DEFAULT_MAX_LINE_BYTES } from "../../../src/audit/framer.ts";
import { fixtureLines } from "../../audit/fixtures.ts";
import { seeded } from "../../audit/random.ts";
import {
  budgetMs,
  countedLines,
  matches,
  outcomeClass,
  pollutedProperty,
  prototypeSnapshot,
} from "./checks.ts";
import { type FuzzInput, GENERATOR_KINDS, nextInput } from "./generators.ts";
import { type MemoryReport, MemoryWatch } from "./memory.ts";
import { createPipeline } from "./pipeline.ts";
import { StreamBatch } from "./stream-batch.ts";
import { checkSyncKeyOutcome } from "./world.ts";

/** How many times the plain reference a slow input may take before it counts as a failure. */
const REFERENCE_FACTOR = 20;

export interface FuzzOptions {
  count: number;
  seed: number;
  /** Share of inputs that are 1–3.5 MiB lines (default 1 in 2,000). */
  hugeShare?: number;
  /** Share of inputs also sent inside a stream (default 0.3). */
  streamShare?: number;
  /** Called every `count / 100` inputs. */
  onProgress?(done: number, report: FuzzReport): void;
}

export interface FuzzReport {
  inputs: number;
  streamed: number;
  byKind: Record<string, number>;
  /** By the first word of the outcome: sync, ignored, rejected, oversize, refresh-mounts, unknown-mount. */
  outcomes: Record<string, number>;
  /** What the counters hold in total: equals `inputs + streamed` when each was counted once. */
  counted: number;
  failureCount: number;
  failures: string[];
  elapsedMs: number;
  /** The input slowest for its size: time over budget. */
  slowest: { kind: string; bytes: number; ms: number; budgetMs: number };
  memory: MemoryReport;
  /** Heap growth after warm-up, MiB. */
  heapGrowthMb: number;
}

export function runFuzz(options: FuzzOptions): FuzzReport {
  const started = performance.now();
  const random = seeded(options.seed);
  const cap = DEFAULT_MAX_LINE_BYTES;
  const pipeline = createPipeline(cap);
  const scratch = createPipeline(cap);
  const seeds = fixtureLines().map((f) => f.line);
  const context = { random, seeds, hugeWeight: options.hugeShare ?? 1 / 2000 };
  const prototypes = prototypeSnapshot();
  const memory = new MemoryWatch();
  const report: FuzzReport = {
    inputs: 0,
    streamed: 0,
    byKind: Object.fromEntries(GENERATOR_KINDS.map((kind) => [kind, 0])),
    outcomes: {},
    counted: 0,
    failureCount: 0,
    failures: [],
    elapsedMs: 0,
    slowest: { kind: "", bytes: 0, ms: 0, budgetMs: 1 },
    memory: memory.report,
    heapGrowthMb: 0,
  };
  const fail = (input: FuzzInput, why: string) => {
    report.failureCount++;
    if (report.failures.length < 20)
      report.failures.push(`${input.kind} #${report.inputs}: ${why} — ${preview(input.bytes)}`);
  };
  const batch = new StreamBatch(random, pipeline, (why) =>
    fail({ kind: "stream", bytes: new Uint8Array() }, why),
  );
  const every = Math.max(1, Math.floor(options.count / 100));
  memory.sample(0);

  for (let i = 0; i < options.count; i++) {
    const input = nextInput(context);
    const bytes = withoutNewlines(input.bytes);
    report.inputs++;
    report.byKind[input.kind] = (report.byKind[input.kind] ?? 0) + 1;
    const before = countedLines(pipeline.counters);
    let ms: number;
    try {
      const t0 = performance.now();
      pipeline.datagram(bytes);
      ms = performance.now() - t0;
    } catch (error) {
      fail(input, `threw ${String(error)}`);
      pipeline.take();
      continue;
    }
    const taken = pipeline.take();
    const delta = countedLines(pipeline.counters) - before;
    if (taken.length !== 1 || delta !== 1) {
      fail(input, `counted ${delta} times with ${taken.length} outcomes (${taken.join(", ")})`);
      continue;
    }
    const outcome = taken[0]!;
    report.outcomes[outcomeClass(outcome)] = (report.outcomes[outcomeClass(outcome)] ?? 0) + 1;
    if (input.expect && !matches(outcome, input.expect))
      fail(input, `${outcome}, expected ${input.expect.join(" | ")}`);
    const broken = checkSyncKeyOutcome(outcome);
    if (broken) fail(input, `synced a key it must not: ${broken}`);
    checkTime(input.kind, bytes, ms);
    if (random() < (options.streamShare ?? 0.3)) {
      report.streamed++;
      batch.add(bytes, outcome);
    }
    if ((i + 1) % every === 0) {
      memory.sample(i + 1);
      options.onProgress?.(i + 1, report);
    }
  }
  batch.flush();
  report.counted = countedLines(pipeline.counters);
  if (report.counted !== report.inputs + report.streamed) {
    fail(
      { kind: "total", bytes: new Uint8Array() },
      `counters hold ${report.counted} lines for ${report.inputs + report.streamed} sent`,
    );
  }
  if (prototypeSnapshot() !== prototypes || pollutedProperty() !== undefined) {
    fail({ kind: "prototype", bytes: new Uint8Array() }, "a built-in prototype was changed");
  }
  memory.sample(options.count);
  report.heapGrowthMb = memory.growthMb();
  report.elapsedMs = performance.now() - started;
  return report;

  /**
   * What the same size costs done the plainest way, timed now (best of 3 each): the pipeline on a
   * well-formed line it sets aside, and a bare JSON.parse of the input itself (deep nesting is
   * dear for any parser).
   */
  function referenceMs(bytes: Uint8Array): number {
    const head = '{"type":"response","pad":"';
    const plain = new TextEncoder().encode(
      `${head}${"x".repeat(Math.max(0, bytes.length - head.length - 2))}"}`,
    );
    const text = new TextDecoder().decode(bytes);
    const bestOf3 = (run: () => void) => {
      let best = Number.POSITIVE_INFINITY;
      for (let r = 0; r < 3; r++) {
        const t0 = performance.now();
        run();
        best = Math.min(best, performance.now() - t0);
      }
      return best;
    };
    const pipeline = bestOf3(() => {
      scratch.datagram(plain);
      scratch.take();
    });
    const parse = bestOf3(() => {
      try {
        JSON.parse(text);
      } catch {}
    });
    return Math.max(pipeline, parse);
  }

  /** A slow input is run again alone (best of 3) before it counts, so a GC pause is not blamed on it. */
  function checkTime(kind: string, bytes: Uint8Array, first: number): void {
    const budget = budgetMs(bytes.length);
    let ms = first;
    if (ms > budget) {
      for (let r = 0; r < 3; r++) {
        const t0 = performance.now();
        scratch.datagram(bytes);
        ms = Math.min(ms, performance.now() - t0);
        scratch.take();
      }
      // Still over: on a busy machine everything is slower, so compare with a plain line of the
      // same input done plainly, timed now. Quadratic work is hundreds of times slower; load is not.
      const reference = referenceMs(bytes);
      if (ms > budget && ms > REFERENCE_FACTOR * reference + 2) {
        fail(
          { kind, bytes },
          `took ${ms.toFixed(1)} ms, budget ${budget.toFixed(1)} ms, done plainly ${reference.toFixed(2)} ms`,
        );
      }
    }
    if (ms / budget > report.slowest.ms / report.slowest.budgetMs) {
      report.slowest = { kind, bytes: bytes.length, ms, budgetMs: budget };
    }
  }
}

/** A line never holds "\n": the framer would make two of it. */
function withoutNewlines(bytes: Uint8Array): Uint8Array {
  if (bytes.indexOf(10) === -1) return bytes.length > 0 ? bytes : Uint8Array.of(32);
  return bytes.map((b) => (b === 10 ? 32 : b));
}

/** The start of a line and, for entries, the part naming the path: enough to reproduce by eye. */
function preview(bytes: Uint8Array): string {
  const text = new TextDecoder().decode(bytes.subarray(0, 4096));
  const path = text.indexOf('"path":');
  const head = path > 100 ? `${text.slice(0, 60)}…${text.slice(path, path + 100)}` : text.slice(0, 160);
  return JSON.stringify(bytes.length > head.length ? `${head}…(${bytes.length} bytes)` : head);
}
