// Promises that resolve when a condition becomes true, re-checked whenever the owner says
// something changed. Small and synchronous: no polling, no timers.

interface Waiter {
  ready: () => boolean;
  resolve: () => void;
}

export class Waiters {
  private list: Waiter[] = [];

  /** Resolves at once if ready() holds, else at the first check() where it does. */
  wait(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    return new Promise((resolve) => this.list.push({ ready, resolve }));
  }

  check(): void {
    if (this.list.length === 0) return;
    const waiting = this.list;
    this.list = [];
    for (const waiter of waiting) {
      if (waiter.ready()) waiter.resolve();
      else this.list.push(waiter);
    }
  }

  /** Resolves everyone, ready or not (on stop, so nobody waits forever). */
  releaseAll(): void {
    const waiting = this.list;
    this.list = [];
    for (const waiter of waiting) waiter.resolve();
  }
}
