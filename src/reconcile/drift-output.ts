// How `courier diff` prints its rows: a table for a person at a terminal, or one JSON document
// for a program. Both are written as rows arrive, so a report of a million keys needs no memory.

import { describeKey } from "../sync-key.ts";
import type { DriftRow, DriftSummary } from "./drift.ts";

export interface DriftPrinter {
  row(row: DriftRow): void;
  end(summary: DriftSummary, exitCode: number): void;
}

/**
 * {"drift":[{row},{row}],"summary":{"in_sync":false,"keys":12,"destinations":{…}}}
 * Rows are one a line, so the document also reads well piped through `grep`.
 */
export function jsonPrinter(write: (text: string) => void): DriftPrinter {
  let rows = 0;
  return {
    row(row) {
      write(`${rows++ === 0 ? '{"drift":[\n' : ",\n"}${JSON.stringify(row)}`);
    },
    end(summary, exitCode) {
      const { keys, destinations, failure } = summary;
      const body = { in_sync: exitCode === 0, keys, destinations, ...(failure ? { failure } : {}) };
      write(`${rows === 0 ? '{"drift":[' : "\n"}],"summary":${JSON.stringify(body)}}\n`);
    },
  };
}

/**
 * DESTINATION             STATUS   KEY
 * http://127.0.0.1:8201   differs  kv secret/app  (data, max_versions)
 */
export function tablePrinter(write: (text: string) => void, destinations: readonly string[]): DriftPrinter {
  const width = Math.max("DESTINATION".length, ...destinations.map((d) => d.length));
  let rows = 0;
  return {
    row(row) {
      if (rows++ === 0) write(`${"DESTINATION".padEnd(width)}  STATUS   KEY\n`);
      const detail = row.error ?? row.what.join(", ");
      const note = detail === "" ? "" : `  (${detail})`;
      write(`${row.destination.padEnd(width)}  ${row.status.padEnd(7)}  ${describeKey(row)}${note}\n`);
    },
    end(summary, exitCode) {
      if (rows > 0) write("\n");
      for (const [destination, counts] of Object.entries(summary.destinations)) {
        write(`${destination}: ${describeCounts(counts)}\n`);
      }
      if (summary.failure) write(`${summary.failure}\n`);
      write(`${summary.keys} keys compared: ${VERDICT[exitCode] ?? VERDICT[2]}\n`);
    },
  };
}

const VERDICT: Record<number, string> = { 0: "in sync", 1: "drift found", 2: "could not tell" };

/** describeCounts({missing:1, extra:0, differs:4, errors:0}) → "1 missing, 4 different" */
export function describeCounts(counts: DriftSummary["destinations"][string]): string {
  const parts = [
    counts.missing > 0 ? `${counts.missing} missing` : "",
    counts.extra > 0 ? `${counts.extra} extra` : "",
    counts.differs > 0 ? `${counts.differs} different` : "",
    counts.errors > 0 ? `${counts.errors} could not be compared` : "",
  ].filter((part) => part !== "");
  return parts.length === 0 ? "in sync" : parts.join(", ");
}
