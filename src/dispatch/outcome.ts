// Reading an executor's answer defensively: it crosses a worker boundary, so a destination may
// be missing or the shape may be wrong. Anything not clearly "done" or "failed" is retried —
// the safe side, since a retry re-reads the source and changes nothing that is already equal.

import type { Task } from "./task.ts";

export interface SplitOutcome {
  done: string[];
  failed: string[];
  retry: string[];
  /** The source could not be read: every destination of the task is retried. */
  sourceFailed: boolean;
}

/**
 * Sorts a task's destinations by what the outcome says for each.
 * (["a","b"], {destinations:{a:"done"}}) → {done:["a"], failed:[], retry:["b"], sourceFailed:false}
 */
export function splitOutcome(task: Pick<Task, "destinations">, outcome: unknown): SplitOutcome {
  const split: SplitOutcome = { done: [], failed: [], retry: [], sourceFailed: false };
  const results = isObject(outcome) && isObject(outcome.destinations) ? outcome.destinations : undefined;
  if (!results) {
    split.sourceFailed = isObject(outcome) && "sourceError" in outcome;
    split.retry.push(...task.destinations);
    return split;
  }
  for (const name of task.destinations) {
    const result = Object.hasOwn(results, name) ? results[name] : undefined;
    if (result === "done") split.done.push(name);
    else if (isObject(result) && "failed" in result) split.failed.push(name);
    else split.retry.push(name);
  }
  return split;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}
