// The worker pool: a fixed set of Bun Workers that run tasks and answer with plain-data results,
// both sides of how the main thread and a worker talk, and the pool of sync workers built on it.
//
// Each worker runs several tasks at once (sync work waits on the network, not the CPU). A worker
// that dies is replaced; the tasks it held are handed to the replacement, a bounded number of
// times, so a crash costs a retry, never a lost key. Workers may ask the main thread questions
// (`answer`), and the main thread may tell them all something (`broadcast`): that is how the main
// thread's Vault tokens reach them (token-relay.ts).
//
// The sync worker's URL is built here, beside sync.worker.ts: inside a compiled binary
// `import.meta.url` is the binary's root, so only a sibling file resolves it right.

import { messageOf } from "../errors.ts";
import type { PruneMode } from "../sync/managed.ts";
import type { SyncResult } from "../sync/outcome.ts";
import type { PathMaps } from "../sync/path-map.ts";
import type { SyncKey } from "../sync-key.ts";
import type { TokenSource } from "../vault/auth.ts";
import type { VaultConnection } from "../vault/client.ts";
import type { MountInfo } from "../vault/mounts.ts";
import { relayTokens } from "./token-relay.ts";

/** What the agent sends every sync worker once. Plain data: it crosses postMessage. */
export interface SyncWorkerInit {
  /** No credentials: each Vault's token comes from the main thread (token-relay.ts). */
  source: VaultConnection;
  destinations: VaultConnection[];
  deletes: boolean;
  createMounts: boolean;
  /** sync.map, plain data. */
  map?: PathMaps;
  /** sync.prune: a hint for a key the source lacks deletes it only where `managed` says, unless "all". */
  prune: PruneMode;
}

/** One sync: the key and the destinations this run covers. */
export interface SyncWorkerTask {
  key: SyncKey;
  /** Addresses of the destinations this run covers (not always all of them). */
  destinations: string[];
  /** The source's mount for the key when the agent already knows it, saving a lookup. */
  sourceMount?: MountInfo;
  /** Addresses of the destinations where the key is Courier's (managed.ts). */
  managed?: string[];
  /** Per destination, the fingerprint of the last time the key was found equal there (managed.ts). */
  verified?: Record<string, string>;
}

export type SyncPool = WorkerPool<SyncWorkerInit, SyncWorkerTask, SyncResult>;

/**
 * `tokens` are the main thread's token sources, the source's first, then one per destination in
 * the order of `init.destinations`: the workers use them and never log in themselves.
 */
export function createSyncPool(
  size: number,
  init: SyncWorkerInit,
  tokens: readonly TokenSource[],
  onCrash?: (info: { worker: number; tasks: number; reason: string }) => void,
): SyncPool {
  let pool: SyncPool | undefined;
  const relay = relayTokens(tokens, (update) => pool?.broadcast(update));
  pool = new WorkerPool({
    url: new URL("./sync.worker.ts", import.meta.url),
    size,
    init,
    onCrash,
    answer: relay.answer,
    onStop: relay.stop,
  });
  return pool;
}

export interface PoolOptions<Init> {
  /** The worker entry, as `new URL("./x.worker.ts", import.meta.url)` so it works in a compiled binary. */
  url: URL;
  size: number;
  /** Sent to every worker (and every replacement) before its first task. */
  init: Init;
  /** How many times a task is re-run after the worker running it died. */
  maxCrashRetries?: number;
  /** Told when a worker dies, with how many tasks it held. */
  onCrash?: (info: { worker: number; tasks: number; reason: string }) => void;
  /** Answers a worker's question; it should not throw (a throw answers undefined). */
  answer?: (question: unknown) => Promise<unknown>;
  /** Called once by stop(). */
  onStop?: () => void;
}

interface Pending<Task, Result> {
  task: Task;
  crashes: number;
  resolve(result: Result): void;
  reject(error: Error): void;
}

interface Slot<Task, Result> {
  worker: Worker;
  running: Map<number, Pending<Task, Result>>;
}

export class WorkerPool<Init, Task, Result> {
  #slots: Slot<Task, Result>[] = [];
  #nextId = 1;
  #stopped = false;
  readonly #maxCrashRetries: number;

  constructor(private readonly options: PoolOptions<Init>) {
    this.#maxCrashRetries = options.maxCrashRetries ?? 3;
    for (let i = 0; i < Math.max(1, options.size); i++) this.#slots.push(this.#spawn(i));
  }

  /** Runs one task on the least busy worker. */
  run(task: Task): Promise<Result> {
    if (this.#stopped) return Promise.reject(new Error("worker pool is stopped"));
    return new Promise<Result>((resolve, reject) => {
      this.#dispatch({ task, crashes: 0, resolve, reject });
    });
  }

  /** Sends the same update (e.g. a new token) to every worker. */
  broadcast(update: unknown): void {
    if (this.#stopped) return;
    for (const slot of this.#slots) this.#post(slot.worker, { type: "update", update });
  }

  get inflight(): number {
    return this.#slots.reduce((n, slot) => n + slot.running.size, 0);
  }

  /** Ends every worker; tasks still running are rejected. */
  async stop(): Promise<void> {
    if (!this.#stopped) this.options.onStop?.();
    this.#stopped = true;
    for (const slot of this.#slots) {
      slot.worker.terminate();
      for (const pending of slot.running.values()) pending.reject(new Error("worker pool stopped"));
      slot.running.clear();
    }
  }

  /** For fault tests: ends one worker abruptly, as a crash would. */
  killWorker(index: number): void {
    const slot = this.#slots[index];
    if (slot) slot.worker.terminate();
  }

  #dispatch(pending: Pending<Task, Result>): void {
    let best = this.#slots[0]!;
    for (const slot of this.#slots) if (slot.running.size < best.running.size) best = slot;
    const id = this.#nextId++;
    best.running.set(id, pending);
    this.#post(best.worker, { type: "task", id, task: pending.task });
  }

  #post(worker: Worker, message: ToWorker<Init, Task>): void {
    worker.postMessage(message);
  }

  #spawn(index: number): Slot<Task, Result> {
    const worker = new Worker(this.options.url);
    const slot: Slot<Task, Result> = { worker, running: new Map() };
    worker.addEventListener("message", (event: MessageEvent<FromWorker<Result>>) => {
      const message = event.data;
      if (message.type === "ready") return;
      if (message.type === "ask") {
        const { id, question } = message;
        const answering = this.options.answer?.(question) ?? Promise.resolve(undefined);
        answering
          .catch(() => undefined)
          .then((answer) => {
            if (this.#slots[index] === slot) this.#post(worker, { type: "answer", id, answer });
          });
        return;
      }
      const pending = slot.running.get(message.id);
      if (!pending) return;
      slot.running.delete(message.id);
      if (message.type === "result") pending.resolve(message.result);
      else pending.reject(new Error(message.message));
    });
    // "close" fires for terminate(), process.exit() inside the worker and uncaught errors alike.
    worker.addEventListener("close", () => this.#replace(index, slot, "worker exited"));
    worker.addEventListener("error", (event) => {
      this.#replace(index, slot, event.message || "worker error");
    });
    this.#post(worker, { type: "init", init: this.options.init });
    return slot;
  }

  #replace(index: number, dead: Slot<Task, Result>, reason: string): void {
    if (this.#slots[index] !== dead || this.#stopped) return;
    const orphans = [...dead.running.values()];
    dead.running.clear();
    this.options.onCrash?.({ worker: index, tasks: orphans.length, reason });
    this.#slots[index] = this.#spawn(index);
    for (const pending of orphans) {
      pending.crashes++;
      if (pending.crashes > this.#maxCrashRetries) {
        pending.reject(new Error(`worker died ${pending.crashes} times running this task: ${reason}`));
      } else {
        this.#dispatch(pending);
      }
    }
  }
}

// A worker's global scope; only the worker side (serveWorker) touches it.
declare const self: Worker;

/** A question from a worker to the main thread, answered by the pool's `answer`. */
export type Ask = (question: unknown) => Promise<unknown>;

/** What a worker entry does with each message of the protocol. */
export interface WorkerHandlers<Init, Task, Result> {
  init(init: Init, ask: Ask): void | Promise<void>;
  run(task: Task): Promise<Result>;
  update?(update: unknown): void;
}

/** The worker side of the protocol: wait for init, then answer each task with its result. */
export function serveWorker<Init, Task, Result>(handlers: WorkerHandlers<Init, Task, Result>): void {
  let ready: Promise<void> = Promise.resolve();
  const post = (message: FromWorker<Result>) => self.postMessage(message);
  const asked = new Map<number, (answer: unknown) => void>();
  let nextQuestion = 1;
  const ask: Ask = (question) =>
    new Promise((resolve) => {
      const id = nextQuestion++;
      asked.set(id, resolve);
      post({ type: "ask", id, question });
    });

  self.addEventListener("message", (event: MessageEvent<ToWorker<Init, Task>>) => {
    const message = event.data;
    if (message.type === "init") {
      ready = Promise.resolve(handlers.init(message.init, ask)).then(() => post({ type: "ready" }));
    } else if (message.type === "update") {
      handlers.update?.(message.update);
    } else if (message.type === "answer") {
      asked.get(message.id)?.(message.answer);
      asked.delete(message.id);
    } else {
      const { id, task } = message;
      ready
        .then(() => handlers.run(task))
        .then(
          (result) => post({ type: "result", id, result }),
          (error: unknown) => post({ type: "failed", id, message: messageOf(error) }),
        );
    }
  });
}

// Messages between the main thread and a pool worker. Plain data only: it crosses postMessage.
// Besides tasks, a worker may ask the main thread a question (its Vault token) and wait for the
// answer; the main thread also sends every worker the same update unasked (a new token).
type ToWorker<Init, Task> =
  | { type: "init"; init: Init }
  | { type: "task"; id: number; task: Task }
  | { type: "update"; update: unknown }
  | { type: "answer"; id: number; answer: unknown };

type FromWorker<Result> =
  | { type: "ready" }
  | { type: "result"; id: number; result: Result }
  | { type: "failed"; id: number; message: string }
  | { type: "ask"; id: number; question: unknown };
