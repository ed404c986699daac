// The one-shot commands' passes: `courier sync` (one full pass through the sync path, or with
// --dry-run its plan, line by line), and what `courier diff` and `courier replay` share with it:
// clients for the source and every destination on this thread, the walk of every key in scope,
// and keys worked on side by side with results handed on in walk order. Keys run here, syncKey
// over the clients: sending each to a pool of sync workers instead (as the agent does) measured
// no faster (scripts/bench/reconcile.ts: the work waits on Vault, not on the CPU), and this way
// there are no workers to start and a pruned key can run with deletes on.

import type { Config } from "../config/schema.ts";
import { messageOf } from "../errors.ts";
import type { Logger } from "../observe/logger.ts";
import { type PassCounts, passCounts } from "../observe/progress.ts";
import { ManagedKeys } from "../sync/managed.ts";
import type { SyncResult } from "../sync/outcome.ts";
import type { SyncOptions } from "../sync/sync.ts";
import { syncKey } from "../sync/sync.ts";
import { describeKey, keyId } from "../sync-key.ts";
import { createVaultClient, type VaultClient } from "../vault/client.ts";
import { vaultSettingsFrom } from "../vault/settings.ts";
import { HeapBound } from "./heap-bound.ts";
import { extraNamespaces, prunedBy, pruneNamespaces } from "./namespace-prune.ts";
import { type Change, type KeyPlan, planKey } from "./plan-changes.ts";
import {
  checkGlobsReach,
  namespacesInScope,
  type PassSettings,
  passSettingsFrom,
  passTargets,
  type WalkedKey,
  type WalkOptions,
  walkKeys,
} from "./walk.ts";

/** The configuration's pass settings, with a client for the source and each destination. */
export interface PassSetup extends PassSettings {
  source: VaultClient;
  destinations: VaultClient[];
  /** The keys Courier manages on each destination (sync.prune=managed). */
  managed: ManagedKeys;
  close(): void;
}

/** Pass settings and clients; the managed keys are kept in memory only (checkedPassSetup loads them). */
export function passSetup(config: Config): PassSetup {
  const vaults = vaultSettingsFrom(config);
  const source = createVaultClient(vaults.source);
  const destinations = vaults.destinations.map((settings) => createVaultClient(settings));
  return {
    ...passSettingsFrom(config),
    source,
    destinations,
    managed: ManagedKeys.inMemory(destinations.map((d) => d.address)),
    close() {
      for (const client of [source, ...destinations]) client.close();
    },
  };
}

/**
 * passSetup, once the scope's globs are known to match something in the source's mounts in
 * scope (checkGlobsReach): a command refuses a glob that can match nothing before it walks.
 */
export async function checkedPassSetup(config: Config, log?: Logger): Promise<PassSetup> {
  const setup = passSetup(config);
  try {
    const namespaces = () => namespacesInScope(setup.source, setup.namespaces, setup.scope);
    await checkGlobsReach(setup.scopeSettings, namespaces, async (namespace) =>
      (await setup.source.mounts.table(namespace)).values(),
    );
    setup.managed = await ManagedKeys.open(
      setup.stateDir,
      setup.destinations.map((d) => d.address),
      (message) => log?.warn(message),
    );
    return setup;
  } catch (error) {
    setup.close();
    throw error;
  }
}

/**
 * Every key in scope, streamed. `walkDestinations` also lists the destinations' copies of each
 * mount, so keys only a destination holds come out too (marked onSource: false).
 */
export async function* passKeys(
  setup: PassSetup,
  walkDestinations: boolean,
  onDestinationError: WalkOptions["onDestinationError"],
): AsyncGenerator<WalkedKey> {
  const targets = await passTargets(setup.source, setup.namespaces, setup.scope);
  yield* walkKeys(setup.source, targets, {
    map: setup.map,
    scope: setup.scope,
    destinations: walkDestinations ? setup.destinations : [],
    onDestinationError,
  });
}

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
  /** Kept up to date as the pass goes, for a progress reporter to read. */
  counts?: PassCounts;
  /** Read every key's data, trusting no recorded verification (--deep); new ones are still kept. */
  deep?: boolean;
  /** Where each dry-run line goes (stdout, one JSON object a line). */
  print: (line: string) => void;
}

export async function runSyncPass(setup: PassSetup, options: SyncPassOptions): Promise<SyncPassSummary> {
  const summary = emptySummary();
  const keys = passKeys(setup, setup.prune !== "off", (destination, where, error) => {
    summary.failed++;
    options.log.warn("could not list a destination; keys only it holds there stay", {
      destination,
      where: describeKey(where),
      error: messageOf(error),
    });
  });
  await syncWalked(setup, prunable(keys, setup), options, summary);
  if (setup.prune === "off") return summary;
  const context = { ...setup, roots: setup.namespaces };
  if (options.dryRun) {
    const cannotTell = (destination: VaultClient, error: unknown) => {
      summary.failed++;
      options.log.warn("cannot tell which namespaces the source no longer has", {
        destination: destination.address,
        error: messageOf(error),
      });
    };
    for await (const { destination, extra } of extraNamespaces(context, cannotTell)) {
      if (!prunedBy(extra, setup.prune)) continue;
      const line = { destination: destination.address, action: "delete-namespace", namespace: extra.at };
      options.print(JSON.stringify(line));
      summary.changes++;
      summary.changed++;
    }
    return summary;
  }
  const gone = await pruneNamespaces({ ...context, log: options.log });
  summary.changes += gone.deleted;
  summary.changed += gone.deleted;
  summary.failed += gone.failed;
  return summary;
}

/**
 * The walk without the extras no pass would delete: with sync.prune=managed, a key only a
 * destination holds is another writer's unless Courier put it there, and is not even read.
 */
export async function* prunable(keys: AsyncIterable<WalkedKey>, setup: Pick<PassSetup, "prune" | "managed">) {
  for await (const walked of keys) {
    if (!walked.onSource && setup.prune === "managed" && !setup.managed.anywhere(keyId(walked.key))) continue;
    yield walked;
  }
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
  const counts = options.counts ?? passCounts();
  const heap = new HeapBound();
  keys = countWalked(keys, counts);
  const addresses = setup.destinations.map((d) => d.address);
  const syncOptions = (walked: WalkedKey): SyncOptions => ({
    // A key the source does not list is only on a destination: pruning deletes it there.
    deletes: setup.deletes || (setup.prune !== "off" && !walked.onSource),
    createMounts: setup.createMounts,
    map: setup.map,
    sourceMount: walked.sourceMount,
    prune: setup.prune,
    managed: setup.managed.managedOn(keyId(walked.key), addresses),
    verified: options.deep ? {} : setup.managed.verifiedOn(keyId(walked.key), addresses),
  });
  if (options.dryRun) {
    const printer = changePrinter(options.print);
    summary.keys = await runOrdered(
      keys,
      setup.concurrency,
      (walked) => planKey(walked.key, setup.source, setup.destinations, syncOptions(walked)),
      (plan, walked) => {
        countPlan(summary, plan, walked, log, printer);
        heap.tick();
        counts.done++;
        counts.errors = summary.failed;
      },
    );
  } else {
    summary.keys = await runOrdered(
      keys,
      setup.concurrency,
      (walked) => syncKey(walked.key, setup.source, [...setup.destinations], syncOptions(walked)),
      (result, walked) => {
        countResult(summary, result, walked, log);
        heap.tick();
        counts.done++;
        counts.errors = summary.failed;
        const id = keyId(walked.key);
        for (const outcome of result.destinations) {
          setup.managed.note(outcome.destination, id, outcome.managed, outcome.verified);
        }
      },
    );
    await setup.managed.flush();
  }
  summary.ms = Math.round(performance.now() - started);
  return summary;
}

/** The stream as it was, counting each key into `counts.walked` and marking its end. */
export async function* countWalked<T>(keys: AsyncIterable<T>, counts: PassCounts): AsyncGenerator<T> {
  for await (const key of keys) {
    counts.walked++;
    yield key;
  }
  counts.walkEnded = true;
}

function emptySummary(): SyncPassSummary {
  return { keys: 0, changed: 0, changes: 0, skipped: 0, failed: 0, ms: 0 };
}

/** Prints changes as JSON lines; a namespace or mount to create is printed once, before its first key. */
function changePrinter(print: (line: string) => void) {
  const mounts = new Set<string>();
  return (change: Change) => {
    if (change.action === "create-mount" || change.action === "create-namespace") {
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

/**
 * Work on a stream of items, a bounded number at once, with the results handed on in the items'
 * order: a pass runs keys side by side yet prints its lines in walk order, the same every run.
 * Runs `work` on each item, at most `limit` at once, and calls `emit` in item order. Results that
 * finish early wait for the slower ones before them; at most 2×limit items are started ahead of
 * the oldest unfinished one, so memory stays bounded whatever the stream's length.
 * runOrdered(["a","b"], 8, async (x) => x.toUpperCase(), print) → prints "A" then "B"; answers 2
 * `work` must not throw: it answers its failure as a result (if it throws, so does runOrdered).
 */
export async function runOrdered<T, R>(
  items: AsyncIterable<T> | Iterable<T>,
  limit: number,
  work: (item: T) => Promise<R>,
  emit: (result: R, item: T) => void,
): Promise<number> {
  const window = Math.max(1, limit) * 2;
  const finished = new Map<number, { item: T; result: R }>();
  let running = 0;
  let started = 0;
  let emitted = 0;
  let failure: { error: unknown } | undefined;
  // One waiter woken by whichever run ends, not a Promise.race over every run for every item:
  // a race leaves a reaction on each running promise, limit² of them alive and limit made per key.
  let wake: (() => void) | undefined;
  const oneEnds = () =>
    new Promise<void>((resolve) => {
      wake = resolve;
    });
  const flush = () => {
    for (let next = finished.get(emitted); next !== undefined; next = finished.get(emitted)) {
      finished.delete(emitted++);
      emit(next.result, next.item);
    }
  };
  const start = (item: T, seq: number) => {
    running++;
    work(item)
      .then((result) => {
        finished.set(seq, { item, result });
        flush();
      })
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => {
        running--;
        const waiter = wake;
        wake = undefined;
        waiter?.();
      });
  };
  for await (const item of items) {
    while (running > 0 && (running >= limit || started - emitted >= window)) await oneEnds();
    if (failure) throw failure.error;
    start(item, started++);
  }
  while (running > 0) await oneEnds();
  if (failure) throw failure.error;
  return started;
}
