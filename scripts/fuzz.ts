// The large fuzz run: `bun scripts/fuzz.ts [--count N] [--seed S]` (default one million inputs,
// seed 1) through framing, parsing and classification, as test/hostile/fuzz.test.ts does at a
// size fit for CI. Prints progress, then a summary; exits 1 if any input failed a check or the
// heap grew after warm-up.
import { parseArgs } from "node:util";
import { type FuzzReport, runFuzz } from "../test/hostile/fuzz/run.ts";

/** Heap growth after warm-up that fails the run, MiB. */
const MAX_HEAP_GROWTH_MB = 64;

const { values } = parseArgs({
  options: { count: { type: "string", default: "1000000" }, seed: { type: "string", default: "1" } },
});
const count = Number(values.count);
const seed = Number(values.seed);
if (!Number.isInteger(count) || count < 1 || !Number.isInteger(seed)) {
  console.error("usage: bun scripts/fuzz.ts [--count N] [--seed S]");
  process.exit(2);
}

console.log(`fuzzing ${count} inputs, seed ${seed}`);
const report = runFuzz({
  count,
  seed,
  onProgress(done, r) {
    if (done % Math.max(1, Math.floor(count / 10)) !== 0) return;
    const last = r.memory.samples.at(-1);
    console.log(`  ${done} inputs, ${r.failureCount} failures, heap ${last?.[1]} MiB, rss ${last?.[2]} MiB`);
  },
});
printSummary(report);
const ok = report.failureCount === 0 && report.heapGrowthMb <= MAX_HEAP_GROWTH_MB;
process.exit(ok ? 0 : 1);

function printSummary(r: FuzzReport): void {
  const seconds = r.elapsedMs / 1000;
  console.log(`\n${r.inputs} inputs (+${r.streamed} again inside streams) in ${seconds.toFixed(1)} s`);
  console.log(`  ${Math.round(r.inputs / seconds)} inputs/s; peak RSS ${r.memory.peakRssMb} MiB`);
  console.log(
    `  heap after warm-up ${r.memory.warmHeapMb} MiB, most after it ${r.memory.maxHeapAfterWarmMb} MiB (growth ${r.heapGrowthMb.toFixed(1)} MiB, limit ${MAX_HEAP_GROWTH_MB})`,
  );
  console.log(`  counters hold ${r.counted} lines for ${r.inputs + r.streamed} sent`);
  console.log(`  by kind: ${JSON.stringify(r.byKind)}`);
  console.log(`  by outcome: ${JSON.stringify(r.outcomes)}`);
  const s = r.slowest;
  console.log(
    `  slowest for its size: ${s.kind}, ${s.bytes} bytes, ${s.ms.toFixed(2)} ms (budget ${s.budgetMs.toFixed(1)} ms)`,
  );
  console.log(`  failures: ${r.failureCount}`);
  for (const failure of r.failures) console.log(`    ${failure}`);
}
