// Keys a pass found only on a destination, with sync.prune on: they go through the scheduler like
// every key (one run per key at a time), but their run happens here on the main thread with
// deletes on, since the workers apply sync.deletes, which governs deletes seen in the audit stream.
// The run reads the source first, as always: if the key exists there by then, it is synced, not deleted.

import { toTaskOutcome } from "../agent/executor.ts";
import type { Task, TaskOutcome } from "../dispatch/task.ts";
import type { SyncResult } from "../sync/outcome.ts";
import { syncKey } from "../sync/sync.ts";
import { keyId, type SyncKey } from "../sync-key.ts";
import type { VaultClient } from "../vault/client.ts";

export class PruneRunner {
  readonly #ids = new Set<string>();
  readonly #destinations: Map<string, VaultClient>;

  constructor(
    private readonly source: VaultClient,
    destinations: readonly VaultClient[],
    private readonly createMounts: boolean,
  ) {
    this.#destinations = new Map(destinations.map((d) => [d.address, d]));
  }

  add(id: string): void {
    this.#ids.add(id);
  }

  forget(id: string): void {
    this.#ids.delete(id);
  }

  has(key: SyncKey): boolean {
    return this.#ids.size > 0 && this.#ids.has(keyId(key));
  }

  async run(
    task: Task,
    onResult: (task: Task, result: SyncResult, ms: number) => void,
  ): Promise<TaskOutcome> {
    const started = performance.now();
    const targets = task.destinations.flatMap((name) => this.#destinations.get(trimSlash(name)) ?? []);
    const result = await syncKey(task.key, this.source, targets, {
      deletes: true,
      createMounts: this.createMounts,
    });
    onResult(task, result, performance.now() - started);
    return toTaskOutcome(result);
  }
}

/** The scheduler names destinations as configured; a client names itself without a trailing "/". */
function trimSlash(address: string): string {
  return address.replace(/\/+$/, "");
}
