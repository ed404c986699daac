// A sync worker: builds one client per Vault from the connection settings it is sent, then runs
// syncKey for each task and answers with its SyncResult. Its tokens are the main thread's, relayed
// (token-relay.ts). Its URL is made beside it (createSyncPool in pool.ts), because a compiled
// binary resolves `import.meta.url` against its own root.

import type { PruneMode } from "../sync/managed.ts";
import type { SyncResult } from "../sync/outcome.ts";
import { type SyncOptions, syncKey } from "../sync/sync.ts";
import { createVaultClient, type VaultClient } from "../vault/client.ts";
import { type SyncWorkerInit, type SyncWorkerTask, serveWorker } from "./pool.ts";
import { RelayedToken, type TokenUpdate } from "./token-relay.ts";

let source: VaultClient;
let destinations = new Map<string, VaultClient>();
let tokens: RelayedToken[] = [];
let options: SyncOptions & { prune: PruneMode } = { deletes: true, createMounts: true, prune: "managed" };

serveWorker<SyncWorkerInit, SyncWorkerTask, SyncResult>({
  init(init, ask) {
    tokens = [init.source, ...init.destinations].map((_, vault) => new RelayedToken(vault, ask));
    source = createVaultClient(init.source, { tokens: tokens[0] });
    destinations = new Map(
      init.destinations.map((settings, i) => [
        settings.address,
        createVaultClient(settings, { tokens: tokens[i + 1] }),
      ]),
    );
    options = { deletes: init.deletes, createMounts: init.createMounts, prune: init.prune, map: init.map };
  },
  update(update) {
    const { vault, token } = update as TokenUpdate;
    tokens[vault]?.update(token);
  },
  run(task) {
    const targets = task.destinations.flatMap((address) => destinations.get(address) ?? []);
    return syncKey(task.key, source, targets, {
      ...options,
      sourceMount: task.sourceMount,
      managed: task.managed ?? [],
      verified: task.verified ?? {},
    });
  },
});
