// What a sync of one new KV v2 key costs at the least, done with bare `fetch` and nothing else:
// the reads and writes Courier makes for it (one source data read; on each destination, at once,
// metadata then a write). The ceiling the throughput benchmark holds Courier against.

import { call, type DoubleProcess } from "./double.ts";

/** syncByHand(source, [east, west], "tp/k1"): east and west now hold secret/tp/k1 as the source does. */
export async function syncByHand(source: DoubleProcess, destinations: DoubleProcess[], path: string) {
  // One source read: a data read carries the version's metadata, and it is all Courier reads for a
  // key written through data/ (five requests a key in all, as Courier makes them).
  const read = (await call(source, "GET", `secret/data/${path}`)) as { data: { data: unknown } };
  await Promise.all(
    destinations.map(async (d) => {
      await call(d, "GET", `secret/metadata/${path}`, undefined, [404]);
      await call(d, "POST", `secret/data/${path}`, { data: read.data.data, options: { cas: 0 } });
    }),
  );
}

/**
 * syncUpdateByHand(source, [east, west], "tp/k1"): the same for a key every Vault holds already, at
 * version 1, whose source has a later version: one source data read; on each destination, at once,
 * a data read (is its data the source's already?) then a write checked against its version.
 */
export async function syncUpdateByHand(source: DoubleProcess, destinations: DoubleProcess[], path: string) {
  const read = (await call(source, "GET", `secret/data/${path}`)) as { data: { data: unknown } };
  await Promise.all(
    destinations.map(async (d) => {
      const held = (await call(d, "GET", `secret/data/${path}`)) as {
        data: { data: unknown; metadata: { version: number } };
      };
      if (Bun.deepEquals(held.data.data, read.data.data)) return;
      await call(d, "POST", `secret/data/${path}`, {
        data: read.data.data,
        options: { cas: held.data.metadata.version },
      });
    }),
  );
}

/** Runs `job` over 0…count-1 with at most `concurrency` at once. */
export async function pool(count: number, concurrency: number, job: (i: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) await job(next++);
    }),
  );
}

/** Request counts a double keeps (GET /_double/stats). */
export interface DoubleStats {
  total: number;
  by_operation: Record<string, number>;
}

export function readStats(vault: DoubleProcess): Promise<DoubleStats> {
  return call(vault, "GET", "/_double/stats") as Promise<DoubleStats>;
}

export async function resetStats(vault: DoubleProcess): Promise<void> {
  await call(vault, "DELETE", "/_double/stats");
}

/**
 * Writes `count` KV v2 secrets secret/<prefix>/k<i> on `vault`, 64 at a time; a `version` tag other
 * than the first's writes other data (the next version of each).
 */
export async function seed(vault: DoubleProcess, prefix: string, count: number, version = ""): Promise<void> {
  await pool(count, 64, async (i) => {
    await call(vault, "POST", `secret/data/${prefix}/k${i}`, {
      data: { value: `v${i}${version}`, owner: `team-${i % 7}` },
    });
  });
}
