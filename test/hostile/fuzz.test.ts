// The fuzz run at a size fit for every test run (the large one is `bun scripts/fuzz.ts`): random
// bytes, cut and damaged entries, invalid UTF-8, deep nesting, lines over the cap, fields of the
// wrong type, prototype keys and hostile paths, each as a datagram and some inside streams.
import { describe, expect, test } from "bun:test";
import { type FuzzReport, runFuzz } from "./fuzz/run.ts";

const COUNT = 20_000;

describe.each([1, 20_250_501])("fuzzing %p", (seed) => {
  let report: FuzzReport;

  test("no input throws, breaks a rule, is slow for its size or is counted other than once", () => {
    report = runFuzz({ count: COUNT, seed, hugeShare: 1 / 1000 });
    expect(report.failures).toEqual([]);
    expect(report.failureCount).toBe(0);
    expect(report.counted).toBe(report.inputs + report.streamed);
  });

  test("every kind of input was tried, and every outcome happened", () => {
    for (const [kind, n] of Object.entries(report.byKind)) expect([kind, n > 0]).toEqual([kind, true]);
    for (const outcome of ["sync", "ignored", "rejected", "oversize", "refresh-mounts", "unknown-mount"]) {
      expect([outcome, (report.outcomes[outcome] ?? 0) > 0]).toEqual([outcome, true]);
    }
    expect(report.streamed).toBeGreaterThan(COUNT / 5);
  });

  test("the heap does not grow after warm-up", () => {
    expect(report.heapGrowthMb).toBeLessThan(32);
  });
});
