// Per-request timeouts without a timer per request. Requests that start within the same short
// slice of time share one abort signal, fired `timeoutMs` after the slice closes and cancelled as
// soon as the last of them has its answer. A timer and an AbortController for every request cost
// about a tenth of a sync worker's CPU at thousands of requests a second, and nearly all of them
// were cleared without firing. The price: a request is given up between `timeoutMs` and
// `timeoutMs` plus one slice (a tenth of the timeout, at most 100 ms) after it started.

/** The longest slice: a 30 s timeout fires at most 0.1 s late. */
const MAX_SLICE_MS = 100;

/** One request's share of a deadline: its signal, and release() once its answer is in. */
export interface DeadlineLease {
  readonly signal: AbortSignal;
  release(): void;
}

export class SharedDeadlines {
  readonly #timeoutMs: number;
  readonly #sliceMs: number;
  /** The slice new requests join until it closes (or until all its requests have their answer). */
  #open: Slice | undefined;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
    this.#sliceMs = Math.max(1, Math.min(MAX_SLICE_MS, Math.floor(timeoutMs / 10)));
  }

  /** A signal that aborts no sooner than `timeoutMs` from now, and at most one slice later. */
  take(now: number = performance.now()): DeadlineLease {
    let slice = this.#open;
    if (slice === undefined || now >= slice.closesAt) {
      slice = new Slice(now + this.#sliceMs, this.#sliceMs + this.#timeoutMs, (done) => {
        if (this.#open === done) this.#open = undefined;
      });
      this.#open = slice;
    }
    slice.users++;
    return slice;
  }
}

class Slice implements DeadlineLease {
  readonly #controller = new AbortController();
  readonly #timer: ReturnType<typeof setTimeout>;
  users = 0;

  constructor(
    readonly closesAt: number,
    firesInMs: number,
    private readonly onDone: (slice: Slice) => void,
  ) {
    this.#timer = setTimeout(() => this.#controller.abort(), firesInMs);
    // A request in flight keeps the process alive by itself; the deadline must not.
    this.#timer.unref?.();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  release(): void {
    if (--this.users > 0) return;
    // No request waits on it any more: no timer left to fire for nothing, and later requests
    // start a slice of their own rather than join one whose timer is gone.
    clearTimeout(this.#timer);
    this.onDone(this);
  }
}
