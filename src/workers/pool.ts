// The worker pool: Bun Workers that run tasks and answer with plain-data results, both sides of
// how the main thread and a worker talk, and the pool of sync workers built on it.
//
// Each worker runs several tasks at once (sync work waits on the network, not the CPU). Workers
// start with the first task that finds none free (up to `size`) and end after `idleMs` without a
// task. A worker that dies is dropped; the tasks it held are handed to another, a bounded number
// of times, so a crash costs a retry, never a lost key. Workers may ask the main thread questions
// (`answer`), and the main thread may tell them all something (`broadcast`): that is how the main
// thread's Vault tokens reach them (token-relay.ts; a worker that starts later asks for them).
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

/** What the agent sends each sync worker when it starts. JSON data: it crosses postMessage as JSON. */
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
  options: Pick<PoolOptions<SyncWorkerInit>, "onCrash" | "idleMs" | "onIdle"> = {},
): SyncPool {
  let pool: SyncPool | undefined;
  const relay = relayTokens(tokens, (update) => pool?.broadcast(update));
  pool = new WorkerPool({
    ...options,
    url: new URL("./sync.worker.ts", import.meta.url),
    size,
    init,
    answer: relay.answer,
    onStop: relay.stop,
  });
  return pool;
}

export interface PoolOptions<Init> {
  /** The worker entry, as `new URL("./x.worker.ts", import.meta.url)` so it works in a compiled binary. */
  url: URL;
  /** The most workers at once. */
  size: number;
  /** Sent to every worker when it starts, before its first task. */
  init: Init;
  /** A worker with no task for this long ends; the next task starts one again. Default 30 s. */
  idleMs?: number;
  /** Told when the last worker has ended for want of tasks: the pool has been idle for idleMs. */
  onIdle?: () => void;
  /** How many times a task is re-run after the worker running it died. */
  maxCrashRetries?: number;
  /** Told when a worker dies, with how many tasks it held. */
  onCrash?: (info: { worker: number; tasks: number; reason: string }) => void;
  /** Answers a worker's question; it should not throw (a throw answers undefined). */
  answer?: (question: unknown) => Promise<unknown>;
  /** Called once by stop(). */
  onStop?: () => void;
}

/** How long a worker may sit without a task before it ends (PoolOptions.idleMs). */
export const WORKER_IDLE_MS = 30_000;

interface Pending<Task, Result> {
  task: Task;
  crashes: number;
  resolve(result: Result): void;
  reject(error: Error): void;
}

interface Slot<Task, Result> {
  worker: Worker;
  /** Names the worker in crash reports and killWorker: the lowest number free when it started. */
  index: number;
  running: Map<number, Pending<Task, Result>>;
  /** Tasks given to it in this turn of the event loop, posted as one message at its end. */
  outbox: Assigned<Task>[];
  idleTimer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Workers start on demand and end when idle: an agent that hears nothing holds no worker thread
 * (each costs megabytes and a load of the Vault client), and a burst starts them as it needs them.
 */
export class WorkerPool<Init, Task, Result> {
  #slots: Slot<Task, Result>[] = [];
  #nextId = 1;
  #stopped = false;
  readonly #size: number;
  readonly #idleMs: number;
  readonly #maxCrashRetries: number;

  constructor(private readonly options: PoolOptions<Init>) {
    this.#size = Math.max(1, options.size);
    this.#idleMs = options.idleMs ?? WORKER_IDLE_MS;
    this.#maxCrashRetries = options.maxCrashRetries ?? 3;
  }

  /** Runs one task on an idle worker, a new one while fewer than `size` run, else the least busy. */
  run(task: Task): Promise<Result> {
    if (this.#stopped) return Promise.reject(new Error("worker pool is stopped"));
    return new Promise<Result>((resolve, reject) => {
      this.#dispatch({ task, crashes: 0, resolve, reject });
    });
  }

  /** Sends the same update (e.g. a new token) to every worker running now; later ones start from init. */
  broadcast(update: unknown): void {
    if (this.#stopped) return;
    for (const slot of this.#slots) this.#post(slot.worker, { type: "update", update });
  }

  get inflight(): number {
    return this.#slots.reduce((n, slot) => n + slot.running.size, 0);
  }

  /** Workers running now. */
  get workers(): number {
    return this.#slots.length;
  }

  /** Ends every worker; tasks still running are rejected. */
  async stop(): Promise<void> {
    if (!this.#stopped) this.options.onStop?.();
    this.#stopped = true;
    const slots = this.#slots;
    this.#slots = [];
    for (const slot of slots) {
      clearTimeout(slot.idleTimer);
      slot.worker.terminate();
      for (const pending of slot.running.values()) pending.reject(new Error("worker pool stopped"));
      slot.running.clear();
    }
  }

  /** For fault tests: ends one worker abruptly, as a crash would. */
  killWorker(index: number): void {
    this.#slots.find((slot) => slot.index === index)?.worker.terminate();
  }

  #dispatch(pending: Pending<Task, Result>): void {
    const slot = this.#choose();
    const id = this.#nextId++;
    slot.running.set(id, pending);
    if (slot.idleTimer !== undefined) {
      clearTimeout(slot.idleTimer);
      slot.idleTimer = undefined;
    }
    // The scheduler starts many syncs in one go: one message carries them all, since each
    // message costs encoding and a wake-up of the worker's thread.
    slot.outbox.push({ id, task: pending.task });
    if (slot.outbox.length === 1) queueMicrotask(() => this.#flush(slot));
  }

  #choose(): Slot<Task, Result> {
    let best: Slot<Task, Result> | undefined;
    for (const slot of this.#slots) if (!best || slot.running.size < best.running.size) best = slot;
    if (best && (best.running.size === 0 || this.#slots.length >= this.#size)) return best;
    return this.#spawn();
  }

  #flush(slot: Slot<Task, Result>): void {
    const tasks = slot.outbox;
    slot.outbox = [];
    // A worker that died meanwhile: #replace handed its tasks on already.
    if (tasks.length > 0 && this.#slots.includes(slot)) this.#post(slot.worker, { type: "tasks", tasks });
  }

  #post(worker: Worker, message: ToWorker<Init, Task>): void {
    worker.postMessage(JSON.stringify(message));
  }

  #spawn(): Slot<Task, Result> {
    let index = 0;
    while (this.#slots.some((slot) => slot.index === index)) index++;
    const worker = new Worker(this.options.url);
    const slot: Slot<Task, Result> = { worker, index, running: new Map(), outbox: [], idleTimer: undefined };
    this.#slots.push(slot);
    worker.addEventListener("message", (event: MessageEvent<string>) => {
      const message = JSON.parse(event.data) as FromWorker<Result>;
      if (message.type === "done") this.#finished(slot, message.finished);
      else if (message.type === "ask") this.#answer(slot, message.id, message.question);
    });
    // "close" fires for terminate(), process.exit() inside the worker and uncaught errors alike.
    worker.addEventListener("close", () => this.#replace(slot, "worker exited"));
    worker.addEventListener("error", (event) => {
      this.#replace(slot, event.message || "worker error");
    });
    this.#post(worker, { type: "init", init: this.options.init });
    return slot;
  }

  #finished(slot: Slot<Task, Result>, finished: Finished<Result>[]): void {
    for (const done of finished) {
      const pending = slot.running.get(done.id);
      if (!pending) continue;
      slot.running.delete(done.id);
      if ("result" in done) pending.resolve(done.result);
      else pending.reject(new Error(done.failed));
    }
    if (slot.running.size === 0 && !this.#stopped && this.#slots.includes(slot)) {
      slot.idleTimer = setTimeout(() => this.#retire(slot), this.#idleMs);
      slot.idleTimer.unref?.();
    }
  }

  #answer(slot: Slot<Task, Result>, id: number, question: unknown): void {
    const answering = this.options.answer?.(question) ?? Promise.resolve(undefined);
    answering
      .catch(() => undefined)
      .then((answer) => {
        if (this.#slots.includes(slot)) this.#post(slot.worker, { type: "answer", id, answer });
      });
  }

  /** An idle worker ends; taken out of the pool first, so its "close" is no crash. */
  #retire(slot: Slot<Task, Result>): void {
    slot.idleTimer = undefined;
    if (slot.running.size > 0 || !this.#remove(slot)) return;
    slot.worker.terminate();
    if (this.#slots.length === 0) this.options.onIdle?.();
  }

  #remove(slot: Slot<Task, Result>): boolean {
    const at = this.#slots.indexOf(slot);
    if (at < 0) return false;
    this.#slots.splice(at, 1);
    return true;
  }

  #replace(dead: Slot<Task, Result>, reason: string): void {
    if (this.#stopped || !this.#remove(dead)) return;
    clearTimeout(dead.idleTimer);
    const orphans = [...dead.running.values()];
    dead.running.clear();
    dead.outbox = [];
    this.options.onCrash?.({ worker: dead.index, tasks: orphans.length, reason });
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
  const post = (message: FromWorker<Result>) => self.postMessage(JSON.stringify(message));
  const asked = new Map<number, (answer: unknown) => void>();
  let nextQuestion = 1;
  const ask: Ask = (question) =>
    new Promise((resolve) => {
      const id = nextQuestion++;
      asked.set(id, resolve);
      post({ type: "ask", id, question });
    });
  // Results that come in during one turn of the event loop go back as one message.
  let finished: Finished<Result>[] = [];
  const finish = (done: Finished<Result>) => {
    finished.push(done);
    if (finished.length > 1) return;
    setImmediate(() => {
      post({ type: "done", finished });
      finished = [];
    });
  };
  const run = ({ id, task }: Assigned<Task>) => {
    ready
      .then(() => handlers.run(task))
      .then(
        (result) => finish({ id, result }),
        (error: unknown) => finish({ id, failed: messageOf(error) }),
      );
  };

  self.addEventListener("message", (event: MessageEvent<string>) => {
    const message = JSON.parse(event.data) as ToWorker<Init, Task>;
    if (message.type === "init") {
      ready = Promise.resolve(handlers.init(message.init, ask));
    } else if (message.type === "update") {
      handlers.update?.(message.update);
    } else if (message.type === "answer") {
      asked.get(message.id)?.(message.answer);
      asked.delete(message.id);
    } else {
      for (const assigned of message.tasks) run(assigned);
    }
  });
}

// Messages between the main thread and a pool worker: JSON data only, sent as JSON text, which
// Bun hands across threads at about half the cost of a structured clone of the same objects.
// Tasks go in batches and results come back in batches (one message and one wake-up of the other
// thread per batch). Besides tasks, a worker may ask the main thread a question (its
// Vault token) and wait for the answer; the main thread also sends every worker the same update
// unasked (a new token).
interface Assigned<Task> {
  id: number;
  task: Task;
}

type Finished<Result> = { id: number; result: Result } | { id: number; failed: string };

type ToWorker<Init, Task> =
  | { type: "init"; init: Init }
  | { type: "tasks"; tasks: Assigned<Task>[] }
  | { type: "update"; update: unknown }
  | { type: "answer"; id: number; answer: unknown };

type FromWorker<Result> =
  | { type: "done"; finished: Finished<Result>[] }
  | { type: "ask"; id: number; question: unknown };
