// Heap and resident size over a run, sampled after a full collection so that the numbers show
// what is still held, not what is waiting to be freed.
import { readFileSync } from "node:fs";

const MIB = 1024 * 1024;

export interface MemoryReport {
  /** [inputs done, heap MiB, RSS MiB] per sample. */
  samples: [number, number, number][];
  /** Heap after the first tenth of the run, MiB. */
  warmHeapMb: number;
  /** Most heap held after warm-up, MiB. */
  maxHeapAfterWarmMb: number;
  /** The kernel's high-water mark of resident memory (VmHWM), MiB. */
  peakRssMb: number;
}

export class MemoryWatch {
  readonly report: MemoryReport = { samples: [], warmHeapMb: 0, maxHeapAfterWarmMb: 0, peakRssMb: 0 };

  sample(done: number): void {
    Bun.gc(true);
    const { heapUsed, rss } = process.memoryUsage();
    const heap = round(heapUsed / MIB);
    this.report.samples.push([done, heap, round(rss / MIB)]);
    const samples = this.report.samples.length;
    // The sample at 10 % of the run (the 11th of 101) is the warm baseline.
    if (samples === 11) this.report.warmHeapMb = heap;
    if (samples > 11) this.report.maxHeapAfterWarmMb = Math.max(this.report.maxHeapAfterWarmMb, heap);
    this.report.peakRssMb = Math.max(this.report.peakRssMb, peakRss() ?? round(rss / MIB));
  }

  /** Heap growth after warm-up, MiB (0 for runs too short to have one). */
  growthMb(): number {
    return this.report.samples.length > 11 ? this.report.maxHeapAfterWarmMb - this.report.warmHeapMb : 0;
  }
}

function peakRss(): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
    return match ? round(Number(match[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
