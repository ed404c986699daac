// One row of the fault matrix, start to end: a fresh world, a steady write load, the fault for its
// duration, then the load stops and the fault clears together, and the row measures how long
// until `courier diff` says in sync, how many syncs were retried, and whether the destinations
// hold exactly what the source holds.
import { latency, WriteLoad } from "./load.ts";
import type { Row } from "./rows.ts";
import { compareStates, readState, type StateDiff } from "./state.ts";
import { LagProbe, type Retries, RetryCounter, type spread, untilInSync } from "./watch.ts";
import { startWorld } from "./world.ts";

export interface MatrixOptions {
  quick: boolean;
  /** Writes a second, and keys they spread over. */
  rate: number;
  keys: number;
  /** How long a row may take to come back in sync before it is reported as not. */
  syncLimitMs: number;
  /** Every fault lasts this long instead (the tests' shorter rows). */
  faultMs?: number;
}

export interface RowResult {
  id: string;
  title: string;
  durationMs: number;
  transport: string;
  /** Writes a second during this row. */
  rate: number;
  /** Set when the row shows a known limit (its drift is expected). */
  expectsDrift?: string;
  /** ms from the fault clearing until `courier diff` exited 0; null: not within the limit. */
  inSyncAfterMs: number | null;
  /** How long one `courier diff` took (the resolution of the figure above). */
  diffMs: number | null;
  retries: Retries;
  writes: { sent: number; failed: number; skipped: number };
  /** Latency of the source's clients before and while the fault lasted. */
  latency: { before: ReturnType<typeof latency>; during: ReturnType<typeof latency> };
  /** Lag of each destination (A = the faulted one, B) behind the source, before and during. */
  lag: { before: ReturnType<typeof spread>[]; during: ReturnType<typeof spread>[] };
  /** Per destination: what differs from the source once in sync (or at the limit). */
  state: StateDiff[];
  errors: string[];
  notes: string[];
}

export async function runRow(row: Row, options: MatrixOptions): Promise<RowResult> {
  const durationMs = options.faultMs ?? (options.quick ? row.durationMs.quick : row.durationMs.full);
  const world = await startWorld({
    transport: row.transport ?? "udp",
    keys: options.keys,
    inProcess: row.inProcess,
    flags: row.flags,
  });
  const rate = options.rate * (row.rateFactor ?? 1);
  const notes: string[] = [];
  try {
    const retries = new RetryCounter(world);
    await retries.zero();
    const load = new WriteLoad(world.source, { rate, keys: options.keys });
    const probe = new LagProbe(world.source, world.destinations);
    load.start();
    probe.start();
    const warmMs = options.quick ? 1_000 : 3_000;
    await Bun.sleep(warmMs);
    const faultAt = load.now();
    const faultWall = performance.now();
    const clear = await row.start({ world, note: (text) => notes.push(text) });
    // Counters of a process about to be killed are read while it still answers.
    const reading = setInterval(() => void retries.read(), 250);
    await Bun.sleep(durationMs);
    clearInterval(reading);
    await retries.read();
    if (row.id.startsWith("sigkill")) retries.restarted();
    const clearAt = load.now();
    const clearWall = performance.now();
    await Promise.all([clear(), load.stop()]);
    await probe.stop();
    const synced = await untilInSync(world, clearWall, options.syncLimitMs);
    await retries.read();
    const sourceState = await readState(world.source);
    const state = await Promise.all(
      world.destinations.map(async (d) => compareStates(sourceState, await readState(d))),
    );
    const ops = load.operations;
    return {
      id: row.id,
      title: row.title(durationMs),
      durationMs,
      transport: row.transport ?? "udp",
      rate,
      expectsDrift: row.expectsDrift,
      inSyncAfterMs: synced?.ms ?? null,
      diffMs: synced?.diffMs ?? null,
      retries: retries.total(),
      writes: { sent: ops.length, failed: ops.filter((o) => !o.ok).length, skipped: load.skipped },
      latency: { before: latency(ops, 0, faultAt), during: latency(ops, faultAt, clearAt) },
      lag: { before: probe.between(0, faultWall), during: probe.between(faultWall, clearWall) },
      state,
      errors: world.errors(),
      notes,
    };
  } finally {
    await world.stop();
  }
}
