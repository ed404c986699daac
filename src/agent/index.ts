// The agent: audit listener → parse/classify → dedup ring → scheduler → sync workers → destinations.
// This file assembles the parts and takes them apart again, and holds the two joints between
// them: what happens to one audit line (parse, classify, hand a hint to the scheduler), and the
// scheduler's executor (a task goes to a sync worker, or to the passes for a pruned key, and the
// worker's answer comes back in the scheduler's terms).

import { classify, type IngestContext, ingestLine } from "../audit/classify.ts";
import { createIngestCounters, type IngestCounters } from "../audit/counters.ts";
import { listenForAudit } from "../audit/listeners/listen.ts";
import type { AuditListener } from "../audit/listeners/listener.ts";
import { InMemoryMountTable } from "../audit/mount-table.ts";
import { parseAuditLine } from "../audit/parse.ts";
import { LOOPBACK_CIDRS } from "../config/addresses.ts";
import type { Config } from "../config/schema.ts";
import { DedupRing } from "../dispatch/ring.ts";
import type { Execute, Task } from "../dispatch/scheduler.ts";
import { Scheduler } from "../dispatch/scheduler.ts";
import { CourierError, messageOf } from "../errors.ts";
import type { Logger } from "../observe/logger.ts";
import { startObserver } from "../observe/metrics.ts";
import { type AgentPasses, agentPassesFor, type ReconcileStatus } from "../reconcile/agent-passes.ts";
import { checkGlobsReach, namespacesInScope, passSettingsFrom } from "../reconcile/walk.ts";
import { ManagedKeys } from "../sync/managed.ts";
import type { SyncResult } from "../sync/outcome.ts";
import { keyId, type SyncKey } from "../sync-key.ts";
import type { ManagedToken } from "../vault/auth.ts";
import type { VaultConnection, VaultSettings } from "../vault/client.ts";
import { createVaultClient, type VaultClient } from "../vault/client.ts";
import { vaultSettingsFrom } from "../vault/settings.ts";
import { createSyncPool, type SyncPool, WORKER_IDLE_MS } from "../workers/pool.ts";
import { FlapWatch } from "./flap-watch.ts";
import { LiveReads } from "./live-reads.ts";
import { MountRefresher } from "./mount-refresher.ts";
import { releaseMemory } from "./release-memory.ts";
import { type RoleChange, SourceRole } from "./source-role.ts";
import { logSync, logTokenEvents } from "./sync-log.ts";

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
  /** Whether the source node is its cluster's active node (only then does this Courier sync). */
  readonly role: SourceRole;
  stop(): Promise<void>;
}

/** What the configuration does not say, for tests that cannot wait on production timings. */
export interface AgentTuning {
  /** How often a long pass logs its progress; 10 s by default. */
  progressEveryMs?: number;
  /** How long a sync worker waits without work before it ends; 30 s by default (WORKER_IDLE_MS). */
  workerIdleMs?: number;
}

export async function startAgent(
  config: Config,
  log: Logger,
  tuning: AgentTuning = {},
): Promise<RunningAgent> {
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
  let passesRef: AgentPasses | undefined;
  const role = new SourceRole({
    source,
    log,
    onChange: (change) => roleChanged(change, log, passesRef),
  });
  // First, so a taken http.address fails before anything starts and /healthz answers during start-up.
  const observer = startObserver({
    address: config.http.address,
    sourceHealth: () => source.health(),
    sourceActive: () => role.active,
    destinations: vaults.destinations.map((d) => d.address),
    log,
  });
  const closeVaults = () => {
    for (const stop of stopRenewing) stop();
    for (const client of [source, ...destinationClients]) client.close();
  };
  const table = new InMemoryMountTable();
  const counters = createIngestCounters();
  const settings = passSettingsFrom(config);
  // Read before anything syncs: a hint for a key the source lacks asks it whose the key is.
  const managed = await ManagedKeys.open(
    settings.stateDir,
    vaults.destinations.map((d) => d.address),
    (message) => log.warn(message),
  );

  // Nothing has run for a while: hand back the heap's free pages and the executable's idle code.
  const goQuiet = () => {
    const { rssBefore, rssAfter, pagedOut } = releaseMemory();
    log.debug("idle: memory released", {
      rssBeforeMiB: mib(rssBefore),
      rssAfterMiB: mib(rssAfter),
      pagedOutMiB: mib(pagedOut),
    });
  };

  const ring = new DedupRing({
    capacity: config.worker.queue_size,
    onMountMarked: (mount, reason) =>
      log.warn("mount marked for a full pass: hints were not queued", {
        mount: mount.namespace + mount.mount,
        reason,
      }),
  });
  const pool = createSyncPool(
    settings.threads,
    {
      source: connectionOf(vaults.source),
      destinations: vaults.destinations.map(connectionOf),
      deletes: settings.deletes,
      createMounts: settings.createMounts,
      map: settings.map,
      prune: settings.prune,
    },
    tokens,
    {
      onCrash: (crash) => log.warn("sync worker died; its syncs run again", crash),
      idleMs: tuning.workerIdleMs,
      onIdle: goQuiet,
    },
  );
  const passes = agentPassesFor({
    settings,
    managed,
    maxRate: config.audit.max_rate,
    vaults,
    tokens,
    log,
    isActive: () => role.active,
    progressEveryMs: tuning.progressEveryMs,
  });
  passesRef = passes;
  const flaps = new FlapWatch();
  const onSync = (task: Task, result: SyncResult, ms: number) => {
    const id = keyId(task.key);
    for (const outcome of result.destinations) {
      managed.note(outcome.destination, id, outcome.managed, outcome.verified);
    }
    logSync(log, task, result, ms);
    for (const flap of flaps.note(task.key, result)) {
      log.warn(
        "a key keeps being rewritten on a destination: is another Courier copying that destination back to this source?",
        { ...flap },
      );
    }
    observer.recordSync(task, result, ms);
    passes.observe(task, result);
  };
  // Bounded like the ring: a hint beyond it only costs its key a metadata read.
  const liveReads = new LiveReads(
    config.worker.queue_size,
    new Set(vaults.destinations.map((d) => d.address)).size,
  );
  const scheduler = new Scheduler({
    ring,
    concurrency: settings.concurrency,
    destinations: vaults.destinations.map((d) => d.address),
    execute: syncExecutor(pool, passes, table, role, managed, liveReads, onSync),
    onOffer: (key, priority) => {
      if (priority === "reconcile" && key.kind === "kv") liveReads.pass(keyId(key));
    },
    backoff: { initialMs: config.retry.initial, maxMs: config.retry.max, factor: 2, jitter: 1 },
    rateLimit:
      config.audit.max_rate > 0
        ? { perSecond: config.audit.max_rate, burst: config.audit.max_rate }
        : undefined,
  });

  const context = {
    mounts: table,
    scope: settings.scope,
    counters,
    maxLineChars: config.audit.max_line_bytes,
  };
  let refresher: MountRefresher | undefined;
  const onLine = createLineHandler(
    context,
    scheduler,
    role,
    (namespace, line) => refresher?.request(namespace, line),
    liveReads,
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
      `cannot read the source Vault's mount table at ${vaults.source.address}: ${messageOf(error)}`,
      { cause: error },
    );
  }
  // Before listening: a glob that can match no mount would otherwise sync nothing, silently.
  const namespaces = () => namespacesInScope(source, settings.namespaces, settings.scope);
  await checkGlobsReach(settings.scopeSettings, namespaces, async (ns) => {
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
    flaps: () => flaps.flaps,
    workers: () => pool.workers,
  });
  const firstRole = await role.start();
  log.info("listening for audit entries", {
    address: listener.address,
    destinations: vaults.destinations.length,
    role: firstRole,
  });
  if (firstRole === "standby") {
    log.info("the source node is a standby: syncing waits until it becomes active", {
      source: vaults.source.address,
    });
  }
  passes.start({ scheduler, ring, listener, counters, intervalMs: config.sync.interval });
  // A start-up that needed no worker never hears of one going idle: give back memory once anyway.
  const settled = setTimeout(() => {
    if (pool.workers === 0 && scheduler.stats().inFlight === 0) goQuiet();
  }, tuning.workerIdleMs ?? WORKER_IDLE_MS);
  settled.unref?.();

  return {
    listener,
    counters,
    scheduler,
    reconcile: passes.status,
    workers: pool,
    role,
    async stop() {
      clearTimeout(settled);
      observer.stopping();
      await role.stop();
      await listener.close();
      const passesStopped = passes.stop();
      const left = await scheduler.stop(STOP_GRACE_MS);
      await passesStopped;
      await refresher.settled();
      await pool.stop();
      await observer.stop();
      closeVaults();
      await managed.flush();
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

function mib(bytes: number): number {
  return Math.round(bytes / 2 ** 20);
}

/** A Vault's settings without its credentials: what a sync worker is sent. */
function connectionOf({ auth: _auth, ...connection }: VaultSettings): VaultConnection {
  return connection;
}

interface LineHandler {
  /** A line as read from the audit stream. */
  first(line: string): void;
  /** A line that waited for a mount-table refresh; it was counted the first time. */
  again(line: string): void;
}

/**
 * What happens to one audit line: parse, classify, and hand a hint to the scheduler. Synchronous
 * and memory-only, as rule 3 asks: the listener calls it for every line it reads.
 */
function createLineHandler(
  context: IngestContext,
  scheduler: Scheduler,
  role: SourceRole,
  refreshMounts: (namespace: string, line?: string) => void,
  liveReads: LiveReads,
): LineHandler {
  const offer = ({ key, dataPath }: { key: SyncKey; dataPath?: true }) => {
    if (key.kind === "kv") liveReads.hint(keyId(key), dataPath === true);
    scheduler.offer(key, "live");
  };
  return {
    first(line) {
      // A standby's entries are the active node's too (it audits forwarded writes): its Courier syncs them.
      if (!role.active) return role.dropHint();
      const result = ingestLine(line, context);
      if (result === undefined) return;
      if (result.action === "sync") offer(result);
      else if (result.action === "refresh-mounts") refreshMounts(result.namespace);
      else if (result.action === "unknown-mount") refreshMounts(result.namespace, line);
    },
    again(line) {
      const parsed = parseAuditLine(line, context.maxLineChars);
      if (!parsed.ok) return;
      const result = classify(parsed.entry, context.mounts, context.scope);
      if (result.action === "sync") {
        context.counters.accepted++;
        offer(result);
      } else if (result.action === "ignore") {
        context.counters.ignored[result.reason]++;
      } else {
        context.counters.ignored.unknown_mount++;
      }
    },
  };
}

/**
 * The scheduler's executor: a task goes to a sync worker (or, for a key a pass is pruning, to the
 * passes, which run it on this thread with deletes on); its answer goes back to the scheduler as
 * it came. `onResult` sees it too, for logs, metrics and the passes' tally.
 */
function syncExecutor(
  pool: SyncPool,
  passes: AgentPasses,
  mounts: InMemoryMountTable,
  role: SourceRole,
  managed: ManagedKeys,
  liveReads: LiveReads,
  onResult: (task: Task, result: SyncResult, ms: number) => void,
): Execute {
  return async (task) => {
    const started = performance.now();
    const { key, destinations } = task;
    // Queued before the node stepped down: a standby's read may be stale, and the new active
    // node's Courier covers the key with its catch-up pass.
    if (!role.active) return leftToTheActiveNode(destinations);
    // The source mount this thread already knows spares the worker a read of sys/mounts.
    const sourceMount = key.kind === "kv" ? mounts.at(key.namespace, key.mount) : undefined;
    // Where the key is Courier's: only there may a hint for a key the source lacks delete it.
    const id = keyId(key);
    const managedOn = managed.managedOn(id, destinations);
    // Where both sides' metadata is as when last found equal, the worker need not read the data.
    const verified = managed.verifiedOn(id, destinations);
    // Only data-side writes since the key was last synced everywhere: one read of the source answers.
    const reads = liveReads.start(id);
    const result = passes.prunes(key)
      ? await passes.prune(task)
      : await pool.run({
          key: reads.dataOnly ? { ...key, dataOnly: true } : key,
          destinations,
          sourceMount,
          managed: managedOn,
          verified,
        });
    liveReads.settle(id, reads, destinations.length, isClean(result));
    onResult(task, result, performance.now() - started);
    return result;
  };
}

/** Every destination the run covered was brought equal to the source (or left so on purpose). */
function isClean(result: SyncResult): boolean {
  if (result.sourceError) return false;
  return result.destinations.every((d) => d.result !== "failed" && d.result !== "retry");
}

/** A task a standby let go: nothing read, nothing written, nothing to retry. */
function leftToTheActiveNode(destinations: string[]): SyncResult {
  return {
    destinations: destinations.map((destination) => ({
      destination,
      result: "skipped",
      done: [],
      skipped: [],
    })),
  };
}

/** Logs a change of the source's role; on becoming active or a new leader, the catch-up pass. */
function roleChanged(change: RoleChange, log: Logger, passes: AgentPasses | undefined): void {
  if (change === "became standby") {
    log.info("the source node is now a standby: syncing stops; its active node's Courier syncs");
  } else if (change === "became active") {
    log.info("the source node became active: a full pass follows at once");
    passes?.request(change);
  } else {
    log.info("another node leads the source cluster now: a full pass follows at once");
    passes?.request(change);
  }
}
