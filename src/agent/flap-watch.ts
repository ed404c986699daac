// Flapping: one key rewritten on a destination again and again. A sync writes only what differs, so
// a key settles after one write however many hints arrive — unless something keeps changing it
// back. That is what two Couriers replicating to each other by mistake (A → B and B → A) do when
// the key is written differently on A and B at the same moment: each copies its side over the
// other's, and each copy is audited and copied back. Rather than loop silently, Courier says so:
// one warning per key per window, and a counter in /metrics. A key a person really changes that
// often on the source would warn too, and is worth a look as well.

import type { SyncResult } from "../sync/outcome.ts";
import { describeKey, keyId, type SyncKey } from "../sync-key.ts";

/** Writes of one key to one destination within WINDOW_MS that count as flapping. */
export const FLAP_WRITES = 10;
export const WINDOW_MS = 10_000;
/** Keys remembered at most: the oldest are forgotten first, so memory stays bounded. */
const MAX_KEYS = 10_000;

export interface Flap {
  /** "kv secret/app/db", as sync logs name keys (never a value). */
  key: string;
  destination: string;
  writes: number;
  windowSeconds: number;
}

export class FlapWatch {
  /** Per key and destination: when it was written lately, and whether this window has warned. */
  readonly #writes = new Map<string, { at: number[]; warned: boolean }>();
  #flaps = 0;
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Flaps found so far (each key and destination counted once per window). */
  get flaps(): number {
    return this.#flaps;
  }

  /** The flaps this sync result shows, to report; usually none. */
  note(key: SyncKey, result: SyncResult): Flap[] {
    const found: Flap[] = [];
    const now = this.#now();
    for (const outcome of result.destinations) {
      if (outcome.result !== "written" && outcome.result !== "deleted") continue;
      const id = `${keyId(key)}\u0000${outcome.destination}`;
      const entry = this.#writes.get(id) ?? { at: [], warned: false };
      this.#writes.delete(id); // re-inserted last: the map's order is least recently written first
      entry.at = entry.at.filter((t) => now - t < WINDOW_MS).slice(-(FLAP_WRITES - 1));
      if (entry.at.length === 0) entry.warned = false;
      entry.at.push(now);
      this.#writes.set(id, entry);
      if (entry.at.length >= FLAP_WRITES && !entry.warned) {
        entry.warned = true;
        this.#flaps++;
        found.push({
          key: describeKey(key),
          destination: outcome.destination,
          writes: entry.at.length,
          windowSeconds: WINDOW_MS / 1000,
        });
      }
    }
    while (this.#writes.size > MAX_KEYS) {
      const oldest = this.#writes.keys().next().value as string;
      this.#writes.delete(oldest);
    }
    return found;
  }
}
