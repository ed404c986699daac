// The dedup ring: where hints wait for a worker. It coalesces repeated hints for one key, keeps
// at most one run per key in flight, and remembers a hint that arrives mid-run ("dirty") so the
// key runs once more afterwards (design rule 2). It is bounded: when full, a new key is not
// dropped; its mount is marked for a full pass instead (rule 3).
//
// Memory: a pending key costs one Map entry (its keyId → ticket) and one queue slot; the SyncKey
// is rebuilt from its keyId when taken. Only the rare key whose fields contain the separator is
// kept whole. Measured on Bun 1.4.5: about 180 bytes of heap per pending key (17 MB for 100,000
// keys with 40-character paths). The queues are IdQueues (below): FIFOs that skip a promoted
// key's stale entry in O(1) instead of searching for it.

import { CourierError } from "../errors.ts";
import { keyId, mountId, type SyncKey, type SyncKind } from "../sync-key.ts";

/** Live hints come from the audit stream; reconcile hints from a pass, which must never delay them. */
export type Priority = "live" | "reconcile";
export type OfferResult = "queued" | "coalesced" | "dirty" | "overflow";
export type KeyStatus = "idle" | "pending" | "in-flight" | "in-flight-dirty";
export type MountRef = Pick<SyncKey, "kind" | "namespace" | "mount">;
/** Why a mount needs a pass: the ring was full, the hint rate was exceeded, or retries were. */
export type MarkReason = "overflow" | "rate-limited" | "retry-overflow";

export interface Taken {
  id: string;
  key: SyncKey;
  priority: Priority;
}

export interface RingOptions {
  /** Most keys pending at once (`--worker.queue_size`). */
  capacity: number;
  /** Slots only live hints may use, so a pass cannot fill the ring. Default: a tenth of capacity. */
  liveReserve?: number;
  /** Called once when a mount becomes marked, until takeOverflowedMounts() collects it. */
  onMountMarked?: (mount: MountRef, reason: MarkReason) => void;
}

export interface RingStats {
  pendingLive: number;
  pendingReconcile: number;
  inFlight: number;
  overflow: number;
  coalesced: number;
  promoted: number;
  markedMounts: number;
}

export class DedupRing {
  readonly capacity: number;
  readonly liveReserve: number;
  // keyId → ticket * 2 + (0 live | 1 reconcile), for keys waiting in a queue.
  private readonly pending = new Map<string, number>();
  // keyId → the priority of a hint that arrived mid-run, or null when none did.
  private readonly inFlight = new Map<string, Priority | null>();
  private readonly odd = new Map<string, SyncKey>();
  private readonly marked = new Map<string, MountRef>();
  private readonly live = new IdQueue();
  private readonly reconcile = new IdQueue();
  private readonly onMountMarked: RingOptions["onMountMarked"];
  private nextTicket = 0;
  private pendingReconcile = 0;
  private counts = { overflow: 0, coalesced: 0, promoted: 0 };

  constructor(options: RingOptions) {
    if (!Number.isInteger(options.capacity) || options.capacity < 1) {
      throw new CourierError("CONFIG_INVALID", "worker.queue_size: must be a whole number of at least 1");
    }
    this.capacity = options.capacity;
    this.liveReserve = Math.min(options.liveReserve ?? Math.floor(options.capacity / 10), options.capacity);
    this.onMountMarked = options.onMountMarked;
  }

  /** Keys pending (not in flight). */
  get size(): number {
    return this.pending.size;
  }

  offer(key: SyncKey, priority: Priority): OfferResult {
    const id = keyId(key);
    const flight = this.inFlight.get(id);
    if (flight !== undefined) {
      this.inFlight.set(id, flight === "live" ? "live" : priority);
      return "dirty";
    }
    const state = this.pending.get(id);
    if (state !== undefined) {
      this.counts.coalesced++;
      if (priority === "live" && state % 2 === 1) this.promote(id);
      return "coalesced";
    }
    if (this.room(priority) === 0) {
      this.counts.overflow++;
      this.markMount(key, "overflow");
      return "overflow";
    }
    if (!isPlain(key)) this.odd.set(id, { ...key });
    this.enqueue(id, priority);
    return "queued";
  }

  /** The next key to run, live before reconcile and oldest first; it is in flight until finish(). */
  take(): Taken | undefined {
    let priority: Priority = "live";
    let id = this.live.shift(this.isCurrentLive);
    if (id === undefined) {
      priority = "reconcile";
      id = this.reconcile.shift(this.isCurrentReconcile);
      if (id === undefined) return undefined;
      this.pendingReconcile--;
    }
    this.pending.delete(id);
    this.inFlight.set(id, null);
    return { id, key: this.keyOf(id), priority };
  }

  /**
   * Ends a run. A key that was hinted mid-run goes back in the queue (even past capacity: there
   * are never more such keys than runs in flight) and the answer is true.
   */
  finish(key: SyncKey | string): boolean {
    const id = typeof key === "string" ? key : keyId(key);
    const dirty = this.inFlight.get(id);
    if (dirty === undefined)
      throw new CourierError("INTERNAL", "dispatch: finished a key that was not in flight");
    this.inFlight.delete(id);
    if (dirty !== null) {
      this.enqueue(id, dirty);
      return true;
    }
    this.odd.delete(id);
    return false;
  }

  status(key: SyncKey): KeyStatus {
    const id = keyId(key);
    const flight = this.inFlight.get(id);
    if (flight !== undefined) return flight === null ? "in-flight" : "in-flight-dirty";
    return this.pending.has(id) ? "pending" : "idle";
  }

  /** How many more new keys of this priority fit now. */
  room(priority: Priority): number {
    const limit = priority === "live" ? this.capacity : this.capacity - this.liveReserve;
    return Math.max(0, limit - this.pending.size);
  }

  /** Records that a mount needs a full pass; reported once until collected. */
  markMount(mount: MountRef, reason: MarkReason): void {
    const id = mountId(mount);
    if (this.marked.has(id)) return;
    const ref = { kind: mount.kind, namespace: mount.namespace, mount: mount.mount };
    this.marked.set(id, ref);
    this.onMountMarked?.(ref, reason);
  }

  /** Mounts marked for a pass since the last call, each once. */
  takeOverflowedMounts(): MountRef[] {
    const mounts = [...this.marked.values()];
    this.marked.clear();
    return mounts;
  }

  /** Empties the queues (keys in flight stay in flight) and returns what was waiting, in take order. */
  drain(): { key: SyncKey; priority: Priority }[] {
    const out: { key: SyncKey; priority: Priority }[] = [];
    for (const id of this.live.current(this.isCurrentLive))
      out.push({ key: this.keyOf(id), priority: "live" });
    for (const id of this.reconcile.current(this.isCurrentReconcile)) {
      out.push({ key: this.keyOf(id), priority: "reconcile" });
    }
    for (const id of this.pending.keys()) this.odd.delete(id);
    this.pending.clear();
    this.live.clear();
    this.reconcile.clear();
    this.pendingReconcile = 0;
    return out;
  }

  stats(): RingStats {
    return {
      pendingLive: this.pending.size - this.pendingReconcile,
      pendingReconcile: this.pendingReconcile,
      inFlight: this.inFlight.size,
      markedMounts: this.marked.size,
      ...this.counts,
    };
  }

  private enqueue(id: string, priority: Priority): void {
    const ticket = this.nextTicket++;
    if (priority === "live") {
      this.pending.set(id, ticket * 2);
      this.live.push(id, ticket);
    } else {
      this.pending.set(id, ticket * 2 + 1);
      this.reconcile.push(id, ticket);
      this.pendingReconcile++;
    }
  }

  // The entry in the reconcile queue stays behind, stale; the live one now counts.
  private promote(id: string): void {
    this.counts.promoted++;
    this.pendingReconcile--;
    this.enqueue(id, "live");
    this.reconcile.markStale(this.isCurrentReconcile);
  }

  private keyOf(id: string): SyncKey {
    return this.odd.get(id) ?? decodeKeyId(id);
  }

  private readonly isCurrentLive = (id: string, ticket: number): boolean =>
    this.pending.get(id) === ticket * 2;
  private readonly isCurrentReconcile = (id: string, ticket: number): boolean =>
    this.pending.get(id) === ticket * 2 + 1;
}

/** A key whose keyId splits back into it: no field holds the separator. */
function isPlain(key: SyncKey): boolean {
  return !(key.namespace.includes("\u0000") || key.mount.includes("\u0000") || key.path.includes("\u0000"));
}

/** "kv\0\0secret/\0a" → {kind:"kv",namespace:"",mount:"secret/",path:"a"} */
function decodeKeyId(id: string): SyncKey {
  const [kind, namespace, mount, path] = id.split("\u0000");
  return { kind: kind as SyncKind, namespace: namespace!, mount: mount!, path: path! };
}

// A FIFO of key ids for the ring. Each entry carries a ticket; the ring remembers the ticket of
// the entry that currently counts for a key, so an entry left behind when a key moves to the
// other queue (promotion) is skipped in O(1) instead of searched for and removed. The queue
// compacts itself when stale entries outnumber live ones, so memory stays proportional to the
// number of pending keys even if one queue is never drained.
const MIN_COMPACT = 1024;

class IdQueue {
  private ids: string[] = [];
  private tickets: number[] = [];
  private head = 0;
  private stale = 0;

  /** Entries in the queue, stale ones included. */
  get length(): number {
    return this.ids.length - this.head;
  }

  push(id: string, ticket: number): void {
    this.ids.push(id);
    this.tickets.push(ticket);
  }

  /**
   * The oldest entry for which isCurrent(id, ticket) holds; stale entries before it are dropped.
   * [a#1 (stale), b#2] → b
   */
  shift(isCurrent: (id: string, ticket: number) => boolean): string | undefined {
    while (this.head < this.ids.length) {
      const id = this.ids[this.head]!;
      const ticket = this.tickets[this.head]!;
      this.head++;
      if (isCurrent(id, ticket)) {
        this.trimHead();
        return id;
      }
      this.stale = Math.max(0, this.stale - 1);
    }
    this.clear();
    return undefined;
  }

  /** Called by the ring when an entry of this queue stopped counting (its key moved away). */
  markStale(isCurrent: (id: string, ticket: number) => boolean): void {
    this.stale++;
    if (this.stale >= MIN_COMPACT && this.stale * 2 > this.length) this.compact(isCurrent);
  }

  /** Every entry still current, oldest first. */
  *current(isCurrent: (id: string, ticket: number) => boolean): Generator<string> {
    for (let i = this.head; i < this.ids.length; i++) {
      if (isCurrent(this.ids[i]!, this.tickets[i]!)) yield this.ids[i]!;
    }
  }

  clear(): void {
    this.ids = [];
    this.tickets = [];
    this.head = 0;
    this.stale = 0;
  }

  private compact(isCurrent: (id: string, ticket: number) => boolean): void {
    const ids: string[] = [];
    const tickets: number[] = [];
    for (let i = this.head; i < this.ids.length; i++) {
      if (isCurrent(this.ids[i]!, this.tickets[i]!)) {
        ids.push(this.ids[i]!);
        tickets.push(this.tickets[i]!);
      }
    }
    this.ids = ids;
    this.tickets = tickets;
    this.head = 0;
    this.stale = 0;
  }

  // Array.shift is O(n); advancing a head index and slicing now and then keeps shift O(1).
  private trimHead(): void {
    if (this.head >= MIN_COMPACT && this.head * 2 >= this.ids.length) {
      this.ids = this.ids.slice(this.head);
      this.tickets = this.tickets.slice(this.head);
      this.head = 0;
    }
  }
}
