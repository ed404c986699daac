// A quick subset of the fault matrix (the whole of it is `bun scripts/faults/run.ts`): under a
// steady write load, a destination answering 500 to half its requests, sync worker threads killed
// while they hold syncs, and Courier killed with SIGKILL mid-burst each end with every destination
// equal to the source — `courier diff` says so — and no error logged. A taken audit port stops
// Courier at start-up with a message naming it.
import { describe, expect, test } from "bun:test";
import { runPortTaken } from "../../scripts/faults/port-taken.ts";
import { ROWS } from "../../scripts/faults/rows.ts";
import { type MatrixOptions, type RowResult, runRow } from "../../scripts/faults/run-row.ts";

const OPTIONS: MatrixOptions = { quick: true, rate: 50, keys: 100, syncLimitMs: 15_000, faultMs: 1_500 };
const inSync = { missing: 0, extra: 0, differs: 0, examples: [] };

async function row(id: string): Promise<RowResult> {
  const found = ROWS.find((r) => r.id === id);
  if (!found) throw new Error(`no row ${id}`);
  const result = await runRow(found, OPTIONS);
  expect(result.inSyncAfterMs).not.toBeNull();
  expect(result.state).toEqual([inSync, inSync]);
  expect(result.errors).toEqual([]);
  expect(result.writes.sent).toBeGreaterThan(50);
  return result;
}

describe("under a steady write load", () => {
  test("a destination answering 500 to half its requests: retried until equal, the other kept up", async () => {
    const result = await row("destination-500-half");
    expect(result.retries.destination).toBeGreaterThan(0);
    expect(result.lag.during[1]!.count).toBeGreaterThan(0);
  }, 30_000);

  test("sync worker threads killed while holding syncs: replaced, and nothing is lost", async () => {
    const result = await row("worker-death");
    expect(result.notes.join()).toMatch(/^[1-9]\d* workers killed while holding syncs$/);
  }, 30_000);

  test("Courier killed with SIGKILL mid-burst and restarted: its start-up pass catches up", async () => {
    await row("sigkill");
  }, 30_000);
});

describe.each(["tcp", "udp"] as const)("the audit port taken at start-up (%s)", (transport) => {
  test("exits 3 with a message naming the address and the reason", async () => {
    const result = await runPortTaken(transport);
    expect(result.exitCode).toBe(3);
    expect(result.message).toMatch(
      new RegExp(
        `cannot listen for the audit stream on ${transport}://127\\.0\\.0\\.1:\\d+: the address is already in use`,
      ),
    );
  });
});
