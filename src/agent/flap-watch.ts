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
/** Keys remembered at most: ended windows, then the earliest, are forgotten, so memory stays bounded. */
const MAX_KEYS = 10_000;

export interface Flap {
  /** "kv secret/app/db", as sync logs name keys (never a value). */
  key: string;
  destination: string;
  writes: number;
  windowSeconds: number;
}

/** One key on one destination: its current window, counted from its first write. */
interface Window {
  start: number;
  writes: number;
  warned: boolean;
}

export class FlapWatch {
  // Counted in fixed windows, each starting at the first write after the last one ended, and swept
  // in batches when too many: O(1) a write, which matters because every write of every key passes
  // through here. (Evicting one entry per write, through keys().next(), cost a scan over the
  // deleted entries at the map's head each time: 15% of the main thread at 3,000 keys/s.)
  // Sustained flapping fills a window however the windows fall.
  readonly #windows = new Map<string, Window>();
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
  note(key: SyncKey, result: SyncResult): readonly Flap[] {
    let found: Flap[] | undefined;
    const now = this.#now();
    let id: string | undefined;
    for (const outcome of result.destinations) {
      if (outcome.result !== "written" && outcome.result !== "deleted") continue;
      id ??= keyId(key);
      const windowId = `${id}\u0000${outcome.destination}`;
      let window = this.#windows.get(windowId);
      if (window === undefined) {
        window = { start: now, writes: 0, warned: false };
      } else {
        this.#windows.delete(windowId); // set again below: the map's order is least recently written first
        if (now - window.start >= WINDOW_MS) {
          window.start = now;
          window.writes = 0;
          window.warned = false;
        }
      }
      this.#windows.set(windowId, window);
      window.writes++;
      if (window.writes >= FLAP_WRITES && !window.warned) {
        window.warned = true;
        this.#flaps++;
        found ??= [];
        found.push({
          key: describeKey(key),
          destination: outcome.destination,
          writes: window.writes,
          windowSeconds: WINDOW_MS / 1000,
        });
      }
    }
    if (this.#windows.size > MAX_KEYS) this.#sweep(now);
    return found ?? NONE;
  }

  /** Forgets ended windows, then, if still too many, the least recently written down to half. */
  #sweep(now: number): void {
    for (const [id, window] of this.#windows) {
      if (now - window.start >= WINDOW_MS) this.#windows.delete(id);
    }
    let excess = this.#windows.size - MAX_KEYS / 2;
    if (excess <= 0) return;
    for (const id of this.#windows.keys()) {
      if (excess-- <= 0) break;
      this.#windows.delete(id);
    }
  }
}

const NONE: readonly Flap[] = Object.freeze([]);
