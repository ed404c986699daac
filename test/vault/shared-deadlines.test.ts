import { describe, expect, test } from "bun:test";
import { SharedDeadlines } from "../../src/vault/shared-deadlines.ts";
import { eventually, holds } from "../support/eventually.ts";

/** When `signal` aborted, in ms after `from`; undefined while it has not. */
function abortTime(signal: AbortSignal, from: number): () => number | undefined {
  let at: number | undefined;
  signal.addEventListener("abort", () => {
    at = performance.now() - from;
  });
  return () => at;
}

describe("deadlines shared by the requests of one slice of time", () => {
  test("requests started within a slice share one signal; one after it closes gets its own", () => {
    const deadlines = new SharedDeadlines(1_000); // slices of 100 ms
    const first = deadlines.take(0);
    const sameSlice = deadlines.take(99);
    const nextSlice = deadlines.take(100);
    expect(sameSlice.signal).toBe(first.signal);
    expect(nextSlice.signal).not.toBe(first.signal);
    for (const lease of [first, sameSlice, nextSlice]) lease.release();
  });

  test("a request with no answer is given up no sooner than the timeout, and at most a slice later", async () => {
    const deadlines = new SharedDeadlines(200); // slices of 20 ms
    const started = performance.now();
    const lease = deadlines.take();
    const aborted = abortTime(lease.signal, started);
    await eventually(() => expect(aborted()).toBeDefined(), { timeoutMs: 2_000 });
    expect(aborted()).toBeGreaterThanOrEqual(199); // timers may round down by a millisecond
    // 20 ms of slice, plus what a busy machine adds to any timer.
    expect(aborted()).toBeLessThan(200 + 20 + 150);
    lease.release();
  });

  test("once every request of a slice has its answer, its deadline never fires and the next request starts a new one", async () => {
    const deadlines = new SharedDeadlines(100);
    const a = deadlines.take();
    const b = deadlines.take();
    const aborted = abortTime(a.signal, performance.now());
    a.release();
    b.release();
    await holds(() => expect(aborted()).toBeUndefined(), { timeoutMs: 300 });
    const c = deadlines.take();
    expect(c.signal).not.toBe(a.signal);
    c.release();
  });

  test("a slice's signal fires while one of its requests still waits, though the others have their answers", async () => {
    const deadlines = new SharedDeadlines(100);
    const answered = deadlines.take();
    const waiting = deadlines.take();
    const aborted = abortTime(waiting.signal, performance.now());
    answered.release();
    await eventually(() => expect(aborted()).toBeGreaterThanOrEqual(99), { timeoutMs: 2_000 });
    waiting.release();
  });
});
