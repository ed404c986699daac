import { describe, expect, test } from "bun:test";
import { backoffDelay } from "../../src/backoff.ts";
import { TokenBucket } from "../../src/dispatch/clock.ts";
import { splitOutcome } from "../../src/dispatch/scheduler.ts";

describe("backoffDelay", () => {
  const base = { initialMs: 100, maxMs: 1000, factor: 2, jitter: 0 };
  test.each([
    ["first failure waits the initial ceiling", base, 1, 0.7, 100],
    ["each failure doubles it", base, 3, 0.7, 400],
    ["the cap holds", base, 5, 0.7, 1000],
    ["a thousand failures stay at the cap", base, 1000, 0.7, 1000],
    ["a huge factor still gives the cap", { ...base, factor: 1e9 }, 50, 0, 1000],
    ["full jitter can go down to nothing", { ...base, jitter: 1 }, 3, 0.999999, 400 * 0.000001],
    ["full jitter takes a random share", { ...base, jitter: 1 }, 3, 0.25, 300],
    ["half jitter keeps a floor of half", { ...base, jitter: 0.5 }, 2, 0.999999, 100.0001],
    ["jitter out of range is clamped", { ...base, jitter: 7 }, 1, 0.5, 50],
  ])("%s", (_name, options, failures, random, expected) => {
    expect(backoffDelay(options, failures, random)).toBeCloseTo(expected, 6);
  });
});

describe("splitOutcome", () => {
  const task = { destinations: ["a", "b", "c"] };
  const error = { code: "VAULT_ERROR", message: "500", transient: true };
  const answer = (destination: string, result: unknown) => ({ destination, result, done: [], skipped: [] });
  test.each([
    [
      "sorted by answer",
      { destinations: [answer("a", "written"), { ...answer("b", "retry"), error }, answer("c", "failed")] },
      ["a"],
      ["c"],
      ["b"],
      false,
    ],
    [
      "unchanged, deleted and skipped leave nothing to retry",
      { destinations: [answer("a", "unchanged"), answer("b", "deleted"), answer("c", "skipped")] },
      ["a", "b", "c"],
      [],
      [],
      false,
    ],
    [
      "a missing destination is retried",
      { destinations: [answer("a", "written")] },
      ["a"],
      [],
      ["b", "c"],
      false,
    ],
    [
      "a source error retries all",
      { sourceError: error, destinations: ["a", "b", "c"].map((d) => ({ ...answer(d, "retry"), error })) },
      [],
      [],
      ["a", "b", "c"],
      true,
    ],
    ["no answer at all retries all", undefined, [], [], ["a", "b", "c"], false],
    ["garbage retries all", "done", [], [], ["a", "b", "c"], false],
    [
      "an unknown answer is retried",
      { destinations: [answer("a", "ok"), null, 3, { result: "written" }, answer("b", undefined)] },
      [],
      [],
      ["a", "b", "c"],
      false,
    ],
    [
      "destinations keyed by name instead of listed are not answers",
      { destinations: { a: answer("a", "written") } },
      [],
      [],
      ["a", "b", "c"],
      false,
    ],
  ])("%s", (_name, outcome, done, failedList, retryList, sourceFailed) => {
    expect(splitOutcome(task, outcome)).toEqual({ done, failed: failedList, retry: retryList, sourceFailed });
  });
});

describe("TokenBucket", () => {
  // Each row: rate, burst, and [time in ms, expected answer] steps.
  test.each<[string, number, number, [number, boolean][]]>([
    [
      "a full bucket allows the burst at once",
      1,
      3,
      [
        [0, true],
        [0, true],
        [0, true],
        [0, false],
      ],
    ],
    [
      "refills at the rate",
      10,
      1,
      [
        [0, true],
        [50, false],
        [100, true],
        [150, false],
        [200, true],
      ],
    ],
    [
      "never holds more than the burst after a long quiet",
      1000,
      2,
      [
        [0, true],
        [0, true],
        [60_000, true],
        [60_000, true],
        [60_000, false],
      ],
    ],
    [
      "a clock that steps back refills nothing",
      10,
      1,
      [
        [1000, true],
        [500, false],
        [1000, false],
      ],
    ],
  ])("%s", (_name, perSecond, burst, steps) => {
    let now = 0;
    const bucket = new TokenBucket({ perSecond, burst }, { now: () => now });
    for (const [at, expected] of steps) {
      now = at;
      expect(bucket.tryTake()).toBe(expected);
    }
  });
});
