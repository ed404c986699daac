// A sync worker: builds one client per Vault from the settings it is sent, then runs syncKey for
// each task. Its URL is made in agent code that lives in this folder (see sync-pool.ts), because a
// compiled binary resolves `import.meta.url` against its own root.

import { syncKey } from "../sync/sync-key.ts";
import { createVaultClient, type VaultClient } from "../vault/client.ts";
import { serveWorker } from "./serve-worker.ts";
import type { SyncWorkerInit, SyncWorkerResult, SyncWorkerTask } from "./sync-task.ts";

let source: VaultClient;
let destinations = new Map<string, VaultClient>();
let options = { deletes: true, createMounts: true };

serveWorker<SyncWorkerInit, SyncWorkerTask, SyncWorkerResult>({
  init(init) {
    source = createVaultClient(init.source);
    destinations = new Map(
      init.destinations.map((settings) => [settings.address, createVaultClient(settings)]),
    );
    options = { deletes: init.deletes, createMounts: init.createMounts };
  },
  run(task) {
    const targets = task.destinations.flatMap((address) => destinations.get(address) ?? []);
    return syncKey(task.key, source, targets, { ...options, sourceMount: task.sourceMount });
  },
});
