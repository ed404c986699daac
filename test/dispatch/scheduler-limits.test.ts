import { describe, expect, test } from "bun:test";
import { harness, kv, sourceError, syncResult } from "./harness.ts";
import { settle } from "./manual-clock.ts";

describe("rate limiting live hints", () => {
  test("past the burst, hints for new keys are refused, counted, and their mount marked for a pass once", async () => {
    const { scheduler, ring, executor } = harness({ rateLimit: { perSecond: 10, burst: 3 } });
    const answers = Array.from({ length: 10 }, (_, i) => scheduler.offer(kv(`flood/${i}`, "kv/")));
    expect(answers).toEqual([
      "queued",
      "queued",
      "queued",
      ...Array.from({ length: 7 }, () => "rate-limited" as const),
    ]);
    await settle();
    expect(executor.runs).toHaveLength(3);
    expect(scheduler.stats().rateLimited).toBe(7);
    expect(ring.takeOverflowedMounts()).toEqual([{ kind: "kv", namespace: "", mount: "kv/" }]);
  });

  test("tokens come back with time, at the configured rate", async () => {
    const { scheduler, clock } = harness({ rateLimit: { perSecond: 10, burst: 1 } });
    expect(scheduler.offer(kv("a"))).toBe("queued");
    expect(scheduler.offer(kv("b"))).toBe("rate-limited");
    await clock.advance(99);
    expect(scheduler.offer(kv("c"))).toBe("rate-limited");
    await clock.advance(1);
    expect(scheduler.offer(kv("d"))).toBe("queued");
  });

  test("a hint for a key already waiting costs nothing, so one hot key never exhausts the budget", async () => {
    const { scheduler } = harness({ concurrency: 1, rule: undefined, rateLimit: { perSecond: 1, burst: 2 } });
    scheduler.offer(kv("busy"));
    await settle();
    scheduler.offer(kv("hot"));
    for (let i = 0; i < 1000; i++) expect(scheduler.offer(kv("hot"))).toBe("coalesced");
    expect(scheduler.stats().rateLimited).toBe(0);
  });

  test("a hint for a key in flight costs one token (it means one more run), then nothing more", async () => {
    const { scheduler } = harness({ rule: undefined, rateLimit: { perSecond: 1, burst: 2 } });
    scheduler.offer(kv("k"));
    await settle();
    expect(scheduler.offer(kv("k"))).toBe("dirty");
    expect(scheduler.offer(kv("k"))).toBe("dirty");
    expect(scheduler.offer(kv("other"))).toBe("rate-limited");
  });

  test("keys of a pass are not rate-limited: a pass paces itself on the ring", () => {
    const { scheduler } = harness({ rateLimit: { perSecond: 1, burst: 1 } });
    const answers = Array.from({ length: 5 }, (_, i) => scheduler.offer(kv(`p${i}`), "reconcile"));
    expect(answers).toEqual(["queued", "queued", "queued", "queued", "queued"]);
  });
});

describe("overflow", () => {
  test("a full ring marks the mount for a pass and counts it in the scheduler's stats", async () => {
    const { scheduler, ring } = harness({ concurrency: 1, rule: undefined, ring: { capacity: 2 } });
    scheduler.offer(kv("running"));
    await settle();
    expect(["a", "b", "c"].map((p) => scheduler.offer(kv(p, "team/")))).toEqual([
      "queued",
      "queued",
      "overflow",
    ]);
    expect(scheduler.stats()).toMatchObject({ overflow: 1, queueDepth: 2, inFlight: 1 });
    expect(ring.takeOverflowedMounts()).toEqual([{ kind: "kv", namespace: "", mount: "team/" }]);
  });
});

describe("stop", () => {
  test("stops taking, waits for runs in flight up to the grace period, and hands back what is left", async () => {
    const { scheduler, executor, clock } = harness({ concurrency: 2, rule: undefined });
    for (const path of ["a", "b", "c", "d"]) scheduler.offer(kv(path));
    scheduler.offer(kv("e"), "reconcile");
    await settle();
    // "a" is hinted mid-run, "b" never answers.
    scheduler.offer(kv("a"));
    let leftovers: Awaited<ReturnType<typeof scheduler.stop>> | undefined;
    scheduler.stop(1000).then((l) => {
      leftovers = l;
    });
    await clock.advance(500);
    executor.runs[0]!.answer(syncResult({ a: "written", b: "written" }));
    await clock.advance(499);
    expect(leftovers).toBeUndefined();
    await clock.advance(1);
    expect(executor.runs.map((r) => r.task.key.path)).toEqual(["a", "b"]);
    expect(leftovers).toEqual({
      pending: [
        { key: kv("c"), priority: "live" },
        { key: kv("d"), priority: "live" },
        { key: kv("a"), priority: "live" },
        { key: kv("e"), priority: "reconcile" },
      ],
      inFlight: [{ key: kv("b"), destinations: ["a", "b"] }],
      retries: [],
      mounts: [],
    });
    expect(scheduler.offer(kv("late"))).toBe("stopped");
    // An answer after the grace period changes nothing.
    executor.runs[1]!.answer(syncResult({ a: "written", b: "written" }));
    await settle();
    expect(scheduler.stats().destinations.a?.done).toBe(1);
  });

  test("returns at once when nothing runs, with retries still owed and no timer left behind", async () => {
    const { scheduler, clock } = harness({
      rule: () => syncResult({ a: "retry", b: "written" }),
    });
    scheduler.offer(kv("k"));
    await settle();
    const leftovers = await scheduler.stop(30_000);
    expect(leftovers.retries).toEqual([{ key: kv("k"), destinations: ["a"] }]);
    expect(clock.pendingTimers).toBe(0);
  });

  test("ends early when the last run answers within the grace period, with its retries handed back", async () => {
    const { scheduler, executor, clock } = harness({ rule: undefined });
    scheduler.offer(kv("k"));
    await settle();
    const stopped = scheduler.stop(60_000);
    await clock.advance(10);
    executor.runs[0]!.answer(sourceError(executor.runs[0]!.task, "sealed"));
    const leftovers = await stopped;
    expect(clock.now()).toBe(10);
    expect(leftovers).toMatchObject({ inFlight: [], retries: [{ key: kv("k"), destinations: ["a", "b"] }] });
  });

  test("wakes anyone waiting for idle or room, so nothing hangs on shutdown", async () => {
    const { scheduler, clock } = harness({
      concurrency: 1,
      rule: undefined,
      ring: { capacity: 1, liveReserve: 0 },
    });
    scheduler.offer(kv("k"));
    await settle();
    scheduler.offer(kv("q"));
    let woken = 0;
    for (const wait of [scheduler.whenIdle(), scheduler.whenRoom("live")]) wait.then(() => woken++);
    await settle();
    expect(woken).toBe(0);
    const stopped = scheduler.stop(0);
    await clock.advance(0);
    const leftovers = await stopped;
    expect(woken).toBe(2);
    expect(leftovers.pending).toEqual([{ key: kv("q"), priority: "live" }]);
    expect(leftovers.inFlight).toEqual([{ key: kv("k"), destinations: ["a", "b"] }]);
  });
});
