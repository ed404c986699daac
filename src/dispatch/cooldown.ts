// Hot keys: a key hinted again while it was syncing runs once more, but not at once. Holding
// its rerun until `ms` after the previous run started lets every hint of a burst coalesce into
// that one rerun, so a key written 10,000 times in a second costs about ten syncs, not one per
// round trip. The key stays "in flight" in the ring while held, so no second run can start and
// further hints only mark it dirty; it holds no executor slot.

import type { Clock, TimerHandle } from "./clock.ts";

export class Cooldown {
  private readonly held = new Map<string, { timer: TimerHandle; release: () => void }>();

  constructor(
    private readonly clock: Clock,
    readonly ms: number,
  ) {}

  /** How long a run that started at `startedAt` still has to wait before its rerun; 0 = none. */
  remaining(startedAt: number): number {
    return Math.max(0, startedAt + this.ms - this.clock.now());
  }

  /** Calls `release` after `delayMs` (or at releaseAll). */
  hold(id: string, delayMs: number, release: () => void): void {
    const timer = this.clock.setTimeout(() => {
      this.held.delete(id);
      release();
    }, delayMs);
    this.held.set(id, { timer, release });
  }

  get size(): number {
    return this.held.size;
  }

  /** Releases every held key now (on stop, so they are handed back as pending). */
  releaseAll(): void {
    for (const { timer, release } of this.held.values()) {
      this.clock.clearTimeout(timer);
      release();
    }
    this.held.clear();
  }
}
