// Courier's resident memory, sampled every 10 s from /proc, and the verdict on it: after warm-up
// it must not grow. "Grow" is judged on medians, so one sample caught mid-collection does not
// decide it: the median of the last quarter of the run against the median of the quarter right
// after warm-up.
import { rssMb } from "../../test/hostile/support/process-memory.ts";

export interface MemoryVerdict {
  /** [seconds since start, RSS MiB] */
  samples: [number, number][];
  warmUpSeconds: number;
  /** Median RSS of the first quarter after warm-up, and of the last quarter, MiB. */
  early: number;
  late: number;
  grew: boolean;
}

/** Growth allowed between the two medians: 10 % or 16 MiB, whichever is more. */
const ALLOWED = (early: number) => Math.max(16, early * 0.1);

export class MemorySeries {
  readonly samples: [number, number][] = [];
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly pid: () => number,
    private readonly started: number,
    private readonly everyMs = 10_000,
  ) {}

  start(): void {
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), this.everyMs);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#sample();
  }

  verdict(warmUpSeconds: number): MemoryVerdict {
    const after = this.samples.filter(([t]) => t >= warmUpSeconds).map(([, mb]) => mb);
    const quarter = Math.max(1, Math.floor(after.length / 4));
    const early = median(after.slice(0, quarter));
    const late = median(after.slice(-quarter));
    return { samples: this.samples, warmUpSeconds, early, late, grew: late - early > ALLOWED(early) };
  }

  #sample(): void {
    try {
      this.samples.push([Math.round((performance.now() - this.started) / 1000), rssMb(this.pid())]);
    } catch {
      // The process is gone or stopped being readable: the series simply ends.
    }
  }
}

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
