import { expect, test } from "bun:test";
import { DedupRing } from "../../src/dispatch/ring.ts";
import type { SyncKey } from "../../src/sync-key.ts";

const KEYS = 100_000;

// Keys as the classifier makes them: fresh strings out of JSON.parse, dropped after the offer.
function parsedKey(i: number): SyncKey {
  const line = `{"kind":"kv","namespace":"team-${i % 7}/","mount":"secret/","path":"apps/service-${i}/database/credentials"}`;
  return JSON.parse(line);
}

function heapUsed(): number {
  Bun.gc(true);
  return process.memoryUsage().heapUsed;
}

test("100,000 pending keys fit in well under 100 MB (measured loosely: the heap may hold other garbage)", () => {
  const before = heapUsed();
  const ring = new DedupRing({ capacity: KEYS });
  let queued = 0;
  for (let i = 0; i < KEYS; i++) if (ring.offer(parsedKey(i), "live") === "queued") queued++;
  const perKey = (heapUsed() - before) / KEYS;
  expect(queued).toBe(KEYS);
  expect(ring.size).toBe(KEYS);
  expect(perKey * KEYS).toBeLessThan(40 * 1024 * 1024);
  // The ring keeps ids, not the objects: a key comes back whole from its id.
  expect(ring.take()?.key).toEqual(parsedKey(0));
});
