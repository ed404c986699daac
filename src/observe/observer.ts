// What the agent tells the outside world about itself: the metrics it keeps and, when
// http.address is set, the server for /healthz, /readyz and /metrics. It starts before the agent's
// slow start-up steps, so /healthz answers (and /readyz says what is missing) while they run.

import { buildInfo } from "../cli/build-info.ts";
import type { Task } from "../dispatch/task.ts";
import type { SyncResult } from "../sync/outcome.ts";
import type { VaultReply } from "../vault/http.ts";
import { type HttpServer, serveHttp } from "./http-server.ts";
import type { Logger } from "./logger.ts";
import { type AgentView, CourierMetrics } from "./metrics.ts";
import { checkReadiness, type Milestones, SourceProbe, type SourceProbeOptions } from "./readiness.ts";

export interface ObserverOptions {
  /** host:port to serve on; "" serves nothing (metrics are still kept). */
  address: string;
  /** The source Vault's sys/health. */
  sourceHealth: () => Promise<VaultReply>;
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
  const { version, commit } = buildInfo();
  const metrics = new CourierMetrics({ destinations: options.destinations, build: { version, commit } });
  const milestones: Milestones = { mountTableLoaded: false, listening: false, stopping: false };
  const probe = new SourceProbe(options.sourceHealth, options.probe);
  let server: HttpServer | undefined;
  if (options.address !== "") {
    server = serveHttp(options.address, {
      ready: () => checkReadiness(milestones, probe),
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
