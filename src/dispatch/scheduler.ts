// The scheduler: connects the ring to a pool of executors. It takes keys from the ring while fewer
// than `concurrency` runs are going, works out which destinations each run covers (the retry
// book), and turns each sync result into counts, backoff timers and, when a key was hinted
// mid-run, one more run. Offering never waits for anything (design rule 3): it only touches memory.
// The result it reads is the sync's own (src/sync/outcome.ts), as the worker sent it.
//
// Retries without a stampede:
// - Backoff is per (key, destination) and lives on a timer, not in an executor. A hint never
//   resets or shortens it: the run a hint causes covers the destinations that are not backing
//   off, and a backing-off one is synced when its own timer fires, from the source as it is then
//   (level-triggered). A key written a thousand times while one destination is down costs that
//   destination one try per backoff step, not one per write.
// - Full jitter spreads the retries of many keys that failed together, so a destination that
//   comes back sees them arrive across the backoff window rather than all at once. One key's
//   success does not pull other keys' retries forward for the same reason; catching a recovered
//   destination up quickly is a pass's job, at reconcile priority.
// - A source that cannot be read retries every destination of the task the same way; the
//   scheduler never decides anything from a failed read.
// - A task covers one key's destinations together, so a slow destination slows that task. The
//   executor is expected to work on the destinations concurrently and give each a deadline,
//   answering "retry" for one that misses it (that destination then backs off alone). Up to that
//   deadline a slow destination does hold its task's executor slot.

import type { BackoffOptions } from "../backoff.ts";
import { CourierError } from "../errors.ts";
import type { SyncResult, SyncResultKind } from "../sync/outcome.ts";
import { keyId, type SyncKey } from "../sync-key.ts";
import { type Clock, type RateLimit, systemClock, TokenBucket } from "./clock.ts";
import { Cooldown, RetryBook } from "./retries.ts";
import type { DedupRing, MountRef, OfferResult, Priority, Taken } from "./ring.ts";
import {
  composeStats,
  type DestinationCounts,
  destinationCounters,
  emptyCounters,
  type SchedulerStats,
} from "./stats.ts";

/** What the scheduler hands an executor. JSON data: it crosses to a Bun Worker as JSON text. */
export interface Task {
  key: SyncKey;
  /** The destinations this run must bring equal to the source (not always all of them). */
  destinations: string[];
  /** 1 on a first try; otherwise 1 + the most failures any of these destinations has had in a row. */
  attempt: number;
}

/**
 * The function that runs one task (in production: a message to a sync worker, awaited). It
 * answers with the sync's own result, unchanged: the scheduler reads from it what it needs.
 */
export type Execute = (task: Task) => Promise<SyncResult>;

export interface SchedulerOptions {
  ring: DedupRing;
  /** Runs at once (`--worker.concurrency`). */
  concurrency: number;
  destinations: string[];
  execute: Execute;
  backoff: BackoffOptions;
  clock?: Clock;
  /** Bounds live hints that would cause new work; over it, the key's mount is marked for a pass. */
  rateLimit?: RateLimit;
  /** Most keys with retries at once (default: the ring's capacity); past it, mounts are marked. */
  maxRetrying?: number;
  random?: () => number;
  /** A key hinted while it ran runs again no sooner than this after that run started (default 100). */
  rerunDelayMs?: number;
  /** Told about every hint offered, before anything else looks at it. Must not throw. */
  onOffer?: (key: SyncKey, priority: Priority) => void;
  /** Told about every finished run, for logs. Must not throw. */
  onSettled?: (event: { task: Task; outcome: SyncResult | undefined; ms: number }) => void;
}

/** What offering a hint did: the ring's answer, or refused by the rate limit or after stop(). */
export type HintResult = OfferResult | "rate-limited" | "stopped";

/** What stop() could not finish, for the caller to log or persist. */
export interface Leftovers {
  pending: { key: SyncKey; priority: Priority }[];
  inFlight: { key: SyncKey; destinations: string[] }[];
  retries: { key: SyncKey; destinations: string[] }[];
  mounts: MountRef[];
}

/** See Cooldown (retries.ts): the least time between the starts of two runs of one hot key. */
const DEFAULT_RERUN_DELAY_MS = 100;

interface Run {
  taken: Taken;
  task: Task;
  startedAt: number;
  /** A hint for this key arrived while it ran. */
  hinted: boolean;
}

export class Scheduler {
  private readonly ring: DedupRing;
  private readonly clock: Clock;
  private readonly destinations: string[];
  private readonly retries: RetryBook;
  private readonly bucket: TokenBucket | undefined;
  private readonly running = new Map<string, Run>();
  private readonly counts = emptyCounters();
  private readonly perDestination: Map<string, DestinationCounts>;
  private readonly waiters = new Waiters();
  private pumpQueued = false;
  private stopping = false;
  private stopped: Promise<Leftovers> | undefined;
  private onDrained: (() => void) | undefined;
  private readonly cooldown: Cooldown;

  constructor(private readonly options: SchedulerOptions) {
    if (!Number.isInteger(options.concurrency) || options.concurrency < 1) {
      throw new CourierError("CONFIG_INVALID", "worker.concurrency: must be a whole number of at least 1");
    }
    if (options.destinations.length === 0) {
      throw new CourierError(
        "CONFIG_INVALID",
        "vault.destinations.addresses: at least one destination is needed",
      );
    }
    this.ring = options.ring;
    this.clock = options.clock ?? systemClock;
    this.destinations = [...new Set(options.destinations)];
    this.perDestination = destinationCounters(this.destinations);
    this.bucket = options.rateLimit && new TokenBucket(options.rateLimit, this.clock);
    this.cooldown = new Cooldown(this.clock, options.rerunDelayMs ?? DEFAULT_RERUN_DELAY_MS);
    this.retries = new RetryBook({
      clock: this.clock,
      backoff: options.backoff,
      random: options.random ?? Math.random,
      limit: options.maxRetrying ?? this.ring.capacity,
      onDue: (key, priority) => this.enqueue(key, priority),
    });
  }

  /** A hint: this key may have changed. Never blocks; the run happens later. */
  offer(key: SyncKey, priority: Priority = "live"): HintResult {
    if (this.stopping) return "stopped";
    this.options.onOffer?.(key, priority);
    if (priority === "live" && this.bucket && this.costsWork(key) && !this.bucket.tryTake()) {
      this.counts.rateLimited++;
      this.ring.markMount(key, "rate-limited");
      return "rate-limited";
    }
    if (this.retries.size > 0) this.retries.noteHint(keyId(key));
    const result = this.enqueue(key, priority);
    // Remembered on the run: the retry book may only learn of this key when the run ends. A key
    // held by the cooldown is already dirty and hinted, so it has no run to mark.
    const run = result === "dirty" ? this.running.get(keyId(key)) : undefined;
    if (run) run.hinted = true;
    return result;
  }

  /** Resolves when nothing is queued, running or waiting to be retried. */
  whenIdle(): Promise<void> {
    return this.waiters.wait(() => this.stopping || this.isIdle());
  }

  /** Resolves when the ring has room for a new key of this priority (a pass paces itself on it). */
  whenRoom(priority: Priority): Promise<void> {
    return this.waiters.wait(() => this.stopping || this.ring.room(priority) > 0);
  }

  stats(): SchedulerStats {
    const gauges = { inFlight: this.running.size, retrying: this.retries.size };
    return composeStats(this.ring.stats(), gauges, this.counts, this.perDestination);
  }

  /**
   * Stops taking keys and cancels retry timers, waits up to graceMs for runs in flight, and hands
   * back everything not done. Outcomes that arrive after the grace period are ignored.
   */
  stop(graceMs: number): Promise<Leftovers> {
    this.stopped ??= this.shutDown(graceMs);
    return this.stopped;
  }

  private async shutDown(graceMs: number): Promise<Leftovers> {
    this.stopping = true;
    this.retries.stop();
    this.cooldown.releaseAll();
    if (this.running.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = this.clock.setTimeout(resolve, graceMs);
        this.onDrained = () => {
          this.clock.clearTimeout(timer);
          resolve();
        };
      });
    }
    const inFlight = [...this.running.values()].map(({ task }) => ({
      key: task.key,
      destinations: task.destinations,
    }));
    for (const id of this.running.keys()) this.ring.finish(id);
    this.running.clear();
    const leftovers = {
      pending: this.ring.drain(),
      inFlight,
      retries: this.retries.leftovers(),
      mounts: this.ring.takeOverflowedMounts(),
    };
    this.waiters.releaseAll();
    return leftovers;
  }

  private enqueue(key: SyncKey, priority: Priority): OfferResult {
    const result = this.ring.offer(key, priority);
    if (result === "queued") this.schedulePump();
    return result;
  }

  // A hint costs a token only if it adds a run: a key already pending (or already marked dirty)
  // absorbs any number of hints for free.
  private costsWork(key: SyncKey): boolean {
    const status = this.ring.status(key);
    return status === "idle" || status === "in-flight";
  }

  // Taking happens in a microtask so a burst of offers from one read coalesces before any run.
  private schedulePump(): void {
    if (this.pumpQueued) return;
    this.pumpQueued = true;
    queueMicrotask(() => this.pump());
  }

  private pump(): void {
    this.pumpQueued = false;
    while (!this.stopping && this.running.size < this.options.concurrency) {
      const taken = this.ring.take();
      if (!taken) break;
      this.start(taken);
    }
    this.waiters.check();
  }

  private start(taken: Taken): void {
    const plan = this.retries.plan(taken.id, this.destinations);
    // Every destination is backing off: nothing to do until a retry timer offers the key again.
    if (plan.destinations.length === 0) {
      this.ring.finish(taken.id);
      return;
    }
    const run: Run = { taken, task: { key: taken.key, ...plan }, startedAt: this.clock.now(), hinted: false };
    this.running.set(taken.id, run);
    this.counts.runs++;
    let result: Promise<SyncResult>;
    try {
      result = Promise.resolve(this.options.execute(run.task));
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      (outcome) => this.settle(run, outcome),
      () => this.settle(run, undefined),
    );
  }

  // outcome undefined: the executor itself failed (a worker died); every destination is retried.
  private settle(run: Run, outcome: SyncResult | undefined): void {
    const { id, key, priority } = run.taken;
    if (this.running.get(id) !== run) return;
    this.running.delete(id);
    const split = splitOutcome(run.task, outcome);
    if (outcome === undefined) this.counts.executorErrors++;
    else if (split.sourceFailed) this.counts.sourceErrors++;
    for (const name of split.done) this.perDestination.get(name)!.done++;
    for (const name of split.failed) this.perDestination.get(name)!.failed++;
    for (const name of split.retry) this.perDestination.get(name)!.retried++;
    this.counts.retriesScheduled += split.retry.length;
    if (!this.retries.settle(id, key, priority, [...split.done, ...split.failed], split.retry)) {
      this.counts.retryOverflow++;
      this.ring.markMount(key, "retry-overflow");
    }
    const wait = run.hinted && !this.stopping ? this.cooldown.remaining(run.startedAt) : 0;
    if (wait > 0) {
      this.cooldown.hold(id, wait, () => {
        this.finishRun(id, run);
        if (!this.stopping) this.schedulePump();
      });
    } else {
      this.finishRun(id, run);
    }
    if (!this.stopping) this.pump();
    else if (this.running.size === 0) this.onDrained?.();
    this.options.onSettled?.({ task: run.task, outcome, ms: this.clock.now() - run.startedAt });
  }

  // A key made dirty by a hint runs again for every destination not backing off; one made
  // dirty only by its own retry timer runs again for the due destinations alone.
  private finishRun(id: string, run: Run): void {
    if (this.ring.finish(id) && run.hinted) this.retries.noteHint(id);
  }

  private isIdle(): boolean {
    return (
      this.running.size === 0 && this.cooldown.size === 0 && this.retries.size === 0 && this.ring.size === 0
    );
  }
}

/** A task's destinations sorted by what a sync result says for each. */
export interface SplitOutcome {
  done: string[];
  failed: string[];
  retry: string[];
  /** The source could not be read: every destination of the task is retried. */
  sourceFailed: boolean;
}

/** Results that leave nothing to retry: the destination is equal, or left alone on purpose. */
const SETTLED = new Set<SyncResultKind>(["unchanged", "written", "deleted", "skipped"]);

/**
 * Reads a sync result defensively: it crosses a worker boundary, so a destination may be missing
 * or the shape may be wrong. Anything not clearly settled or "failed" is retried — the safe side,
 * since a retry re-reads the source and changes nothing that is already equal.
 * (["a","b"], {destinations:[{destination:"a", result:"written", …}]})
 *   → {done:["a"], failed:[], retry:["b"], sourceFailed:false}
 */
export function splitOutcome(task: Pick<Task, "destinations">, outcome: unknown): SplitOutcome {
  const split: SplitOutcome = { done: [], failed: [], retry: [], sourceFailed: false };
  const sourceFailed = isObject(outcome) && outcome.sourceError !== undefined;
  const results = !sourceFailed && isObject(outcome) ? resultsByDestination(outcome.destinations) : undefined;
  if (!results) {
    split.sourceFailed = sourceFailed;
    split.retry.push(...task.destinations);
    return split;
  }
  for (const name of task.destinations) {
    const result = results.get(name);
    if (result === "failed") split.failed.push(name);
    else if (SETTLED.has(result as SyncResultKind)) split.done.push(name);
    else split.retry.push(name);
  }
  return split;
}

/** destination → result, from a list of per-destination outcomes; undefined when it is no list. */
function resultsByDestination(list: unknown): Map<string, unknown> | undefined {
  if (!Array.isArray(list)) return undefined;
  const results = new Map<string, unknown>();
  for (const entry of list) {
    if (isObject(entry) && typeof entry.destination === "string")
      results.set(entry.destination, entry.result);
  }
  return results;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

// Promises that resolve when a condition becomes true, re-checked whenever the owner says
// something changed. Small and synchronous: no polling, no timers.
interface Waiter {
  ready: () => boolean;
  resolve: () => void;
}

class Waiters {
  private list: Waiter[] = [];

  /** Resolves at once if ready() holds, else at the first check() where it does. */
  wait(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => this.list.push({ ready, resolve }));
  }

  check(): void {
    if (this.list.length === 0) return;
    const waiting = this.list;
    this.list = [];
    for (const waiter of waiting) {
      if (waiter.ready()) waiter.resolve();
      else this.list.push(waiter);
    }
  }

  /** Resolves everyone, ready or not (on stop, so nobody waits forever). */
  releaseAll(): void {
    const waiting = this.list;
    this.list = [];
    for (const waiter of waiting) waiter.resolve();
  }
}
