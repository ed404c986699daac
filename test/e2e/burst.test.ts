// Bursts. A hot key: a thousand writes to one secret. The ring coalesces the hints, one sync
// of the key runs at a time and a hint mid-sync makes it run once more, so every destination
// ends equal to the source having been written only a handful of times.
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Harness, startHarness } from "../support/courier-harness.ts";
import { onEveryDestination, problems } from "./everywhere.ts";

const WRITES = 1_000;
const STREAMS = 8;
const DISTINCT = 500;

describe.each(["udp", "tcp"] as const)("bursts over %s", (transport) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ transport });
  });
  afterAll(async () => {
    expect(await h.stop()).toBe(0);
  });

  test(`${WRITES} writes end equal on every destination with few versions there`, async () => {
    const started = performance.now();
    let next = 0;
    // A few clients writing at once, as a busy application would: the burst lasts well under a second.
    await Promise.all(
      Array.from({ length: STREAMS }, async () => {
        while (next < WRITES) {
          const n = next++;
          await h.source.must("POST", "secret/data/hot/key", { data: { n: String(n) } });
        }
      }),
    );
    const burstMs = performance.now() - started;
    const source = await h.source.kv2Metadata("secret", "hot/key");
    expect(source.current_version).toBe(WRITES);
    const final = await h.source.kv2Data("secret", "hot/key");

    await onEveryDestination(h, async (d) => expect(await d.kv2Data("secret", "hot/key")).toEqual(final));
    const versions = await Promise.all(
      h.destinations.map(async (d) => (await d.kv2Metadata("secret", "hot/key")).current_version as number),
    );
    console.log(transport, "burst", Math.round(burstMs), "ms; destination versions", versions);
    // Each sync writes at most one version, and a key has at most one sync in flight plus one
    // queued behind it whatever the number of hints. A sync is a few round trips on loopback
    // (a few milliseconds), so a sub-second burst allows tens of syncs at the very most; one
    // sync per write would be 1,000. The bound says "coalesced", with room for a slow machine.
    for (const count of versions) expect(count).toBeLessThanOrEqual(WRITES / 10);
  });

  test(`${DISTINCT} distinct keys written at once all arrive`, async () => {
    let next = 0;
    await Promise.all(
      Array.from({ length: STREAMS }, async () => {
        while (next < DISTINCT) {
          const n = next++;
          await h.source.must("POST", `secret/data/many/${n}`, { data: { n: String(n) } });
        }
      }),
    );
    await onEveryDestination(
      h,
      async (d) => {
        const keys = (await d.must("GET", "secret/metadata/many/?list=true")).body.data.keys as string[];
        expect(keys.length).toBe(DISTINCT);
      },
      { timeoutMs: 4_000, everyMs: 50 },
    );
    for (const d of h.destinations) {
      for (const n of [0, DISTINCT / 2, DISTINCT - 1])
        expect(await d.kv2Data("secret", `many/${n}`)).toEqual({ n: String(n) });
    }
  });

  test("nothing was logged as a failure", () => {
    expect(problems(h)).toEqual([]);
  });
});
