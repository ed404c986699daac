// A scheduler wired to a manual clock and an executor the test controls. The executor is a real
// implementation of the Execute contract: it records every run, checks that no key is ever run
// twice at once, and answers either right away (from a rule) or when the test settles it.

import type { BackoffOptions } from "../../src/backoff.ts";
import { DedupRing, type RingOptions } from "../../src/dispatch/ring.ts";
import type { DestinationOutcome, Task, TaskOutcome } from "../../src/dispatch/scheduler.ts";
import { Scheduler, type SchedulerOptions } from "../../src/dispatch/scheduler.ts";
import { keyId, type SyncKey } from "../../src/sync-key.ts";
import { ManualClock } from "./manual-clock.ts";

export const kv = (path: string, mount = "secret/"): SyncKey => ({ kind: "kv", namespace: "", mount, path });

export const NO_JITTER: BackoffOptions = { initialMs: 100, maxMs: 10_000, factor: 2, jitter: 0 };

export interface Run {
  task: Task;
  at: number;
  /** Answers a run left open (no rule answered it). */
  answer: (outcome: TaskOutcome) => void;
  fail: (error: Error) => void;
}

export type Rule = (task: Task, clock: ManualClock) => TaskOutcome | undefined;

/** Every destination of the task answers the same. */
export function all(task: Task, outcome: DestinationOutcome): TaskOutcome {
  return { destinations: Object.fromEntries(task.destinations.map((d) => [d, outcome])) };
}

export const ALL_DONE: Rule = (task) => all(task, "done");

export const retryError = {
  retry: true as const,
  error: { code: "VAULT_UNREACHABLE" as const, message: "down" },
};
export const permanentError = { failed: { code: "VAULT_ERROR" as const, message: "400 invalid" } };

export class RecordingExecutor {
  readonly runs: Run[] = [];
  readonly inFlight = new Map<string, number>();
  overlaps = 0;
  maxConcurrent = 0;

  constructor(
    private readonly clock: ManualClock,
    public rule: Rule | undefined,
  ) {}

  readonly execute = (task: Task): Promise<TaskOutcome> => {
    const id = keyId(task.key);
    if (this.inFlight.has(id)) this.overlaps++;
    this.inFlight.set(id, (this.inFlight.get(id) ?? 0) + 1);
    this.maxConcurrent = Math.max(
      this.maxConcurrent,
      [...this.inFlight.values()].reduce((a, b) => a + b, 0),
    );
    const end = () => {
      const left = this.inFlight.get(id)! - 1;
      if (left === 0) this.inFlight.delete(id);
      else this.inFlight.set(id, left);
    };
    return new Promise<TaskOutcome>((resolve, reject) => {
      const run: Run = {
        task,
        at: this.clock.now(),
        answer: (outcome) => {
          end();
          resolve(outcome);
        },
        fail: (error) => {
          end();
          reject(error);
        },
      };
      this.runs.push(run);
      const outcome = this.rule?.(task, this.clock);
      if (outcome) run.answer(outcome);
    });
  };

  /** Runs of one key, as "at:dest+dest" strings. */
  runsOf(path: string): string[] {
    return this.runs
      .filter((r) => r.task.key.path === path)
      .map((r) => `${r.at}:${r.task.destinations.join("+")}`);
  }
}

export interface Harness {
  clock: ManualClock;
  ring: DedupRing;
  executor: RecordingExecutor;
  scheduler: Scheduler;
}

export function harness(
  options: Partial<Omit<SchedulerOptions, "ring" | "execute" | "clock">> & {
    rule?: Rule;
    ring?: Partial<RingOptions>;
  } = {},
): Harness {
  const clock = new ManualClock();
  const ring = new DedupRing({ capacity: 1000, ...options.ring });
  const executor = new RecordingExecutor(clock, "rule" in options ? options.rule : ALL_DONE);
  const scheduler = new Scheduler({
    concurrency: 4,
    destinations: ["a", "b"],
    backoff: NO_JITTER,
    // Reruns at once unless a test is about the hot-key delay, so run counts are easy to follow.
    rerunDelayMs: 0,
    ...options,
    ring,
    clock,
    execute: executor.execute,
  });
  return { clock, ring, executor, scheduler };
}
