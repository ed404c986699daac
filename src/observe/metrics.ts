// Courier's metrics, as /metrics shows them, and the observer the agent drives: it keeps them and,
// when http.address is set, serves /healthz, /readyz and /metrics. The observer starts before the
// agent's slow start-up steps, so /healthz answers (and /readyz says what is missing) while they run.
//
// Sync results are counted as they come back from the workers; everything another part already
// counts (ingest counters, queue gauges, UDP drops, reconciliation) is read at scrape time. Labels
// hold destination addresses (credentials removed) and fixed words only: never a key path, a token
// or a value, which would leak and would let the number of series grow without bound.

import { IGNORE_REASONS } from "../audit/classify.ts";
import type { IngestCounters } from "../audit/counters.ts";
import type { AuditListener } from "../audit/listeners/listener.ts";
import type { UdpListener } from "../audit/listeners/udp.ts";
import { REJECT_REASONS } from "../audit/parse.ts";
import { buildInfo } from "../build-info.ts";
import type { Task } from "../dispatch/scheduler.ts";
import type { SchedulerStats } from "../dispatch/stats.ts";
import type { SyncResult } from "../sync/outcome.ts";
import type { VaultReply } from "../vault/http.ts";
import {
  checkReadiness,
  type HttpServer,
  type Milestones,
  SourceProbe,
  type SourceProbeOptions,
  serveHttp,
} from "./http.ts";
import type { Logger } from "./logger.ts";
import { type Counter, type Gauge, type Histogram, Registry, type Sample } from "./prometheus.ts";

export interface ObserverOptions {
  /** host:port to serve on; "" serves nothing (metrics are still kept). */
  address: string;
  /** The source Vault's sys/health. */
  sourceHealth: () => Promise<VaultReply>;
  /** Whether the source node is its cluster's active node (default: always). */
  sourceActive?: () => boolean;
  /** Destination addresses, as sync outcomes name them. */
  destinations: readonly string[];
  log: Logger;
  probe?: SourceProbeOptions;
}

export interface Observer {
  readonly metrics: CourierMetrics;
  /** Where the server listens ("http://127.0.0.1:9850"), when it does. */
  readonly url: string | undefined;
  /** Counts one sync (the executor's onResult). */
  recordSync(task: Task, result: SyncResult, ms: number): void;
  mountTableLoaded(): void;
  /** The agent listens: scrapes read its numbers, and /readyz may answer 200. */
  listening(view: AgentView): void;
  /** /readyz answers 503 from now on; /healthz and /metrics still answer. */
  stopping(): void;
  /** Closes the server. */
  stop(): Promise<void>;
}

export function startObserver(options: ObserverOptions): Observer {
  const { version, commit, target } = buildInfo();
  const sourceActive = options.sourceActive ?? (() => true);
  const metrics = new CourierMetrics({
    destinations: options.destinations,
    build: { version, commit, target },
    sourceActive,
  });
  const milestones: Milestones = { mountTableLoaded: false, listening: false, stopping: false };
  const probe = new SourceProbe(options.sourceHealth, options.probe);
  let server: HttpServer | undefined;
  if (options.address !== "") {
    server = serveHttp(options.address, {
      ready: () => checkReadiness(milestones, probe, sourceActive),
      metrics: () => metrics.render(),
      onError: (error) => options.log.error("the health and metrics server failed a request", { error }),
    });
    options.log.info("serving /healthz, /readyz and /metrics", { address: server.url });
  }
  return {
    metrics,
    url: server?.url,
    recordSync: (task, result, ms) => metrics.recordSync(task, result, ms),
    mountTableLoaded() {
      milestones.mountTableLoaded = true;
    },
    listening(view) {
      metrics.watch(view);
      milestones.listening = true;
    },
    stopping() {
      milestones.stopping = true;
    },
    async stop() {
      milestones.stopping = true;
      await server?.stop();
    },
  };
}

/** 1 ms … 10 s: a sync is a few Vault round trips; beyond 10 s something is wrong anyway. */
export const SYNC_DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** What reconciliation reports, when the agent runs it. */
export interface ReconcileReport {
  /** When the last full pass ended without an error (ms since the epoch); absent if none has. */
  lastSuccessMs?: number;
  /** Keys found to differ per destination address in the last pass. */
  drift?: Readonly<Record<string, number>>;
}

/** The running agent's parts the scrape reads. */
export interface AgentView {
  counters: IngestCounters;
  scheduler: { stats(): SchedulerStats };
  listener: AuditListener;
  reconcile?: () => ReconcileReport;
  /** Keys found flapping: rewritten on a destination again and again within a short window. */
  flaps?: () => number;
  /** Sync worker threads running now. */
  workers?: () => number;
}

export interface MetricsOptions {
  /** Destination addresses, as outcomes name them. */
  destinations: readonly string[];
  /** The same three `courier version` prints. */
  build: { version: string; commit: string; target: string };
  /** Whether the source node is its cluster's active node (default: always). */
  sourceActive?: () => boolean;
}

export class CourierMetrics {
  readonly registry = new Registry();
  #view: AgentView | undefined;
  readonly #destinations: readonly string[];
  readonly #syncs: Counter;
  readonly #sourceErrors: Counter;
  readonly #duration: Histogram;
  readonly #up: Gauge;
  /** destinationLabel of each address outcomes name: parsing a URL per sync is wasted work. */
  readonly #labels = new Map<string, string>();

  constructor(options: MetricsOptions) {
    this.#destinations = options.destinations;
    const r = this.registry;
    r.collect(
      "courier_build_info",
      "Always 1; the labels say which Courier this is.",
      "gauge",
      ["version", "commit", "target"],
      () => [{ labels: { ...options.build }, value: 1 }],
    );
    const sourceActive = options.sourceActive ?? (() => true);
    r.collect(
      "courier_source_active",
      "1 while the source node is its cluster's active node (or has no HA) and this Courier syncs; 0 while it is a standby and the active node's Courier syncs.",
      "gauge",
      [],
      () => [{ value: sourceActive() ? 1 : 0 }],
    );
    r.collect(
      "courier_audit_entries_total",
      "Audit lines received, by what became of them: accepted (a key to sync), ignored (reason: not Courier's business), rejected (reason: not an entry Vault writes), mount_refresh (the source's mounts changed), disallowed_sender (datagrams or connections from outside the allowlist).",
      "counter",
      ["result", "reason"],
      () => (this.#view ? entrySamples(this.#view.counters) : []),
    );
    r.collect(
      "courier_udp_drops_total",
      "Datagrams the kernel dropped on the UDP audit socket because its receive buffer was full; each loss leads to a full pass.",
      "counter",
      [],
      () => (this.#view ? [{ value: udpDrops(this.#view) }] : []),
    );
    r.collect(
      "courier_audit_connections_closed_total",
      "TCP and unix audit connections that ended, by reason: stalled (half a line, then silence for the idle timeout: closed by Courier), evicted (the quietest one, closed to make room for a new connection at the maximum), refused (no room could be made), by_sender (closed by the sender after delivering entries; a full pass follows).",
      "counter",
      ["reason"],
      () => (this.#view ? connectionSamples(this.#view.counters) : []),
    );
    r.collect(
      "courier_flapping_keys_total",
      "Times a key was rewritten on a destination 10 times within 10 s: something keeps changing it back, such as two Couriers replicating to each other; each is logged with the key.",
      "counter",
      [],
      () => (this.#view ? [{ value: this.#view.flaps?.() ?? 0 }] : []),
    );
    r.collect("courier_queue_depth", "Keys waiting to be synced.", "gauge", [], () =>
      this.#stat((s) => s.queueDepth),
    );
    r.collect("courier_inflight", "Syncs running now.", "gauge", [], () => this.#stat((s) => s.inFlight));
    r.collect(
      "courier_sync_workers",
      "Sync worker threads running now: they start with the first sync that finds none free and end after 30 s without one, so an idle agent holds none.",
      "gauge",
      [],
      () => (this.#view ? [{ value: this.#view.workers?.() ?? 0 }] : []),
    );
    r.collect("courier_retrying_keys", "Keys with a destination waiting to retry.", "gauge", [], () =>
      this.#stat((s) => s.retrying),
    );
    r.collect(
      "courier_queue_overflow_total",
      "Hints not queued because the queue was full; their mount is marked for a full pass instead.",
      "counter",
      [],
      () => this.#stat((s) => s.overflow),
    );
    this.#syncs = r.counter(
      "courier_sync_total",
      "Syncs per destination by result: unchanged, written, deleted, skipped (a difference left alone on purpose), retry (transient failure), failed (needs an operator).",
      ["destination", "result"],
    );
    this.#sourceErrors = r.counter(
      "courier_source_errors_total",
      "Syncs that could not read the source Vault (each is retried; no destination was touched).",
    );
    this.#duration = r.histogram(
      "courier_sync_duration_seconds",
      "Time to sync one key to its destinations: reading the source, comparing and writing.",
      SYNC_DURATION_BUCKETS,
    );
    this.#up = r.gauge(
      "courier_destination_up",
      "1 after a destination's last sync went through, 0 after it failed in a way worth retrying (unreachable, sealed, 5xx, timeout).",
      ["destination"],
    );
    r.collect(
      "courier_reconcile_last_success_timestamp_seconds",
      "When the last full reconciliation pass succeeded (Unix time); 0 if none has yet.",
      "gauge",
      [],
      () => [{ value: (this.#view?.reconcile?.().lastSuccessMs ?? 0) / 1000 }],
    );
    r.collect(
      "courier_drift_keys",
      "Keys the last reconciliation pass found different on each destination.",
      "gauge",
      ["destination"],
      () => this.#driftSamples(),
    );
  }

  /** From now on, scrapes read the agent's counters, queue and listener. */
  watch(view: AgentView): void {
    this.#view = view;
  }

  /** Counts one sync as the worker reported it (the executor's onResult). */
  recordSync(_task: Task, result: SyncResult, ms: number): void {
    this.#duration.observe(ms / 1000);
    if (result.sourceError) {
      // Nothing was decided and no destination was called: it says nothing about them.
      this.#sourceErrors.inc();
      return;
    }
    for (const outcome of result.destinations) {
      const destination = this.#labelOf(outcome.destination);
      this.#syncs.inc({ destination, result: outcome.result });
      if (outcome.result === "retry") this.#up.set({ destination }, 0);
      // A permanent failure (403, 400) came from a destination that answered: leave it as it was.
      else if (outcome.result !== "failed") this.#up.set({ destination }, 1);
    }
  }

  /** The exposition text. */
  render(): string {
    return this.registry.render();
  }

  #labelOf(address: string): string {
    let label = this.#labels.get(address);
    if (label === undefined) {
      label = destinationLabel(address);
      // Outcomes name the configured destinations only; the bound is a guard, not a limit expected.
      if (this.#labels.size < 1_000) this.#labels.set(address, label);
    }
    return label;
  }

  #stat(pick: (stats: SchedulerStats) => number): Sample[] {
    return this.#view ? [{ value: pick(this.#view.scheduler.stats()) }] : [];
  }

  #driftSamples(): Sample[] {
    const drift = this.#view?.reconcile?.().drift ?? {};
    return this.#destinations.map((address) => ({
      labels: { destination: destinationLabel(address) },
      value: drift[address] ?? 0,
    }));
  }
}

/**
 * A destination address fit for a label: userinfo, query and fragment removed.
 * destinationLabel("https://user:pw@vault-b:8200/") → "https://vault-b:8200"
 */
export function destinationLabel(address: string): string {
  try {
    const url = new URL(address);
    return `${url.protocol}//${url.host}${url.pathname}`.replace(/\/+$/, "");
  } catch {
    return address.replace(/^([a-z]+:\/\/)[^@/]*@/i, "$1");
  }
}

/** The ingest counters as samples; accepted and the other reason-less results carry reason="". */
export function entrySamples(counters: IngestCounters): Sample[] {
  const samples: Sample[] = [{ labels: { result: "accepted", reason: "" }, value: counters.accepted }];
  for (const reason of IGNORE_REASONS) {
    samples.push({ labels: { result: "ignored", reason }, value: counters.ignored[reason] });
  }
  for (const reason of REJECT_REASONS) {
    samples.push({ labels: { result: "rejected", reason }, value: counters.rejected[reason] });
  }
  samples.push(
    { labels: { result: "rejected", reason: "oversize" }, value: counters.oversize },
    { labels: { result: "rejected", reason: "truncated" }, value: counters.truncated },
    { labels: { result: "mount_refresh", reason: "" }, value: counters.mountRefreshes },
    { labels: { result: "disallowed_sender", reason: "" }, value: counters.disallowedSender },
  );
  return samples;
}

/** The connections the stream listeners closed, by reason. */
export function connectionSamples(counters: IngestCounters): Sample[] {
  return [
    { labels: { reason: "stalled" }, value: counters.stalledConnections },
    { labels: { reason: "evicted" }, value: counters.evictedConnections },
    { labels: { reason: "refused" }, value: counters.refusedConnections },
    { labels: { reason: "by_sender" }, value: counters.endedBySender },
  ];
}

/** Reads the kernel's count now when the listener is UDP; the counters keep the last one read. */
function udpDrops(view: AgentView): number {
  const listener = view.listener as Partial<UdpListener>;
  if (typeof listener.pollKernelDrops === "function") listener.pollKernelDrops();
  return view.counters.udpKernelDrops;
}
