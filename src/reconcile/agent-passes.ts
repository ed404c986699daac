// Reconciliation inside the agent (design rule 4): a full pass at start-up and every
// sync.interval, and targeted passes when something may have been lost — a mount marked by the
// ring, a destination back after an outage, datagrams the kernel dropped (triggers.ts).
// A pass walks the source and offers each key to the scheduler at "reconcile" priority, waiting
// for room first, so it never fills the ring nor delays a live hint; the keys then run through
// the very same workers and syncKey as live hints. One pass runs at a time; requests made
// meanwhile are merged and run next.

import type { IngestCounters } from "../audit/counters.ts";
import type { AuditListener } from "../audit/listeners/listener.ts";
import type { CompiledScope } from "../audit/scope.ts";
import type { DedupRing, MountRef } from "../dispatch/ring.ts";
import type { Scheduler, Task } from "../dispatch/scheduler.ts";
import type { Logger } from "../observe/logger.ts";
import { reportProgress } from "../observe/progress.ts";
import type { ManagedKeys, PruneMode } from "../sync/managed.ts";
import type { SyncResult } from "../sync/outcome.ts";
import type { PathMaps } from "../sync/path-map.ts";
import { keyId, mountId, type SyncKey } from "../sync-key.ts";
import type { TokenSource } from "../vault/auth.ts";
import { createVaultClient, type VaultClient } from "../vault/client.ts";
import type { AgentVaults } from "../vault/settings.ts";
import { OnePass, PruneRunner } from "./one-pass.ts";
import { OutageWatch, pacingFor, startPassTriggers } from "./triggers.ts";
import type { PassSettings } from "./walk.ts";

/** What the metrics and health endpoints read about passes. */
export interface ReconcileStatus {
  /** When (ms since the epoch) the last full pass ended that left every key equal; undefined before. */
  readonly lastSuccess: number | undefined;
  /** Per destination: keys the last full pass found different from the source (fixed or not). */
  readonly driftKeys: Readonly<Record<string, number>>;
  /** Per destination: keys the last full pass could not make equal. */
  readonly unresolvedKeys: Readonly<Record<string, number>>;
  /** Passes finished since start, full and targeted. */
  readonly passes: number;
  readonly running: boolean;
}

export interface AgentPassesOptions {
  /** Clients on the main thread: walks, and the syncs of pruned keys. */
  source: VaultClient;
  destinations: VaultClient[];
  namespaces: string[];
  scope: CompiledScope;
  prune: PruneMode;
  /** The keys Courier manages on each destination: passes prune only these with sync.prune=managed. */
  managed: ManagedKeys;
  createMounts: boolean;
  map: PathMaps;
  /** --audit.max_rate: the pace of passes the audit stream caused (triggers.ts); 0 = none. */
  maxRate: number;
  log: Logger;
  /**
   * Whether the source node is its cluster's active node (default: always). A standby's Courier
   * runs no pass: a standby's reads can be stale, and the active node's Courier runs its own.
   */
  isActive?: () => boolean;
  /** How often a long pass logs its progress; 10 s by default. */
  progressEveryMs?: number;
}

export interface PassParts {
  scheduler: Scheduler;
  ring: DedupRing;
  listener: AuditListener;
  /** The ingest counters: a connection the sender closed asks for a pass. */
  counters?: IngestCounters;
  /** sync.interval in ms; 0 = only the pass at start-up. */
  intervalMs: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class AgentPasses {
  readonly #status: Mutable<ReconcileStatus> = {
    lastSuccess: undefined,
    driftKeys: {},
    unresolvedKeys: {},
    passes: 0,
    running: false,
  };
  readonly #options: AgentPassesOptions;
  readonly #prune: PruneRunner;
  #parts: PassParts | undefined;
  #current: OnePass | undefined;
  #wantFull: string | undefined;
  #wantMounts = new Map<string, MountRef>();
  #loop: Promise<void> | undefined;
  #stopping = false;
  #triggers: { stop(): void } | undefined;
  readonly #outages = new OutageWatch();

  constructor(options: AgentPassesOptions) {
    this.#options = options;
    this.#prune = new PruneRunner(options.source, options.destinations, {
      createMounts: options.createMounts,
      prune: options.prune,
      managed: options.managed,
      map: options.map,
    });
  }

  get status(): ReconcileStatus {
    return this.#status;
  }

  /** A key a pass found only on a destination, to run with prune(), not on a sync worker. */
  prunes(key: SyncKey): boolean {
    return this.#prune.has(key);
  }

  /** Runs a pruned key on this thread with deletes on (see PruneRunner). */
  prune(task: Task): Promise<SyncResult> {
    return this.#prune.run(task.key, task.destinations);
  }

  /** Every sync result, live or not: a pass's keys are counted off as they come back. */
  observe(task: Task, result: SyncResult): void {
    const id = keyId(task.key);
    this.#catchUpMadeMount(task, result, id);
    this.#current?.observe(id, result);
    for (const destination of this.#outages.note(result)) {
      this.#options.log.info("a destination answers again after an outage; a full pass follows", {
        destination,
      });
      this.request("destination back");
    }
  }

  /**
   * A sync made a mount on a destination that had lost it (disabled, restarted empty): the mount's
   * other keys are missing there too, so they follow in a pass over that mount, not at the next
   * full pass. Not when the mount was made by a key of a full pass running now: it covers them.
   */
  #catchUpMadeMount(task: Task, result: SyncResult, id: string): void {
    const made = result.destinations.filter((d) => d.done.includes("create-mount")).map((d) => d.destination);
    if (made.length === 0) return;
    const current = this.#current;
    if (current && current.mounts === undefined && current.tally.pending.has(id)) return;
    const { kind, namespace, mount } = task.key;
    this.#options.log.info("a mount was made on a destination; its keys follow", {
      mount: namespace + mount,
      destinations: made.join(","),
    });
    this.request("mount made", [{ kind, namespace, mount }]);
  }

  /** Connects the passes to the running scheduler; the start-up pass begins at once. */
  start(parts: PassParts): void {
    this.#parts = parts;
    this.#triggers = startPassTriggers({ ...parts, passes: this, log: this.#options.log });
    this.request("start-up");
  }

  /** Asks for a pass: over everything, or over the mounts given. Merged with any already asked for. */
  request(reason: string, mounts?: readonly MountRef[]): void {
    if (this.#stopping || !this.#parts) return;
    if (!this.#active()) {
      this.#options.log.debug("no pass on a standby: the active node's Courier runs them", { reason });
      return;
    }
    if (mounts === undefined) this.#wantFull ??= reason;
    else for (const mount of mounts) this.#wantMounts.set(mountId(mount), mount);
    this.#loop ??= this.#drain().finally(() => {
      this.#loop = undefined;
    });
  }

  /** A full pass is running or asked for: the periodic timer need not ask again. */
  get fullPending(): boolean {
    return (
      (this.#current !== undefined && this.#current.mounts === undefined) || this.#wantFull !== undefined
    );
  }

  /** Ends the current pass at its next key; resolves when it has stopped. */
  async stop(): Promise<void> {
    this.#stopping = true;
    this.#triggers?.stop();
    await this.#loop;
    for (const client of [this.#options.source, ...this.#options.destinations]) client.close();
  }

  async #drain(): Promise<void> {
    while (!this.#stopping) {
      if (this.#wantFull !== undefined) {
        const reason = this.#wantFull;
        this.#wantFull = undefined;
        this.#wantMounts.clear();
        await this.#pass(reason, undefined);
      } else if (this.#wantMounts.size > 0) {
        const mounts = [...this.#wantMounts.values()];
        this.#wantMounts.clear();
        await this.#pass("marked mounts", mounts);
      } else return;
    }
  }

  async #pass(reason: string, mounts: MountRef[] | undefined): Promise<void> {
    const { scheduler, ring } = this.#parts!;
    const started = performance.now();
    this.#options.log.debug("reconcile pass started", { reason, mounts: mounts?.length });
    const pass = new OnePass(
      {
        ...this.#options,
        scheduler,
        ring,
        pruned: this.#prune,
        stopping: () => this.#stopping || !this.#active(),
        pace: pacingFor(reason, this.#options.maxRate),
      },
      mounts,
    );
    this.#current = pass;
    this.#status.running = true;
    const scope = mounts === undefined ? "full" : mounts.map((m) => m.namespace + m.mount).join(",");
    const progress = reportProgress(() => pass.tally.counts, {
      log: this.#options.log,
      fields: { reason, scope },
      logEveryMs: this.#options.progressEveryMs,
    });
    const failure = await pass.run().finally(() => progress.stop());
    this.#current = undefined;
    this.#status.running = false;
    this.#report(pass, reason, failure, performance.now() - started);
  }

  #active(): boolean {
    return this.#options.isActive?.() ?? true;
  }

  /** Periodic upkeep while a pass waits on the ring: keys the scheduler let go are counted off. */
  sweep(): void {
    this.#current?.sweep();
  }

  #report(pass: OnePass, reason: string, failure: string | undefined, ms: number) {
    const { log } = this.#options;
    const { tally, mounts } = pass;
    this.#status.passes++;
    const fields = {
      reason,
      scope: mounts === undefined ? "full" : mounts.map((m) => m.namespace + m.mount).join(","),
      keys: tally.walked,
      changed: tally.changed,
      unresolved: tally.unresolved,
      notRun: tally.notRun + tally.pending.size,
      ms: Math.round(ms),
    };
    if (failure !== undefined) {
      log.warn("reconcile pass did not finish", { ...fields, error: failure });
      return;
    }
    if (this.#stopping) {
      log.info("reconcile pass cut short by stopping; the next start's pass covers it", fields);
      return;
    }
    if (!this.#active()) {
      log.info("reconcile pass cut short: the source node is now a standby", fields);
      return;
    }
    log.info("reconcile pass finished", fields);
    if (mounts !== undefined) return;
    this.#status.driftKeys = { ...tally.drift };
    this.#status.unresolvedKeys = { ...tally.left };
    if (tally.clean) this.#status.lastSuccess = Date.now();
  }
}

/**
 * The agent's passes, with clients of their own built from the agent's settings but using the
 * agent's token sources (`tokens`: the source's first, then each destination's), so a pass never
 * logs in on its own.
 */
export function agentPassesFor(options: {
  settings: PassSettings;
  managed: ManagedKeys;
  progressEveryMs?: number;
  /** audit.max_rate: the pace of passes the audit stream caused. */
  maxRate: number;
  vaults: AgentVaults;
  tokens: readonly TokenSource[];
  log: Logger;
  isActive?: () => boolean;
}): AgentPasses {
  const { settings: pass, vaults, tokens } = options;
  return new AgentPasses({
    source: createVaultClient(vaults.source, { tokens: tokens[0] }),
    destinations: vaults.destinations.map((settings, i) =>
      createVaultClient(settings, { tokens: tokens[i + 1] }),
    ),
    namespaces: pass.namespaces,
    scope: pass.scope,
    prune: pass.prune,
    managed: options.managed,
    createMounts: pass.createMounts,
    map: pass.map,
    maxRate: options.maxRate,
    log: options.log,
    isActive: options.isActive,
    progressEveryMs: options.progressEveryMs,
  });
}
