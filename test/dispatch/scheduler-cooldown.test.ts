import { describe, expect, test } from "bun:test";
import { harness, kv, syncResult } from "./harness.ts";
import { settle } from "./manual-clock.ts";

const DONE = syncResult({ a: "written", b: "written" });

describe("a hot key's rerun waits for the rerun delay", () => {
  test("hints during a 5 ms run wait until 100 ms after it started, then cause one run", async () => {
    const { scheduler, executor, clock } = harness({ rule: undefined, rerunDelayMs: 100 });
    scheduler.offer(kv("hot"));
    await settle();
    scheduler.offer(kv("hot"));
    await clock.advance(5);
    executor.runs[0]!.answer(DONE);
    await settle();
    for (let i = 0; i < 500; i++) scheduler.offer(kv("hot"));
    await clock.advance(90);
    expect(executor.runs).toHaveLength(1);
    await clock.advance(5);
    expect(executor.runs).toHaveLength(2);
  });

  test("a burst of one second costs about one run per delay, not one per round trip", async () => {
    const { scheduler, executor, clock } = harness({ rule: undefined, rerunDelayMs: 100 });
    const answerRunsOlderThan = (ms: number) => {
      for (const run of executor.runs)
        if (!answered.has(run) && clock.now() - run.at >= ms) {
          answered.add(run);
          run.answer(DONE);
        }
    };
    const answered = new Set<(typeof executor.runs)[number]>();
    // A hint every millisecond for a second; each run takes 5 ms, as a few loopback calls do.
    for (let ms = 0; ms < 1000; ms++) {
      scheduler.offer(kv("hot"));
      await clock.advance(1);
      answerRunsOlderThan(5);
    }
    for (let ms = 0; ms < 300; ms++) {
      await clock.advance(1);
      answerRunsOlderThan(5);
    }
    await scheduler.whenIdle();
    expect(executor.runs.length).toBeGreaterThanOrEqual(10);
    expect(executor.runs.length).toBeLessThanOrEqual(12);
  });

  test("a key that was not hinted while it ran does not wait", async () => {
    const { scheduler, executor, clock } = harness({ rule: undefined, rerunDelayMs: 100 });
    scheduler.offer(kv("cold"));
    await settle();
    executor.runs[0]!.answer(DONE);
    await settle();
    scheduler.offer(kv("cold"));
    await settle();
    expect(executor.runs).toHaveLength(2);
    expect(clock.now()).toBe(0);
  });

  test("stop hands a held key back as pending", async () => {
    const { scheduler, executor } = harness({ rule: undefined, rerunDelayMs: 100 });
    scheduler.offer(kv("hot"));
    await settle();
    scheduler.offer(kv("hot"));
    executor.runs[0]!.answer(DONE);
    await settle();
    const left = await scheduler.stop(0);
    expect(left.pending.map((p) => p.key.path)).toEqual(["hot"]);
  });
});
