// Keeps the audit path's copy of the source's mount table fresh without ever making the reader
// wait: a refresh is asked for, runs in the background, and lines that named an unknown mount wait
// in a small bounded list until it ends. Forged entries can ask for refreshes at will, so each
// namespace is fetched at most once per interval.

import type { InMemoryMountTable } from "../audit/mount-table.ts";
import type { Logger } from "../observe/logger.ts";
import type { VaultClient } from "../vault/client.ts";

const MIN_INTERVAL_MS = 1_000;
const MAX_WAITING_LINES = 10_000;

export class MountRefresher {
  #last = new Map<string, number>();
  #running = new Map<string, Promise<void>>();
  #waiting: { namespace: string; line: string }[] = [];
  /** Lines dropped because too many were already waiting for a refresh. */
  droppedWhileWaiting = 0;

  constructor(
    private readonly source: VaultClient,
    private readonly table: InMemoryMountTable,
    private readonly log: Logger,
    /** Called with each line that waited, once its namespace's table is fresh. */
    private readonly replay: (line: string) => void,
  ) {}

  /** Reads one namespace's mount table now; start-up awaits this, so errors reach the caller. */
  async load(namespace: string): Promise<void> {
    const body = await this.source.caller.expect({ method: "GET", path: "sys/mounts", namespace });
    const count = this.table.setFromResponse(namespace, body);
    this.#last.set(namespace, Date.now());
    this.log.debug("mount table loaded", { namespace, mounts: count });
  }

  /** Asks for a refresh of one namespace; `line` (if given) is classified again after it. */
  request(namespace: string, line?: string): void {
    if (line !== undefined) {
      if (this.#waiting.length >= MAX_WAITING_LINES) this.droppedWhileWaiting++;
      else this.#waiting.push({ namespace, line });
    }
    if (this.#running.has(namespace)) return;
    const wait = Math.max(0, (this.#last.get(namespace) ?? 0) + MIN_INTERVAL_MS - Date.now());
    const run = Bun.sleep(wait)
      .then(() => this.load(namespace))
      .catch((error: unknown) => {
        this.log.warn("could not refresh the source's mount table", {
          namespace,
          error: error instanceof Error ? error.message : String(error),
        });
      })
      .finally(() => {
        this.#running.delete(namespace);
        this.#release(namespace);
      });
    this.#running.set(namespace, run);
  }

  /** Resolves when no refresh is running (for tests and shutdown). */
  async settled(): Promise<void> {
    await Promise.all(this.#running.values());
  }

  #release(namespace: string): void {
    const ready = this.#waiting.filter((item) => item.namespace === namespace);
    this.#waiting = this.#waiting.filter((item) => item.namespace !== namespace);
    for (const item of ready) this.replay(item.line);
  }
}
