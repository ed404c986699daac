// The agent's account of one pass: which of its keys have not come back from the scheduler yet,
// and what the ones that did found. A pass offers keys only as the ring has room, so the keys
// pending here are never more than the ring holds plus the runs in flight.

import type { SyncResult } from "../sync/outcome.ts";
import { keyId, type SyncKey } from "../sync-key.ts";

export class PassTally {
  /** Keys offered and not yet seen back, by keyId. */
  readonly pending = new Map<string, SyncKey>();
  /** Keys the walk found. */
  walked = 0;
  /** Keys where some destination was written or deleted. */
  changed = 0;
  /** Keys whose run left some destination different: it failed, will retry, or held back a delete. */
  unresolved = 0;
  /** Keys that never ran: every destination was backing off, the ring was full, or the worker died. */
  notRun = 0;
  /** LISTs on a destination that failed: keys only it holds there were not seen. */
  walkErrors = 0;
  /** Per destination: keys found different from the source (fixed or not). */
  readonly drift: Record<string, number> = {};
  /** Per destination: keys still different after their run. */
  readonly left: Record<string, number> = {};

  constructor(destinations: readonly string[]) {
    for (const name of destinations) {
      this.drift[name] = 0;
      this.left[name] = 0;
    }
  }

  add(key: SyncKey): string {
    const id = keyId(key);
    this.walked++;
    this.pending.set(id, key);
    return id;
  }

  /** The key was not taken by the scheduler (ring full, or stopping). */
  drop(id: string): void {
    if (this.pending.delete(id)) this.notRun++;
  }

  /** A run of a key came back; false when the key is not this pass's (or was already counted). */
  settle(id: string, result: SyncResult): boolean {
    if (!this.pending.delete(id)) return false;
    let changed = false;
    let left = result.sourceError !== undefined;
    for (const outcome of result.destinations) {
      if (outcome.result === "unchanged") continue;
      this.drift[outcome.destination] = (this.drift[outcome.destination] ?? 0) + 1;
      if (outcome.result === "written" || outcome.result === "deleted") {
        changed = true;
        continue;
      }
      left = true;
      this.left[outcome.destination] = (this.left[outcome.destination] ?? 0) + 1;
    }
    if (changed) this.changed++;
    if (left) this.unresolved++;
    return true;
  }

  /**
   * Forgets keys the scheduler is done with that never reported back (no destination was due, or
   * the worker running them died); `idle` says whether the scheduler still holds a key.
   * Returns their keyIds.
   */
  sweep(idle: (key: SyncKey) => boolean): string[] {
    const gone: string[] = [];
    for (const [id, key] of this.pending) {
      if (!idle(key)) continue;
      this.pending.delete(id);
      this.notRun++;
      gone.push(id);
    }
    return gone;
  }

  /** Every key walked came back equal or made equal, and every LIST answered. */
  get clean(): boolean {
    return this.unresolved === 0 && this.notRun === 0 && this.walkErrors === 0 && this.pending.size === 0;
  }
}
