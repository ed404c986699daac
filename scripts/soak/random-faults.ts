// Faults injected at random during a soak: each one a row of the fault matrix (see
// scripts/faults/rows.ts), held for a few seconds, then cleared, with a quiet gap before the next.
import { ROWS } from "../faults/rows.ts";
import type { FaultWorld } from "../faults/world.ts";

/** Rows that leave Courier's process as it is (no restart), so its memory can be followed. */
const SOAK_FAULTS = [
  "destination-down",
  "destination-500-half",
  "destination-slow",
  "source-sealed",
  "source-403",
  "sigstop-udp",
];

export interface InjectedFault {
  id: string;
  /** Seconds since the soak started. */
  at: number;
  ms: number;
}

export class RandomFaults {
  readonly injected: InjectedFault[] = [];
  #stopped = false;
  #running: Promise<void> | undefined;

  constructor(
    private readonly world: FaultWorld,
    private readonly started: number,
    private readonly random: () => number = Math.random,
  ) {}

  start(): void {
    this.#running = this.#loop();
  }

  /** Stops injecting; a fault in force is cleared first. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
  }

  async #loop(): Promise<void> {
    while (!this.#stopped) {
      await this.#sleep(15_000 + this.random() * 15_000);
      if (this.#stopped) return;
      const id = SOAK_FAULTS[Math.floor(this.random() * SOAK_FAULTS.length)]!;
      const row = ROWS.find((r) => r.id === id)!;
      const ms = Math.round(2_000 + this.random() * 6_000);
      this.injected.push({ id, at: Math.round((performance.now() - this.started) / 1000), ms });
      const clear = await row.start({ world: this.world, note: () => {} });
      await this.#sleep(ms, true);
      await clear();
    }
  }

  /** Sleeps `ms`, cut short by stop() unless `whole` (a fault always runs its course). */
  async #sleep(ms: number, whole = false): Promise<void> {
    const until = performance.now() + ms;
    while (performance.now() < until && (whole || !this.#stopped))
      await Bun.sleep(Math.min(250, until - performance.now()));
  }
}
