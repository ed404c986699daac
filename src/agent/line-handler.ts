// What happens to one audit line: parse, classify, and hand a hint to the scheduler. Synchronous
// and memory-only, as rule 3 asks: the listener calls it for every line it reads.

import { classify, type IngestContext, ingestLine } from "../audit/classify.ts";
import { parseAuditLine } from "../audit/parse.ts";
import type { Scheduler } from "../dispatch/scheduler.ts";

export interface LineHandler {
  /** A line as read from the audit stream. */
  first(line: string): void;
  /** A line that waited for a mount-table refresh; it was counted the first time. */
  again(line: string): void;
}

export function createLineHandler(
  context: IngestContext,
  scheduler: Scheduler,
  refreshMounts: (namespace: string, line?: string) => void,
): LineHandler {
  return {
    first(line) {
      const result = ingestLine(line, context);
      if (result === undefined) return;
      if (result.action === "sync") scheduler.offer(result.key, "live");
      else if (result.action === "refresh-mounts") refreshMounts(result.namespace);
      else if (result.action === "unknown-mount") refreshMounts(result.namespace, line);
    },
    again(line) {
      const parsed = parseAuditLine(line, context.maxLineChars);
      if (!parsed.ok) return;
      const result = classify(parsed.entry, context.mounts, context.scope);
      if (result.action === "sync") {
        context.counters.accepted++;
        scheduler.offer(result.key, "live");
      } else if (result.action === "ignore") {
        context.counters.ignored[result.reason]++;
      } else {
        context.counters.ignored.unknown_mount++;
      }
    },
  };
}
