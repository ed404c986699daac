// When a key runs again, other than at once: a destination that failed waits out its backoff
// (the retry book), and a hot key's rerun waits out a cooldown. Both wait on timers, never in a
// worker, and both hand the key back through the ring, so single flight holds throughout.
//
// The retry book: which destinations of which keys are waiting to be tried again, and when.
// Each key with retries has one timer, set for its earliest due destination; when it fires the
// key is offered to the ring again.
//
// Backoff is per (key, destination): a destination that keeps failing waits longer and longer
// while the other destinations of the same key carry on.

import { type BackoffOptions, backoffDelay } from "../backoff.ts";
import type { SyncKey } from "../sync-key.ts";
import type { Clock, TimerHandle } from "./clock.ts";
import type { Priority } from "./ring.ts";

interface DestinationRetry {
  failures: number;
  dueAt: number;
  /** The timer fired and the key was offered; the next run of the key will cover it. */
  offered: boolean;
}

interface KeyRetries {
  key: SyncKey;
  priority: Priority;
  destinations: Map<string, DestinationRetry>;
  /** A hint arrived since the last run started: the source may have changed again. */
  hinted: boolean;
  timer?: TimerHandle;
  timerAt?: number;
}

export interface RetryBookOptions {
  clock: Clock;
  backoff: BackoffOptions;
  random: () => number;
  /** Most keys with retries at once; past it the caller marks the mount for a pass. */
  limit: number;
  /** A key has a destination due: offer it to the ring. */
  onDue: (key: SyncKey, priority: Priority) => void;
}

/** What the next run of a key covers. */
export interface Plan {
  destinations: string[];
  attempt: number;
}

export class RetryBook {
  private readonly keys = new Map<string, KeyRetries>();
  private stopped = false;

  constructor(private readonly options: RetryBookOptions) {}

  /** Keys with at least one destination waiting or due. */
  get size(): number {
    return this.keys.size;
  }

  /** A hint arrived for this key: its next run covers every destination not backing off. */
  noteHint(id: string): void {
    const entry = this.keys.get(id);
    if (entry) entry.hinted = true;
  }

  /**
   * The destinations a run of this key starting now must cover: the due ones, and after a hint
   * every destination not still backing off. A hint never pulls a backing-off destination
   * forward: a key written a thousand times while its destination is down would otherwise try
   * that destination a thousand times. Its own timer brings it round, and being level-triggered
   * the run then syncs whatever the source holds by then.
   */
  plan(id: string, all: readonly string[]): Plan {
    const entry = this.keys.get(id);
    if (!entry) return { destinations: [...all], attempt: 1 };
    const now = this.options.clock.now();
    const hinted = entry.hinted;
    entry.hinted = false;
    const destinations: string[] = [];
    let most = 0;
    for (const name of all) {
      const retry = entry.destinations.get(name);
      if (retry === undefined) {
        if (hinted) destinations.push(name);
      } else if (retry.dueAt <= now) {
        destinations.push(name);
        most = Math.max(most, retry.failures);
      }
    }
    return { destinations, attempt: most + 1 };
  }

  /**
   * Records how a run went: `cleared` destinations stop retrying, `retry` ones back off once more.
   * Returns false (and records nothing) when the key is new here and the book is full.
   */
  settle(id: string, key: SyncKey, priority: Priority, cleared: string[], retry: string[]): boolean {
    let entry = this.keys.get(id);
    if (!entry) {
      if (retry.length === 0) return true;
      if (this.keys.size >= this.options.limit) return false;
      entry = { key, priority, destinations: new Map(), hinted: false };
      this.keys.set(id, entry);
    }
    if (priority === "live") entry.priority = "live";
    for (const name of cleared) entry.destinations.delete(name);
    const now = this.options.clock.now();
    for (const name of retry) {
      const failures = (entry.destinations.get(name)?.failures ?? 0) + 1;
      const delay = backoffDelay(this.options.backoff, failures, this.options.random());
      entry.destinations.set(name, { failures, dueAt: now + delay, offered: false });
    }
    if (entry.destinations.size === 0) this.forget(id, entry);
    else this.arm(entry);
    return true;
  }

  /** Cancels every timer; the book keeps its records for leftovers(). */
  stop(): void {
    this.stopped = true;
    for (const entry of this.keys.values()) this.disarm(entry);
  }

  /** Every key still owing a destination something, with those destinations. */
  leftovers(): { key: SyncKey; destinations: string[] }[] {
    return [...this.keys.values()].map((entry) => ({
      key: entry.key,
      destinations: [...entry.destinations.keys()],
    }));
  }

  private forget(id: string, entry: KeyRetries): void {
    this.disarm(entry);
    this.keys.delete(id);
  }

  private arm(entry: KeyRetries): void {
    if (this.stopped) return;
    let next = Number.POSITIVE_INFINITY;
    for (const retry of entry.destinations.values()) if (!retry.offered) next = Math.min(next, retry.dueAt);
    if (next === entry.timerAt) return;
    this.disarm(entry);
    if (next === Number.POSITIVE_INFINITY) return;
    const { clock } = this.options;
    entry.timerAt = next;
    entry.timer = clock.setTimeout(() => this.fire(entry), Math.max(0, next - clock.now()));
  }

  private disarm(entry: KeyRetries): void {
    if (entry.timer !== undefined) this.options.clock.clearTimeout(entry.timer);
    entry.timer = undefined;
    entry.timerAt = undefined;
  }

  private fire(entry: KeyRetries): void {
    entry.timer = undefined;
    entry.timerAt = undefined;
    const now = this.options.clock.now();
    let due = false;
    for (const retry of entry.destinations.values()) {
      if (!retry.offered && retry.dueAt <= now) {
        retry.offered = true;
        due = true;
      }
    }
    this.arm(entry);
    if (due) this.options.onDue(entry.key, entry.priority);
  }
}

/**
 * Hot keys: a key hinted again while it was syncing runs once more, but not at once. Holding
 * its rerun until `ms` after the previous run started lets every hint of a burst coalesce into
 * that one rerun, so a key written 10,000 times in a second costs about ten syncs, not one per
 * round trip. The key stays "in flight" in the ring while held, so no second run can start and
 * further hints only mark it dirty; it holds no executor slot.
 */
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
