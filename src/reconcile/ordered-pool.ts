// Work on a stream of items, a bounded number at once, with the results handed on in the items'
// order: a pass runs keys side by side yet prints its lines in walk order, the same every run.

/**
 * Runs `work` on each item, at most `limit` at once, and calls `emit` in item order. Results that
 * finish early wait for the slower ones before them; at most 2×limit items are started ahead of
 * the oldest unfinished one, so memory stays bounded whatever the stream's length.
 * runOrdered(["a","b"], 8, async (x) => x.toUpperCase(), print) → prints "A" then "B"; answers 2
 * `work` must not throw: it answers its failure as a result.
 */
export async function runOrdered<T, R>(
  items: AsyncIterable<T> | Iterable<T>,
  limit: number,
  work: (item: T) => Promise<R>,
  emit: (result: R, item: T) => void,
): Promise<number> {
  const window = Math.max(1, limit) * 2;
  const finished = new Map<number, { item: T; result: R }>();
  const running = new Set<Promise<void>>();
  let started = 0;
  let emitted = 0;
  const flush = () => {
    for (let next = finished.get(emitted); next !== undefined; next = finished.get(emitted)) {
      finished.delete(emitted++);
      emit(next.result, next.item);
    }
  };
  for await (const item of items) {
    while (running.size > 0 && (running.size >= limit || started - emitted >= window)) {
      await Promise.race(running);
    }
    const seq = started++;
    const run: Promise<void> = work(item)
      .then((result) => {
        finished.set(seq, { item, result });
        flush();
      })
      .finally(() => running.delete(run));
    running.add(run);
  }
  await Promise.all(running);
  return started;
}
