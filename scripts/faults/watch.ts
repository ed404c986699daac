// What a row measures from outside Courier: its retry counters (scraped from /metrics, kept
// across restarts), how long until `courier diff` says in sync, and how far behind the source a
// destination runs (a probe key written every 250 ms, polled on each destination).

import { metricSum, scrape } from "../../test/hostile/support/metrics.ts";
import { courier } from "../../test/support/courier-process.ts";
import type { VaultApi } from "../../test/support/vault-api.ts";
import type { FaultWorld } from "./world.ts";

export interface Retries {
  /** Destination syncs that failed in a way worth retrying (courier_sync_total{result="retry"}). */
  destination: number;
  /** Syncs that could not read the source, each retried (courier_source_errors_total). */
  source: number;
}

/** Reads the retry counters; call read() before and after, and again before Courier is killed. */
export class RetryCounter {
  #base: Retries = { destination: 0, source: 0 };
  #last: Retries = { destination: 0, source: 0 };
  /** Counts of Courier processes that are gone. */
  #gone: Retries = { destination: 0, source: 0 };

  constructor(private readonly world: FaultWorld) {}

  async read(): Promise<Retries> {
    try {
      const s = await scrape(this.world.metricsUrl(), 1_000);
      this.#last = {
        destination: metricSum(s, "courier_sync_total", { result: "retry" }),
        source: metricSum(s, "courier_source_errors_total"),
      };
    } catch {
      // Courier is stopped or gone: the last figures stand.
    }
    return this.total();
  }

  /** The figures so far become the baseline. */
  async zero(): Promise<void> {
    await this.read();
    this.#base = this.total();
  }

  /** The process whose counters were read last is gone; a new one starts from zero. */
  restarted(): void {
    this.#gone = {
      destination: this.#gone.destination + this.#last.destination,
      source: this.#gone.source + this.#last.source,
    };
    this.#last = { destination: 0, source: 0 };
  }

  total(): Retries {
    return {
      destination: this.#gone.destination + this.#last.destination - this.#base.destination,
      source: this.#gone.source + this.#last.source - this.#base.source,
    };
  }
}

/**
 * Runs `courier diff` until it exits 0, or until `limitMs`; answers how long that took (ms from
 * `since`) and how long one diff took, or undefined when it never did.
 */
export async function untilInSync(
  world: FaultWorld,
  since: number,
  limitMs: number,
): Promise<{ ms: number; diffMs: number; runs: number } | undefined> {
  let runs = 0;
  for (;;) {
    const started = performance.now();
    const r = await courier(["diff", "--format=json", ...world.vaultFlags]);
    runs++;
    const ended = performance.now();
    if (r.code === 0) return { ms: Math.round(ended - since), diffMs: Math.round(ended - started), runs };
    if (r.code !== 1) throw new Error(`courier diff exited ${r.code}: ${r.stderr}`);
    if (ended - since > limitMs) return undefined;
    await Bun.sleep(200);
  }
}

/** Lag per destination: ms from a probe write's answer until the destination shows its value. */
export class LagProbe {
  /** Per destination: [when the probe was written (performance.now()), lag ms]. */
  readonly lags: [number, number][][];
  #stopped = false;
  #running: Promise<void> | undefined;

  constructor(
    private readonly source: VaultApi,
    private readonly destinations: VaultApi[],
  ) {
    this.lags = destinations.map(() => []);
  }

  start(): void {
    this.#running = (async () => {
      for (let n = 0; !this.#stopped; n++) {
        await this.#probe(n);
        await Bun.sleep(250);
      }
    })();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
  }

  /** The lags of probes written in [from, to) (performance.now() times), per destination. */
  between(from: number, to: number): ReturnType<typeof spread>[] {
    return this.lags.map((lags) =>
      spread(lags.filter(([at]) => at >= from && at < to).map(([, lag]) => lag)),
    );
  }

  async #probe(n: number): Promise<void> {
    const value = `${n}-${Date.now()}`;
    const written = await this.source.call("POST", "secret/data/probe", { data: { n: value } });
    if (written.status >= 300) return;
    const at = performance.now();
    // Each destination polled on its own; give up on one after 10 s (it is down, or far behind).
    await Promise.all(
      this.destinations.map(async (d, i) => {
        while (performance.now() - at < 10_000 && !this.#stopped) {
          const reply = await d.call("GET", "secret/data/probe").catch(() => undefined);
          if (reply?.status === 200 && reply.body.data.data?.n === value) {
            this.lags[i]!.push([at, performance.now() - at]);
            return;
          }
          await Bun.sleep(10);
        }
      }),
    );
  }
}

/** p50 / p99 / max of a list of ms, rounded: spread([3, 1, 2]) → {count: 3, p50: 2, p99: 3, max: 3} */
export function spread(values: readonly number[]): { count: number; p50: number; p99: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) =>
    Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
  return { count: sorted.length, p50: at(0.5), p99: at(0.99), max: Math.round(sorted.at(-1) ?? 0) };
}
