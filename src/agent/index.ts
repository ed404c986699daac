// The agent: audit listener → parse/classify → dedup ring → scheduler → sync workers → destinations.
// This file only assembles the parts and takes them apart again; each part lives in its own file.

import { availableParallelism } from "node:os";
import { createIngestCounters, type IngestCounters } from "../audit/counters.ts";
import { LOOPBACK_CIDRS } from "../audit/listeners/allowlist.ts";
import { listenForAudit } from "../audit/listeners/listen.ts";
import type { AuditListener } from "../audit/listeners/types.ts";
import { InMemoryMountTable } from "../audit/mount-table.ts";
import type { Config } from "../config/schema.ts";
import { DedupRing } from "../dispatch/ring.ts";
import { Scheduler } from "../dispatch/scheduler.ts";
import type { Task } from "../dispatch/task.ts";
import { CourierError } from "../errors.ts";
import type { Logger } from "../observe/logger.ts";
import { startObserver } from "../observe/observer.ts";
import { agentPassesFor, type ReconcileStatus } from "../reconcile/agent-passes.ts";
import { scopeFrom, scopeSettings } from "../reconcile/pass-setup.ts";
import { checkGlobsReach, passNamespaces } from "../reconcile/pass-targets.ts";
import type { SyncResult } from "../sync/outcome.ts";
import type { ManagedToken } from "../vault/auth.ts";
import type { VaultConnection, VaultSettings } from "../vault/client.ts";
import { createVaultClient, type VaultClient } from "../vault/client.ts";
import { createSyncPool, type SyncPool } from "../workers/sync-pool.ts";
import { poolExecutor } from "./executor.ts";
import { createLineHandler } from "./line-handler.ts";
import { MountRefresher } from "./mount-refresher.ts";
import { logSync } from "./sync-log.ts";
import { logTokenEvents } from "./token-log.ts";
import { vaultSettingsFrom } from "./vault-settings.ts";

/** Syncs each worker thread runs at once: they wait on the network, not the CPU. */
const TASKS_PER_WORKER = 32;
/** How long stop() lets in-flight syncs finish before it gives up on them. */
const STOP_GRACE_MS = 10_000;

export interface RunningAgent {
  readonly listener: AuditListener;
  readonly counters: IngestCounters;
  readonly scheduler: Scheduler;
  /** Reconciliation passes: when the last full one succeeded, and the drift it found. */
  readonly reconcile: ReconcileStatus;
  /** The sync worker threads (fault tests end one with killWorker, as a crash would). */
  readonly workers: SyncPool;
  stop(): Promise<void>;
}

export async function startAgent(config: Config, log: Logger): Promise<RunningAgent> {
  const vaults = vaultSettingsFrom(config);
  if (vaults.destinations.length === 0) {
    throw new CourierError("CONFIG_INVALID", "no destination Vault: set vault.destinations.addresses");
  }
  for (const address of vaults.skipVerify) {
    log.warn("TLS certificate verification is OFF for this Vault: anyone in the path can read its traffic", {
      vault: address,
    });
  }

  // One client, and so one token source, per Vault on this thread: the passes and the sync
  // workers use these tokens and never log in or renew themselves. Failed logins back off as
  // failed syncs do.
  const tokenOptions = {
    backoff: { initialMs: config.retry.initial, maxMs: config.retry.max, factor: 2, jitter: 0.5 },
    onEvent: logTokenEvents(log),
  };
  const [source, ...destinationClients] = [vaults.source, ...vaults.destinations].map((settings) =>
    createVaultClient(settings, tokenOptions),
  ) as [VaultClient, ...VaultClient[]];
  const tokens = [source, ...destinationClients].map((client) => client.tokens as ManagedToken);
  for (const managed of tokens) managed.onChange((token) => log.addSecret(token));
  const stopRenewing = tokens.map((managed) => managed.keepFresh());
  // First, so a taken http.address fails before anything starts and /healthz answers during start-up.
  const observer = startObserver({
    address: config.http.address,
    sourceHealth: () => source.health(),
    destinations: vaults.destinations.map((d) => d.address),
    log,
  });
  const closeVaults = () => {
    for (const stop of stopRenewing) stop();
    for (const client of [source, ...destinationClients]) client.close();
  };
  const table = new InMemoryMountTable();
  const counters = createIngestCounters();
  const scope = scopeFrom(config);

  const ring = new DedupRing({
    capacity: config.worker.queue_size,
    onMountMarked: (mount, reason) =>
      log.warn("mount marked for a full pass: hints were not queued", {
        mount: mount.namespace + mount.mount,
        reason,
      }),
  });
  const threads = Math.max(1, config.worker.concurrency || availableParallelism());
  const pool = createSyncPool(
    threads,
    {
      source: connectionOf(vaults.source),
      destinations: vaults.destinations.map(connectionOf),
      deletes: config.sync.deletes,
      createMounts: config.sync.create_mounts,
    },
    tokens,
    (crash) => log.warn("sync worker died; replaced, its syncs run again", crash),
  );
  const passes = agentPassesFor(config, vaults, log, tokens);
  const onSync = (task: Task, result: SyncResult, ms: number) => {
    logSync(log, task, result, ms);
    observer.recordSync(task, result, ms);
    passes.observe(task, result);
  };
  const scheduler = new Scheduler({
    ring,
    concurrency: threads * TASKS_PER_WORKER,
    destinations: vaults.destinations.map((d) => d.address),
    execute: passes.execute(
      poolExecutor(pool, onSync, (key) =>
        key.kind === "kv" ? table.at(key.namespace, key.mount) : undefined,
      ),
      onSync,
    ),
    backoff: { initialMs: config.retry.initial, maxMs: config.retry.max, factor: 2, jitter: 1 },
    rateLimit:
      config.audit.max_rate > 0
        ? { perSecond: config.audit.max_rate, burst: config.audit.max_rate }
        : undefined,
  });

  const context = { mounts: table, scope, counters, maxLineChars: config.audit.max_line_bytes };
  let refresher: MountRefresher | undefined;
  const onLine = createLineHandler(context, scheduler, (namespace, line) =>
    refresher?.request(namespace, line),
  );
  refresher = new MountRefresher(source, table, log, (line) => onLine.again(line));

  try {
    await refresher.load("");
    observer.mountTableLoaded();
  } catch (error) {
    await pool.stop();
    await observer.stop();
    closeVaults();
    throw new CourierError(
      "VAULT_UNREACHABLE",
      `cannot read the source Vault's mount table at ${vaults.source.address}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  // Before listening: a glob that can match no mount would otherwise sync nothing, silently.
  await checkGlobsReach(scopeSettings(config), passNamespaces(config.vault.source.namespace), async (ns) => {
    if (!table.has(ns)) await refresher.load(ns);
    return table.mounts(ns);
  }).catch(async (error: unknown) => {
    await pool.stop();
    await observer.stop();
    throw error;
  });

  const listener = await listenForAudit(config.vault.audit_address, {
    onLine: onLine.first,
    counters,
    allow: config.vault.audit_allow.length > 0 ? config.vault.audit_allow : LOOPBACK_CIDRS,
    prefix: config.audit.prefix || undefined,
    maxLineBytes: config.audit.max_line_bytes,
    receiveBufferBytes: config.audit.udp_receive_buffer,
    stateDir: config.state.dir,
    onWarning: (message) => log.warn(message),
    onError: (error) => log.error("an audit line could not be handled", { error: String(error) }),
  }).catch(async (error: unknown) => {
    await pool.stop();
    await observer.stop();
    closeVaults();
    throw error;
  });
  observer.listening({
    counters,
    scheduler,
    listener,
    reconcile: () => ({ lastSuccessMs: passes.status.lastSuccess, drift: passes.status.driftKeys }),
  });
  log.info("listening for audit entries", {
    address: listener.address,
    destinations: vaults.destinations.length,
  });
  passes.start({ scheduler, ring, listener, counters, intervalMs: config.sync.interval });

  return {
    listener,
    counters,
    scheduler,
    reconcile: passes.status,
    workers: pool,
    async stop() {
      observer.stopping();
      await listener.close();
      const passesStopped = passes.stop();
      const left = await scheduler.stop(STOP_GRACE_MS);
      await passesStopped;
      await refresher.settled();
      await pool.stop();
      await observer.stop();
      closeVaults();
      const unfinished = left.pending.length + left.inFlight.length + left.retries.length;
      if (unfinished > 0) {
        log.warn("stopped with syncs unfinished; the next start's full pass covers them", {
          pending: left.pending.length,
          inFlight: left.inFlight.length,
          retrying: left.retries.length,
        });
      }
    },
  };
}

/** A Vault's settings without its credentials: what a sync worker is sent. */
function connectionOf({ auth: _auth, ...connection }: VaultSettings): VaultConnection {
  return connection;
}
