// A bound on the garbage a long pass leaves behind. A pass makes several Vault requests a key,
// each a few dozen short-lived objects and a response buffer outside the JS heap, and Bun's
// collector lets them pile up: over 100,000 keys the heap grew to four times what was live
// (about 20 MB) before a full collection ran, and resident memory peaked at 250–320 MiB. So a
// pass looks at the heap's size every CHECK_EVERY keys (a cheap read) and collects in full when
// it has grown by GROWTH_BYTES since the last collection: the cost follows the garbage made,
// not the number of keys, and resident memory stays near what is live.

import { heapSize } from "bun:jsc";

/** Keys between two looks at the heap's size. */
const CHECK_EVERY = 500;
/** Growth of the heap since the last full collection that brings on the next. */
const GROWTH_BYTES = 24 * 2 ** 20;

export class HeapBound {
  #keys = 0;
  #afterLast: number;

  /** Starts from a collected heap: what came before the pass (a state file read) is let go. */
  constructor() {
    this.#afterLast = collect();
  }

  /** One key is done. */
  tick(): void {
    if (++this.#keys % CHECK_EVERY !== 0) return;
    if (heapSize() - this.#afterLast >= GROWTH_BYTES) this.#afterLast = collect();
  }
}

/** A full collection (which also hands mimalloc's free pages back); answers the heap's size after. */
function collect(): number {
  Bun.gc(true);
  return heapSize();
}
