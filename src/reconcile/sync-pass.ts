// `courier sync`: one full pass through the sync path, or with dryRun its plan, line by line.
// Keys run side by side on this thread, syncKey over the clients. Sending each key to a pool of
// sync workers instead (as the agent does) measured no faster (scripts/bench/reconcile.ts: the
// work waits on Vault, not on the CPU), and this way there are no workers to start and a pruned
// key can run with deletes on.

import type { Logger } from "../observe/logger.ts";
import type { SyncResult } from "../sync/outcome.ts";
import { describeKey } from "../sync-key.ts";
import { runOrdered } from "./ordered-pool.ts";
import { type PassSetup, passKeys } from "./pass-setup.ts";
import { type Change, type KeyPlan, planKey } from "./plan-changes.ts";
import { syncWithRetries } from "./sync-again.ts";
import type { WalkedKey } from "./walk-keys.ts";

export interface SyncPassSummary {
  /** Keys walked. */
  keys: number;
  /** Keys where some destination was changed (or, in a dry run, would be). */
  changed: number;
  /** Changes made or planned, one per action per destination. */
  changes: number;
  /** Differences left alone on purpose (sync.deletes off, the default policy), per destination. */
  skipped: number;
  /** Destinations a key could not be synced (or planned) on, or LISTs that failed. */
  failed: number;
  ms: number;
}

export interface SyncPassOptions {
  dryRun: boolean;
  log: Logger;
  /** Where each dry-run line goes (stdout, one JSON object a line). */
  print: (line: string) => void;
}

export async function runSyncPass(setup: PassSetup, options: SyncPassOptions): Promise<SyncPassSummary> {
  const summary = emptySummary();
  const keys = passKeys(setup, setup.prune, (destination, where, error) => {
    summary.failed++;
    options.log.warn("could not list a destination; keys only it holds there stay", {
      destination,
      where: describeKey(where),
      error: error instanceof Error ? error.message : String(error),
    });
  });
  return syncWalked(setup, keys, options, summary);
}

/** Syncs (or plans) each key of a stream through the sync path; replay feeds it too. */
export async function syncWalked(
  setup: PassSetup,
  keys: AsyncIterable<WalkedKey>,
  options: SyncPassOptions,
  summary = emptySummary(),
): Promise<SyncPassSummary> {
  const started = performance.now();
  const { log } = options;
  const syncOptions = (walked: WalkedKey) => ({
    // A key the source does not list is only on a destination: pruning deletes it there.
    deletes: setup.deletes || (setup.prune && !walked.onSource),
    createMounts: setup.createMounts,
    sourceMount: walked.sourceMount,
  });
  if (options.dryRun) {
    const printer = changePrinter(options.print);
    summary.keys = await runOrdered(
      keys,
      setup.concurrency,
      (walked) => planKey(walked.key, setup.source, setup.destinations, syncOptions(walked)),
      (plan, walked) => countPlan(summary, plan, walked, log, printer),
    );
  } else {
    summary.keys = await runOrdered(
      keys,
      setup.concurrency,
      (walked) => syncWithRetries(walked.key, setup.source, setup.destinations, syncOptions(walked)),
      (result, walked) => countResult(summary, result, walked, log),
    );
  }
  summary.ms = Math.round(performance.now() - started);
  return summary;
}

function emptySummary(): SyncPassSummary {
  return { keys: 0, changed: 0, changes: 0, skipped: 0, failed: 0, ms: 0 };
}

/** Prints changes as JSON lines; a mount to create is printed once, before its first key. */
function changePrinter(print: (line: string) => void) {
  const mounts = new Set<string>();
  return (change: Change) => {
    if (change.action === "create-mount") {
      const id = `${change.destination}\u0000${change.namespace}${change.mount}`;
      if (mounts.has(id)) return false;
      mounts.add(id);
    }
    print(JSON.stringify(change));
    return true;
  };
}

function countPlan(
  summary: SyncPassSummary,
  plan: KeyPlan,
  walked: WalkedKey,
  log: Logger,
  printer: (change: Change) => boolean,
): void {
  let printed = 0;
  for (const change of plan.changes) if (printer(change)) printed++;
  summary.changes += printed;
  if (plan.changes.length > 0) summary.changed++;
  summary.skipped += plan.skipped.length;
  summary.failed += plan.errors.length;
  for (const { vault, error } of plan.errors) {
    log.warn("cannot tell what a sync would change", {
      key: describeKey(walked.key),
      vault,
      error: error.message,
    });
  }
}

function countResult(summary: SyncPassSummary, result: SyncResult, walked: WalkedKey, log: Logger) {
  const key = describeKey(walked.key);
  let changed = false;
  for (const outcome of result.destinations) {
    const fields = { key, destination: outcome.destination };
    if (outcome.result === "written" || outcome.result === "deleted") {
      changed = true;
      summary.changes += outcome.done.length;
      log.debug("synced", { ...fields, done: outcome.done.join(",") });
    } else if (outcome.result === "skipped") {
      summary.skipped++;
      log.debug("left different on purpose", { ...fields, why: outcome.skipped.join(",") });
    } else if (outcome.result === "retry" || outcome.result === "failed") {
      summary.failed++;
      // Partial work is worth naming: a mount made before a write failed.
      const done = outcome.done.join(",") || undefined;
      log.warn("sync failed", { ...fields, done, error: outcome.error?.message });
    }
  }
  if (changed) summary.changed++;
}
