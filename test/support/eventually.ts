// Polling instead of sleeping: end-to-end tests wait for what a user would see, up to a deadline,
// and say what they last saw when it never came.

export interface PollOptions {
  /** Give up after this long (default 4 s, inside bun:test's 5 s per test). */
  timeoutMs?: number;
  /** Time between checks (default 10 ms). */
  everyMs?: number;
}

/**
 * Runs `check` until it stops throwing and returns its value; after the deadline rethrows its
 * last error. eventually(async () => expect(await read()).toEqual({a: "1"}))
 */
export async function eventually<T>(check: () => T | Promise<T>, options: PollOptions = {}): Promise<T> {
  const { timeoutMs = 4_000, everyMs = 10 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
    }
    await Bun.sleep(everyMs);
  }
}

/**
 * The opposite claim: `check` keeps passing for the whole window (default 300 ms), so something
 * that should not happen has had its chance to. Use after a positive wait that proves the events
 * before it were handled, so the window only covers stragglers.
 */
export async function holds(
  check: () => unknown | Promise<unknown>,
  options: PollOptions = {},
): Promise<void> {
  const { timeoutMs = 300, everyMs = 20 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await check();
    if (Date.now() >= deadline) return;
    await Bun.sleep(everyMs);
  }
}
