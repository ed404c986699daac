// The ingest path as the agent runs it on its main thread, minus the network: line → parse →
// classify → dedup ring, with keys taken and finished in batches the way the scheduler's pump
// takes them (so offers mostly queue new keys, as in a live stream, rather than coalesce).

import { ingestLine } from "../../../src/audit/classify.ts";
import { createIngestCounters } from "../../../src/audit/counters.ts";
import { compileScope } from "../../../src/audit/scope.ts";
import { DedupRing } from "../../../src/dispatch/ring.ts";
import { benchMountTable } from "./lines.ts";

export interface Pipeline {
  onLine(line: string): void;
  /** Lines seen. */
  readonly lines: number;
  /** Lines that became a key for the ring. */
  readonly accepted: number;
}

/** How many lines go by between two takes: about what one socket read delivers. */
const TAKE_EVERY = 256;

export function createPipeline(): Pipeline {
  const context = { mounts: benchMountTable(), scope: compileScope({}), counters: createIngestCounters() };
  const ring = new DedupRing({ capacity: 100_000 });
  let lines = 0;
  return {
    onLine(line) {
      lines++;
      const result = ingestLine(line, context);
      if (result?.action === "sync") ring.offer(result.key, "live");
      if (lines % TAKE_EVERY === 0) {
        for (let taken = ring.take(); taken; taken = ring.take()) ring.finish(taken.id);
      }
    },
    get lines() {
      return lines;
    },
    get accepted() {
      return context.counters.accepted;
    },
  };
}
