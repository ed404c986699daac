// A scheduler wired to a manual clock and an executor the test controls. The executor is a real
// implementation of the Execute contract: it records every run, checks that no key is ever run
// twice at once, and answers either right away (from a rule) or when the test settles it.

import type { BackoffOptions } from "../../src/backoff.ts";
import { DedupRing, type RingOptions } from "../../src/dispatch/ring.ts";
import { Scheduler, type SchedulerOptions, type Task } from "../../src/dispatch/scheduler.ts";
import type { DestinationOutcome, SyncResult, SyncResultKind } from "../../src/sync/outcome.ts";
import type { Done } from "../../src/sync/plan.ts";
import { keyId, type SyncKey } from "../../src/sync-key.ts";
import { ManualClock } from "./manual-clock.ts";

export const kv = (path: string, mount = "secret/"): SyncKey => ({ kind: "kv", namespace: "", mount, path });

export const NO_JITTER: BackoffOptions = { initialMs: 100, maxMs: 10_000, factor: 2, jitter: 0 };

export interface Run {
  task: Task;
  at: number;
  /** Answers a run left open (no rule answered it). */
  answer: (outcome: SyncResult) => void;
  fail: (error: Error) => void;
}

export type Rule = (task: Task, clock: ManualClock) => SyncResult | undefined;

/**
 * A sync result as a worker sends it, from each destination's result.
 * syncResult({a: "written", b: "retry"}) → {destinations: [{destination: "a", result: "written", …}, …]}
 */
export function syncResult(results: Record<string, SyncResultKind>): SyncResult {
  return { destinations: Object.entries(results).map(([name, result]) => outcome(name, result)) };
}

/** Every destination of the task answers the same. */
export function all(task: Task, result: SyncResultKind): SyncResult {
  return { destinations: task.destinations.map((name) => outcome(name, result)) };
}

/** The source could not be read: as the sync reports it, every destination is "retry". */
export function sourceError(task: Task, message: string): SyncResult {
  const error = { code: "VAULT_ERROR" as const, message, transient: true };
  return { sourceError: error, destinations: task.destinations.map((name) => outcome(name, "retry")) };
}

export const ALL_DONE: Rule = (task) => all(task, "written");

const ERRORS = {
  retry: { code: "VAULT_UNREACHABLE", message: "down", transient: true },
  failed: { code: "VAULT_ERROR", message: "400 invalid", transient: false },
} as const;

function outcome(destination: string, result: SyncResultKind): DestinationOutcome {
  const error = result === "retry" || result === "failed" ? { error: ERRORS[result] } : {};
  const done: Done[] = result === "written" ? ["kv2-write"] : result === "deleted" ? ["kv2-soft-delete"] : [];
  return { destination, result, done, skipped: result === "skipped" ? ["deletes-off"] : [], ...error };
}

export class RecordingExecutor {
  readonly runs: Run[] = [];
  readonly inFlight = new Map<string, number>();
  overlaps = 0;
  maxConcurrent = 0;

  constructor(
    private readonly clock: ManualClock,
    public rule: Rule | undefined,
  ) {}

  readonly execute = (task: Task): Promise<SyncResult> => {
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
    return new Promise<SyncResult>((resolve, reject) => {
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
