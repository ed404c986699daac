// The ingest path a listener drives — framer → parse → classify → counters — wired as the
// listeners wire it, with each line's outcome recorded so a run can check it.

import { ingestLine } from "../../../src/audit/classify.ts";
import { createIngestCounters, type IngestCounters } from "../../../src/audit/counters.ts";
import { createDatagramFramer, type DiscardReason, LineFramer } from "../../../src/audit/framer.ts";
import { REJECT_REASONS } from "../../../src/audit/parse.ts";
import { fuzzWorld, outcomeOf } from "./world.ts";

export interface Pipeline {
  counters: IngestCounters;
  /** Outcomes recorded since the last take(), in order. */
  take(): string[];
  /** One datagram. */
  datagram(bytes: Uint8Array): void;
  /** A new stream connection's framer, feeding the same counters. */
  stream(): LineFramer;
}

export function createPipeline(maxLineBytes: number): Pipeline {
  const world = fuzzWorld();
  const counters = createIngestCounters();
  const context = { mounts: world.mounts, scope: world.scope, counters, maxLineChars: maxLineBytes };
  let outcomes: string[] = [];
  const rejectedBefore = { ...counters.rejected };

  // ingestLine answers undefined for a rejection; the counter that moved names the reason.
  const rejection = (): string => {
    for (const reason of REJECT_REASONS) {
      if (counters.rejected[reason] !== rejectedBefore[reason]) {
        rejectedBefore[reason] = counters.rejected[reason];
        return `rejected:${reason}`;
      }
    }
    return "rejected:uncounted";
  };
  const onLine = (line: string) => {
    const result = ingestLine(line, context);
    outcomes.push(result === undefined ? rejection() : outcomeOf(result));
  };
  // As the listeners count what the framer drops.
  const onDiscard = (reason: DiscardReason) => {
    if (reason === "oversize") {
      counters.oversize++;
      outcomes.push("oversize");
    } else {
      counters.rejected[reason]++;
      outcomes.push(rejection());
    }
  };
  const options = { maxLineBytes, onLine, onDiscard };
  const datagram = createDatagramFramer(options);
  return {
    counters,
    take() {
      const taken = outcomes;
      outcomes = [];
      return taken;
    },
    datagram,
    stream: () => new LineFramer(options),
  };
}
