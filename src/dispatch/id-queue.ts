// A FIFO of key ids for the ring. Each entry carries a ticket; the ring remembers the ticket of
// the entry that currently counts for a key, so an entry left behind when a key moves to the
// other queue (promotion) is skipped in O(1) instead of searched for and removed. The queue
// compacts itself when stale entries outnumber live ones, so memory stays proportional to the
// number of pending keys even if one queue is never drained.

const MIN_COMPACT = 1024;

export class IdQueue {
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
