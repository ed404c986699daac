// Keeps the audit path's copy of the source's mount table fresh without ever making the reader
// wait: a refresh is asked for, runs in the background, and lines that named an unknown mount wait
// in a small bounded list until it ends. Forged entries can ask for refreshes at will, so each
// namespace is fetched at most once per interval, refreshes start no more often than every
// GLOBAL_SPACING_MS overall (entries naming a new namespace each time stay ~10 reads a second),
// and only so many namespaces wait at once; a request beyond that is dropped, and the next full
// pass finds whatever it would have.

import type { InMemoryMountTable } from "../audit/mount-table.ts";
import { messageOf } from "../errors.ts";
import type { Logger } from "../observe/logger.ts";
import type { VaultClient } from "../vault/client.ts";

const MIN_INTERVAL_MS = 1_000;
const GLOBAL_SPACING_MS = 100;
const MAX_PENDING_NAMESPACES = 64;
const MAX_WAITING_LINES = 10_000;

export class MountRefresher {
  #last = new Map<string, number>();
  #running = new Map<string, Promise<void>>();
  #waiting: { namespace: string; line: string }[] = [];
  /** When the next refresh of any namespace may start. */
  #nextSlot = 0;
  /** Lines dropped because too many were already waiting for a refresh. */
  droppedWhileWaiting = 0;
  /** Refreshes not made because too many namespaces were already waiting for one. */
  droppedRequests = 0;

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
    this.log.debug("mount table loaded", { namespace, mounts: count });
  }

  /** Asks for a refresh of one namespace; `line` (if given) is classified again after it. */
  request(namespace: string, line?: string): void {
    const running = this.#running.has(namespace);
    // A line that cannot wait is classified again at once, against the table as it is (and so
    // counted, as unknown_mount most likely): dropped, but never uncounted.
    if (!running && this.#running.size >= MAX_PENDING_NAMESPACES) {
      this.droppedRequests++;
      if (line !== undefined) this.replay(line);
      return;
    }
    if (line !== undefined) {
      if (this.#waiting.length < MAX_WAITING_LINES) this.#waiting.push({ namespace, line });
      else {
        this.droppedWhileWaiting++;
        this.replay(line);
      }
    }
    if (running) return;
    const now = Date.now();
    const start = Math.max(now, (this.#last.get(namespace) ?? 0) + MIN_INTERVAL_MS, this.#nextSlot);
    this.#nextSlot = start + GLOBAL_SPACING_MS;
    const run = Bun.sleep(start - now)
      .then(() => {
        this.#noteAttempt(namespace);
        return this.load(namespace);
      })
      .catch((error: unknown) => {
        this.log.warn("could not refresh the source's mount table", {
          namespace,
          error: messageOf(error),
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

  /** Remembers when a namespace was fetched (tried, even if it failed); forgets stale ones. */
  #noteAttempt(namespace: string): void {
    const now = Date.now();
    if (this.#last.size >= 1024) {
      for (const [name, at] of this.#last) if (now - at >= MIN_INTERVAL_MS) this.#last.delete(name);
    }
    this.#last.set(namespace, now);
  }

  #release(namespace: string): void {
    const ready = this.#waiting.filter((item) => item.namespace === namespace);
    this.#waiting = this.#waiting.filter((item) => item.namespace !== namespace);
    for (const item of ready) this.replay(item.line);
  }
}
