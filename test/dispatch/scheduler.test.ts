import { describe, expect, test } from "bun:test";
import { systemClock } from "../../src/dispatch/clock.ts";
import { DedupRing } from "../../src/dispatch/ring.ts";
import { Scheduler } from "../../src/dispatch/scheduler.ts";
import { keyId } from "../../src/sync-key.ts";
import { ALL_DONE, harness, kv, NO_JITTER, sourceError, syncResult } from "./harness.ts";
import { settle } from "./manual-clock.ts";

describe("running keys", () => {
  test("a hint becomes one run covering every destination", async () => {
    const { scheduler, executor } = harness();
    expect(scheduler.offer(kv("app/db"))).toBe("queued");
    await settle();
    expect(executor.runs.map((r) => r.task)).toEqual([
      { key: kv("app/db"), destinations: ["a", "b"], attempt: 1 },
    ]);
    expect(scheduler.stats().destinations).toEqual({
      a: { done: 1, failed: 0, retried: 0 },
      b: { done: 1, failed: 0, retried: 0 },
    });
  });

  test("a hot key offered 10,000 times while one run is in flight causes exactly 2 runs", async () => {
    const { scheduler, executor } = harness({ rule: undefined });
    scheduler.offer(kv("hot"));
    await settle();
    expect(executor.runs).toHaveLength(1);
    for (let i = 0; i < 10_000; i++) scheduler.offer(kv("hot"));
    executor.runs[0]!.answer(syncResult({ a: "written", b: "written" }));
    await settle();
    expect(executor.runs).toHaveLength(2);
    executor.runs[1]!.answer(syncResult({ a: "written", b: "written" }));
    await scheduler.whenIdle();
    expect(executor.runs).toHaveLength(2);
    expect(scheduler.stats()).toMatchObject({ runs: 2, queueDepth: 0, inFlight: 0 });
  });

  test("a burst of hints offered before any run starts coalesces into one run", async () => {
    const { scheduler, executor } = harness();
    for (let i = 0; i < 1000; i++) scheduler.offer(kv("hot"));
    await scheduler.whenIdle();
    expect(executor.runs).toHaveLength(1);
  });

  test("a hint mid-run causes exactly one more run, after the first ends", async () => {
    const { scheduler, executor } = harness({ rule: undefined });
    scheduler.offer(kv("k"));
    await settle();
    expect(scheduler.offer(kv("k"))).toBe("dirty");
    await settle();
    expect(executor.runs).toHaveLength(1);
    executor.runs[0]!.answer(syncResult({ a: "written", b: "written" }));
    await settle();
    expect(executor.runs).toHaveLength(2);
    expect(executor.overlaps).toBe(0);
  });

  test("with one executor, live hints run before keys of a pass, each in arrival order", async () => {
    const { scheduler, executor } = harness({ concurrency: 1, rule: undefined });
    scheduler.offer(kv("first"), "reconcile");
    await settle();
    for (const path of ["p1", "p2"]) scheduler.offer(kv(path), "reconcile");
    for (const path of ["l1", "l2"]) scheduler.offer(kv(path), "live");
    scheduler.offer(kv("p2"), "live");
    for (let i = 0; i < 5; i++) {
      executor.runs[i]!.answer(syncResult({ a: "written", b: "written" }));
      await settle();
    }
    expect(executor.runs.map((r) => r.task.key.path)).toEqual(["first", "l1", "l2", "p2", "p1"]);
  });

  test("never more runs at once than the concurrency", async () => {
    const { scheduler, executor } = harness({ concurrency: 3, rule: undefined });
    for (let i = 0; i < 10; i++) scheduler.offer(kv(`k${i}`));
    await settle();
    expect(executor.runs).toHaveLength(3);
    expect(scheduler.stats()).toMatchObject({ inFlight: 3, queueDepth: 7 });
    executor.runs[1]!.answer(syncResult({ a: "written", b: "written" }));
    await settle();
    expect(executor.runs).toHaveLength(4);
    expect(executor.maxConcurrent).toBe(3);
  });

  test("whenRoom lets a pass wait for space instead of overflowing the ring", async () => {
    const { scheduler, executor } = harness({
      concurrency: 1,
      rule: undefined,
      ring: { capacity: 4, liveReserve: 2 },
    });
    scheduler.offer(kv("busy"));
    await settle();
    expect(["r1", "r2", "r3"].map((p) => scheduler.offer(kv(p), "reconcile"))).toEqual([
      "queued",
      "queued",
      "overflow",
    ]);
    let roomy = false;
    scheduler.whenRoom("reconcile").then(() => {
      roomy = true;
    });
    await settle();
    expect(roomy).toBe(false);
    executor.runs[0]!.answer(syncResult({ a: "written", b: "written" }));
    await settle();
    expect(roomy).toBe(true);
  });

  test("an executor that throws instead of answering gets the key retried, not lost", async () => {
    const { scheduler, executor } = harness({ rule: undefined });
    scheduler.offer(kv("k"));
    await settle();
    executor.runs[0]!.fail(new Error("worker exited"));
    await settle();
    expect(scheduler.stats()).toMatchObject({ executorErrors: 1, retrying: 1, retriesScheduled: 2 });
  });
});

describe("no key is ever in flight twice", () => {
  // A seeded random workload: hints at random times, runs of random length, outcomes that fail
  // at random for a while. Then the failures stop and everything must converge.
  test("under random hints, durations and failures; and every hint is followed by a successful run", async () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    let healthy = false;
    let seq = 0;
    const lastHint = new Map<string, number>();
    const lastDone = new Map<string, number>();
    const h = harness({ concurrency: 4, destinations: ["a", "b", "c"], random, rule: undefined });
    const { scheduler, executor, clock } = h;
    executor.rule = (task, c) => {
      const started = ++seq;
      const answer = () => {
        if (!healthy && random() < 0.15)
          return executor.runs.find((r) => r.task === task)!.fail(new Error("died"));
        if (!healthy && random() < 0.15) {
          executor.runs.find((r) => r.task === task)!.answer(sourceError(task, "503"));
          return;
        }
        const results = Object.fromEntries(
          task.destinations.map((d) => {
            const ok = healthy || random() < 0.6;
            if (ok) lastDone.set(`${keyId(task.key)}|${d}`, started);
            return [d, ok ? ("written" as const) : ("retry" as const)];
          }),
        );
        executor.runs.find((r) => r.task === task)!.answer(syncResult(results));
      };
      c.setTimeout(answer, Math.floor(random() * 50));
      return undefined;
    };
    const keys = Array.from({ length: 20 }, (_, i) => kv(`k${i}`));
    for (let step = 0; step < 400; step++) {
      const key = keys[Math.floor(random() * keys.length)]!;
      const result = scheduler.offer(key, random() < 0.7 ? "live" : "reconcile");
      expect(result).not.toBe("overflow");
      lastHint.set(keyId(key), ++seq);
      await clock.advance(Math.floor(random() * 20));
    }
    healthy = true;
    await clock.advance(60_000);
    await scheduler.whenIdle();
    expect(executor.overlaps).toBe(0);
    expect(executor.maxConcurrent).toBeLessThanOrEqual(4);
    expect(executor.runs.length).toBeGreaterThan(100);
    expect(scheduler.stats()).toMatchObject({ queueDepth: 0, inFlight: 0, retrying: 0 });
    for (const [id, hinted] of lastHint) {
      for (const d of ["a", "b", "c"]) expect(lastDone.get(`${id}|${d}`) ?? 0).toBeGreaterThan(hinted);
    }
  });
});

describe("whenIdle", () => {
  test("waits for retries too, not just the queue", async () => {
    let failures = 0;
    const { scheduler, clock } = harness({
      rule: (task) => (failures++ < 1 ? sourceError(task, "sealed") : ALL_DONE(task, clock)),
    });
    let idle = false;
    scheduler.offer(kv("k"));
    scheduler.whenIdle().then(() => {
      idle = true;
    });
    await settle();
    expect(idle).toBe(false);
    await clock.advance(100);
    expect(idle).toBe(true);
  });
});

describe("reporting", () => {
  test("tells the observer about every finished run, with its outcome and how long it took", async () => {
    const seen: { path: string; outcome: unknown; ms: number }[] = [];
    const { scheduler, executor, clock } = harness({
      rule: undefined,
      onSettled: ({ task, outcome, ms }) => seen.push({ path: task.key.path, outcome, ms }),
    });
    scheduler.offer(kv("k"));
    await clock.advance(25);
    const answer = syncResult({ a: "written", b: "unchanged" });
    executor.runs[0]!.answer(answer);
    await settle();
    expect(seen).toEqual([{ path: "k", outcome: answer, ms: 25 }]);
  });

  test("counts hints that were coalesced or promoted, and keeps stats as a snapshot", async () => {
    const { scheduler } = harness({ concurrency: 1, rule: undefined });
    scheduler.offer(kv("busy"));
    await settle();
    scheduler.offer(kv("p"), "reconcile");
    scheduler.offer(kv("p"), "live");
    scheduler.offer(kv("p"), "live");
    const snapshot = scheduler.stats();
    expect(snapshot).toMatchObject({ coalesced: 2, promoted: 1, queueLive: 1, queueReconcile: 0, runs: 1 });
    snapshot.destinations.a!.done = 99;
    expect(scheduler.stats().destinations.a!.done).toBe(0);
  });
});

describe("with the system clock", () => {
  test("a retry fires on a real timer and the key ends done", async () => {
    let calls = 0;
    const clock = systemClock;
    const ring = new DedupRing({ capacity: 10 });
    const scheduler = new Scheduler({
      ring,
      clock,
      concurrency: 2,
      destinations: ["a"],
      backoff: { initialMs: 5, maxMs: 20, factor: 2, jitter: 1 },
      execute: async () => syncResult({ a: calls++ < 2 ? "retry" : "written" }),
    });
    scheduler.offer(kv("k"));
    await scheduler.whenIdle();
    expect(calls).toBe(3);
    expect(scheduler.stats().destinations.a).toEqual({ done: 1, failed: 0, retried: 2 });
  });

  test("refuses a concurrency below one and an empty destination list, naming the setting", () => {
    const base = { ring: new DedupRing({ capacity: 1 }), backoff: NO_JITTER, execute: ALL_DONE as never };
    expect(() => new Scheduler({ ...base, concurrency: 0, destinations: ["a"] })).toThrow(
      "worker.concurrency",
    );
    expect(() => new Scheduler({ ...base, concurrency: 1, destinations: [] })).toThrow(
      "vault.destinations.addresses",
    );
    expect(() => new DedupRing({ capacity: 0 })).toThrow("worker.queue_size");
  });
});
