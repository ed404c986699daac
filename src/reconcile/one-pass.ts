// One pass inside the agent: walk the source (and, pruning, the destinations), offer each key to
// the scheduler at "reconcile" priority once the ring has room for it, then wait until every key
// offered has come back. Its tally says what the pass found: which keys have not come back yet,
// and what the ones that did found. Keys found only on a destination, with sync.prune on, run
// through the scheduler like every key but on this thread with deletes on (PruneRunner).

import type { CompiledScope } from "../audit/scope.ts";
import type { DedupRing, MountRef } from "../dispatch/ring.ts";
import type { Scheduler } from "../dispatch/scheduler.ts";
import { messageOf } from "../errors.ts";
import type { Logger } from "../observe/logger.ts";
import type { PassCounts } from "../observe/progress.ts";
import type { ManagedKeys, PruneMode } from "../sync/managed.ts";
import type { SyncResult } from "../sync/outcome.ts";
import type { PathMaps } from "../sync/path-map.ts";
import { syncKey } from "../sync/sync.ts";
import { keyId, type SyncKey } from "../sync-key.ts";
import { vaultName } from "../vault/address.ts";
import type { VaultClient } from "../vault/client.ts";
import { pruneNamespaces } from "./namespace-prune.ts";
import type { Pace } from "./triggers.ts";
import { passTargets, walkKeys } from "./walk.ts";

export interface PassContext {
  scheduler: Scheduler;
  ring: DedupRing;
  source: VaultClient;
  destinations: VaultClient[];
  namespaces: string[];
  scope: CompiledScope;
  prune: PruneMode;
  managed: ManagedKeys;
  map: PathMaps;
  pruned: PruneRunner;
  log: Logger;
  stopping(): boolean;
  /** Waits before each key is offered, for passes the audit stream caused (triggers.ts). */
  pace?: Pace;
}

/** How often a pass waiting for its last keys looks for ones the scheduler let go unanswered. */
const SETTLE_CHECK_MS = 100;

export class OnePass {
  readonly tally: PassTally;
  #wake: (() => void) | undefined;

  constructor(
    private readonly context: PassContext,
    /** The mounts a targeted pass covers; undefined = everything. */
    readonly mounts: readonly MountRef[] | undefined,
  ) {
    this.tally = new PassTally(context.destinations.map((d) => d.address));
  }

  /** Runs the pass; answers why it could not finish (the walk failed), or undefined. */
  async run(): Promise<string | undefined> {
    const { scheduler, source, scope, prune, managed, pruned, stopping } = this.context;
    try {
      const targets = await passTargets(source, this.context.namespaces, scope, this.mounts);
      const keys = walkKeys(source, targets, {
        map: this.context.map,
        scope,
        destinations: prune === "off" ? [] : this.context.destinations,
        onDestinationError: (destination, where, error) => {
          this.tally.walkErrors++;
          this.context.log.warn("a pass could not list a destination; keys only it holds there stay", {
            destination,
            mount: where.namespace + where.mount,
            error: messageOf(error),
          });
        },
      });
      for await (const walked of keys) {
        // Another writer's key where the source has none: not Courier's to delete, not even read.
        if (!walked.onSource && prune === "managed" && !managed.anywhere(keyId(walked.key))) continue;
        // Live hints keep the ring's reserve; a pass only ever takes the room left.
        await scheduler.whenRoom("reconcile");
        await this.context.pace?.();
        if (stopping()) break;
        const id = this.tally.add(walked.key);
        if (!walked.onSource) pruned.add(id);
        const offered = scheduler.offer(walked.key, "reconcile");
        if (offered === "overflow" || offered === "stopped") this.#let([id]);
      }
      this.tally.walkEnded = true;
      while (this.tally.pending.size > 0 && !stopping()) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          setTimeout(resolve, SETTLE_CHECK_MS);
        });
        this.sweep();
      }
      // Namespaces the source lost: only a full pass knows every namespace the source has.
      if (this.mounts === undefined && prune !== "off" && !stopping()) {
        const { namespaces, destinations, map, log } = this.context;
        const gone = await pruneNamespaces({
          source,
          destinations,
          roots: namespaces,
          scope,
          map,
          managed,
          prune,
          log,
        });
        this.tally.changed += gone.deleted;
        this.tally.walkErrors += gone.failed;
      }
      return undefined;
    } catch (error) {
      return messageOf(error);
    }
  }

  /** A key's run came back. */
  observe(id: string, result: SyncResult): void {
    if (!this.tally.settle(id, result)) return;
    this.context.pruned.forget(id);
    if (this.tally.pending.size === 0) this.#wake?.();
  }

  /** Lets go of keys the scheduler is done with that never came back (no destination was due). */
  sweep(): void {
    const { ring } = this.context;
    this.#let(this.tally.sweep((key) => ring.status(key) === "idle"));
  }

  #let(ids: string[]): void {
    for (const id of ids) {
      this.tally.drop(id);
      this.context.pruned.forget(id);
    }
  }
}

/**
 * The agent's account of one pass: which of its keys have not come back from the scheduler yet,
 * and what the ones that did found. A pass offers keys only as the ring has room, so the keys
 * pending here are never more than the ring holds plus the runs in flight.
 */
export class PassTally {
  /** Keys offered and not yet seen back, by keyId. */
  readonly pending = new Map<string, SyncKey>();
  /** Keys the walk found. */
  walked = 0;
  /** Keys where some destination was written or deleted. */
  changed = 0;
  /** Keys whose run left some destination different: it failed, will retry, or held back a delete. */
  unresolved = 0;
  /** Keys that never ran: every destination was backing off, the ring was full, or the worker died. */
  notRun = 0;
  /** LISTs on a destination that failed: keys only it holds there were not seen. */
  walkErrors = 0;
  /** The walk has ended: `walked` is the pass's total. */
  walkEnded = false;
  /** Per destination: keys found different from the source (fixed or not). */
  readonly drift: Record<string, number> = {};
  /** Per destination: keys still different after their run. */
  readonly left: Record<string, number> = {};

  constructor(destinations: readonly string[]) {
    for (const name of destinations) {
      this.drift[name] = 0;
      this.left[name] = 0;
    }
  }

  add(key: SyncKey): string {
    const id = keyId(key);
    this.walked++;
    this.pending.set(id, key);
    return id;
  }

  /** The key was not taken by the scheduler (ring full, or stopping). */
  drop(id: string): void {
    if (this.pending.delete(id)) this.notRun++;
  }

  /** A run of a key came back; false when the key is not this pass's (or was already counted). */
  settle(id: string, result: SyncResult): boolean {
    if (!this.pending.delete(id)) return false;
    let changed = false;
    let left = result.sourceError !== undefined;
    for (const outcome of result.destinations) {
      if (outcome.result === "unchanged") continue;
      this.drift[outcome.destination] = (this.drift[outcome.destination] ?? 0) + 1;
      if (outcome.result === "written" || outcome.result === "deleted") {
        changed = true;
        continue;
      }
      left = true;
      this.left[outcome.destination] = (this.left[outcome.destination] ?? 0) + 1;
    }
    if (changed) this.changed++;
    if (left) this.unresolved++;
    return true;
  }

  /**
   * Forgets keys the scheduler is done with that never reported back (no destination was due, or
   * the worker running them died); `idle` says whether the scheduler still holds a key.
   * Returns their keyIds.
   */
  sweep(idle: (key: SyncKey) => boolean): string[] {
    const gone: string[] = [];
    for (const [id, key] of this.pending) {
      if (!idle(key)) continue;
      this.pending.delete(id);
      this.notRun++;
      gone.push(id);
    }
    return gone;
  }

  /** The tally as a progress reporter reads it. */
  get counts(): PassCounts {
    return {
      walked: this.walked,
      done: this.walked - this.pending.size,
      errors: this.unresolved + this.walkErrors,
      walkEnded: this.walkEnded,
    };
  }

  /** Every key walked came back equal or made equal, and every LIST answered. */
  get clean(): boolean {
    return this.unresolved === 0 && this.notRun === 0 && this.walkErrors === 0 && this.pending.size === 0;
  }
}

/**
 * Keys a pass found only on a destination, with sync.prune on: they go through the scheduler like
 * every key (one run per key at a time), but their run happens here on the main thread with
 * deletes on, since the workers apply sync.deletes, which governs deletes seen in the audit
 * stream. The run reads the source first, as always: if the key exists there by then, it is
 * synced, not deleted; and with sync.prune=managed it deletes only where the key is Courier's.
 */
export class PruneRunner {
  readonly #ids = new Set<string>();
  readonly #destinations: Map<string, VaultClient>;

  constructor(
    private readonly source: VaultClient,
    destinations: readonly VaultClient[],
    private readonly options: {
      createMounts: boolean;
      prune: PruneMode;
      managed: ManagedKeys;
      map?: PathMaps;
    },
  ) {
    this.#destinations = new Map(destinations.map((d) => [d.address, d]));
  }

  add(id: string): void {
    this.#ids.add(id);
  }

  forget(id: string): void {
    this.#ids.delete(id);
  }

  has(key: SyncKey): boolean {
    return this.#ids.size > 0 && this.#ids.has(keyId(key));
  }

  /** Syncs a pruned key on the destinations the scheduler says are due, deletes on. */
  run(key: SyncKey, destinations: readonly string[]): Promise<SyncResult> {
    const targets = destinations.flatMap((name) => this.#destinations.get(vaultName(name)) ?? []);
    const { createMounts, prune, managed, map } = this.options;
    const owned = managed.managedOn(keyId(key), destinations);
    return syncKey(key, this.source, targets, { deletes: true, createMounts, prune, managed: owned, map });
  }
}
