import { describe, expect, test } from "bun:test";
import type { BackoffOptions } from "../../src/backoff.ts";
import type { SyncResultKind } from "../../src/sync/outcome.ts";
import { ALL_DONE, harness, kv, NO_JITTER, type Rule, sourceError, syncResult } from "./harness.ts";
import { settle } from "./manual-clock.ts";

/** Destination "a" fails for key "flaky" its first `failures` tries; everything else succeeds. */
function flakyA(failures: number): Rule {
  let seen = 0;
  return (task) => {
    const results: Record<string, SyncResultKind> = {};
    for (const d of task.destinations) {
      const fails = task.key.path === "flaky" && d === "a" && seen++ < failures;
      results[d] = fails ? "retry" : "written";
    }
    return syncResult(results);
  };
}

describe("retries per destination", () => {
  test.each<[string, BackoffOptions, number, number[]]>([
    ["no jitter: the ceiling each time", NO_JITTER, 0.9, [0, 100, 300, 700]],
    ["full jitter: a random share of the ceiling", { ...NO_JITTER, jitter: 1 }, 0.5, [0, 50, 150, 350]],
    ["the cap holds waits down", { ...NO_JITTER, maxMs: 150 }, 0, [0, 100, 250, 400]],
  ])(
    "a destination failing 3 times then succeeding gets 4 attempts with growing waits (%s)",
    async (_n, backoff, r, times) => {
      const { scheduler, executor, clock } = harness({ backoff, random: () => r, rule: flakyA(3) });
      scheduler.offer(kv("flaky"));
      await clock.advance(10_000);
      const attempts = executor.runs.filter((run) => run.task.destinations.includes("a"));
      expect(attempts.map((run) => run.at)).toEqual(times);
      expect(attempts.map((run) => run.task.attempt)).toEqual([1, 2, 3, 4]);
      // "b" was done on the first run and never retried: retries cover only the failing destination.
      expect(executor.runsOf("flaky").slice(1)).toEqual(times.slice(1).map((t) => `${t}:a`));
      expect(scheduler.stats()).toMatchObject({ retrying: 0, retriesScheduled: 3 });
      expect(scheduler.stats().destinations).toEqual({
        a: { done: 1, failed: 0, retried: 3 },
        b: { done: 1, failed: 0, retried: 0 },
      });
    },
  );

  test("a failing destination neither holds an executor while it waits nor delays other keys", async () => {
    const { scheduler, executor, clock } = harness({ concurrency: 1, rule: flakyA(3) });
    scheduler.offer(kv("flaky"));
    await clock.advance(50);
    for (const path of ["x", "y", "z"]) scheduler.offer(kv(path));
    await settle();
    expect(executor.runsOf("x")).toEqual(["50:a+b"]);
    expect(executor.runsOf("z")).toEqual(["50:a+b"]);
    expect(scheduler.stats()).toMatchObject({ inFlight: 0, retrying: 1 });
  });

  test("a permanent failure is counted and never retried; the other destination is done", async () => {
    const rule: Rule = () => syncResult({ a: "failed", b: "written" });
    const { scheduler, executor, clock } = harness({ rule });
    scheduler.offer(kv("k"));
    await clock.advance(3_600_000);
    expect(executor.runs).toHaveLength(1);
    expect(scheduler.stats().destinations).toEqual({
      a: { done: 0, failed: 1, retried: 0 },
      b: { done: 1, failed: 0, retried: 0 },
    });
    expect(scheduler.stats()).toMatchObject({ retrying: 0, retriesScheduled: 0 });
  });

  test("a destination the executor did not answer for is retried", async () => {
    let first = true;
    const rule: Rule = (task) => {
      if (!first) return ALL_DONE(task, undefined as never);
      first = false;
      return syncResult({ a: "written" });
    };
    const { scheduler, executor, clock } = harness({ rule });
    scheduler.offer(kv("k"));
    await clock.advance(1000);
    expect(executor.runsOf("k")).toEqual(["0:a+b", "100:b"]);
  });

  test("when the source cannot be read, every destination is retried with backoff", async () => {
    let sealed = 2;
    const rule: Rule = (task) =>
      sealed-- > 0 ? sourceError(task, "503 sealed") : ALL_DONE(task, undefined as never);
    const { scheduler, executor, clock } = harness({ rule });
    scheduler.offer(kv("k"));
    await clock.advance(1000);
    expect(executor.runsOf("k")).toEqual(["0:a+b", "100:a+b", "300:a+b"]);
    expect(executor.runs.map((r) => r.task.attempt)).toEqual([1, 2, 3]);
    expect(scheduler.stats()).toMatchObject({ sourceErrors: 2, retrying: 0 });
    expect(scheduler.stats().destinations.a).toEqual({ done: 1, failed: 0, retried: 2 });
  });
});

describe("a hint for a key with retries pending", () => {
  // Destination "a" is down for good; "b" is fine.
  const aDown: Rule = (task) =>
    syncResult(Object.fromEntries(task.destinations.map((d) => [d, d === "a" ? "retry" : "written"])));

  test("syncs the healthy destinations at once and leaves the failing one on its own timer", async () => {
    const { scheduler, executor, clock } = harness({ rule: aDown });
    scheduler.offer(kv("k"));
    for (let t = 0; t < 5; t++) {
      await clock.advance(20);
      scheduler.offer(kv("k"));
    }
    await clock.advance(400);
    // "a" is tried at 0, 100, 300 (its backoff growing as if no hint came); "b" after each hint.
    expect(executor.runsOf("k")).toEqual([
      "0:a+b",
      "20:b",
      "40:b",
      "60:b",
      "80:b",
      "100:a",
      "100:b",
      "300:a",
    ]);
  });

  test("does not reset the failing destination's backoff, so a hot key cannot hammer it", async () => {
    const { scheduler, executor, clock } = harness({ rule: aDown, destinations: ["a"] });
    scheduler.offer(kv("k"));
    for (let t = 0; t < 1500; t++) {
      scheduler.offer(kv("k"));
      await clock.advance(1);
    }
    expect(executor.runsOf("k")).toEqual(["0:a", "100:a", "300:a", "700:a", "1500:a"]);
    expect(scheduler.stats().runs).toBe(5);
  });

  test("merges with a due retry still waiting for an executor: one run covers both", async () => {
    const { scheduler, executor, clock } = harness({ concurrency: 1, rule: undefined });
    scheduler.offer(kv("k"));
    await settle();
    executor.runs[0]!.answer(syncResult({ a: "retry", b: "written" }));
    await clock.advance(50);
    scheduler.offer(kv("blocker"));
    await clock.advance(70);
    expect(scheduler.offer(kv("k"))).toBe("coalesced");
    executor.runs[1]!.answer(syncResult({ a: "written", b: "written" }));
    await settle();
    expect(executor.runsOf("k")).toEqual(["0:a+b", "120:a+b"]);
    expect(executor.runs[2]!.task.attempt).toBe(2);
  });

  test("a retry falling due while a hint's run is going runs once more, for the due destination only", async () => {
    const { scheduler, executor, clock } = harness({ rule: undefined });
    scheduler.offer(kv("k"));
    await settle();
    executor.runs[0]!.answer(syncResult({ a: "retry", b: "written" }));
    await clock.advance(99);
    scheduler.offer(kv("k"));
    await settle();
    expect(executor.runsOf("k")).toEqual(["0:a+b", "99:b"]);
    await clock.advance(1);
    executor.runs[1]!.answer(syncResult({ b: "written" }));
    await settle();
    expect(executor.runsOf("k")).toEqual(["0:a+b", "99:b", "100:a"]);
  });

  test("a hint while a key's first run is going, which then fails for one destination, reruns the others", async () => {
    const { scheduler, executor, clock } = harness({ rule: undefined });
    scheduler.offer(kv("k"));
    await settle();
    scheduler.offer(kv("k"));
    executor.runs[0]!.answer(syncResult({ a: "retry", b: "written" }));
    await settle();
    // The source may have changed after the first read: "b" must be synced again, "a" waits.
    expect(executor.runsOf("k")).toEqual(["0:a+b", "0:b"]);
    executor.runs[1]!.answer(syncResult({ b: "written" }));
    await clock.advance(100);
    expect(executor.runsOf("k")).toEqual(["0:a+b", "0:b", "100:a"]);
  });

  test("past the limit on keys with retries, the key's mount is marked for a pass instead", async () => {
    const { scheduler, ring, clock } = harness({ rule: aDown, maxRetrying: 2 });
    for (const p of ["k1", "k2"]) scheduler.offer(kv(p));
    scheduler.offer(kv("k3", "big/"));
    await clock.advance(1);
    expect(scheduler.stats()).toMatchObject({ retrying: 2, retryOverflow: 1 });
    expect(ring.takeOverflowedMounts()).toEqual([{ kind: "kv", namespace: "", mount: "big/" }]);
  });
});
