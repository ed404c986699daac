// One pass inside the agent: walk the source (and, pruning, the destinations), offer each key to
// the scheduler at "reconcile" priority once the ring has room for it, then wait until every key
// offered has come back. Its tally says what the pass found.

import type { CompiledScope } from "../audit/scope.ts";
import type { DedupRing, MountRef } from "../dispatch/ring.ts";
import type { Scheduler } from "../dispatch/scheduler.ts";
import type { Logger } from "../observe/logger.ts";
import type { SyncResult } from "../sync/outcome.ts";
import type { VaultClient } from "../vault/client.ts";
import type { Pace } from "./pass-pacing.ts";
import { PassTally } from "./pass-tally.ts";
import { passTargets } from "./pass-targets.ts";
import type { PruneRunner } from "./prune-runner.ts";
import { walkKeys } from "./walk-keys.ts";

export interface PassContext {
  scheduler: Scheduler;
  ring: DedupRing;
  source: VaultClient;
  destinations: VaultClient[];
  namespaces: string[];
  scope: CompiledScope;
  prune: boolean;
  pruned: PruneRunner;
  log: Logger;
  stopping(): boolean;
  /** Waits before each key is offered, for passes the audit stream caused (pass-pacing.ts). */
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
    const { scheduler, source, scope, prune, pruned, stopping } = this.context;
    try {
      const targets = await passTargets(source, this.context.namespaces, scope, this.mounts);
      const keys = walkKeys(source, targets, {
        scope,
        destinations: prune ? this.context.destinations : [],
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
        // Live hints keep the ring's reserve; a pass only ever takes the room left.
        await scheduler.whenRoom("reconcile");
        await this.context.pace?.();
        if (stopping()) break;
        const id = this.tally.add(walked.key);
        if (prune && !walked.onSource) pruned.add(id);
        const offered = scheduler.offer(walked.key, "reconcile");
        if (offered === "overflow" || offered === "stopped") this.#let([id]);
      }
      while (this.tally.pending.size > 0 && !stopping()) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          setTimeout(resolve, SETTLE_CHECK_MS);
        });
        this.sweep();
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

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
