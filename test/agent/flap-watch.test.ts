import { describe, expect, test } from "bun:test";
import { FLAP_WRITES, FlapWatch, WINDOW_MS } from "../../src/agent/flap-watch.ts";
import type { SyncResult } from "../../src/sync/outcome.ts";
import type { SyncKey } from "../../src/sync-key.ts";

const key: SyncKey = { kind: "kv", namespace: "", mount: "secret/", path: "loop/x" };
const written = (destination = "http://b:8200"): SyncResult => ({
  destinations: [{ destination, result: "written", done: ["kv2-write"], skipped: [] }],
});
const unchanged: SyncResult = {
  destinations: [{ destination: "http://b:8200", result: "unchanged", done: [], skipped: [] }],
};

describe("FlapWatch: a key rewritten on a destination again and again", () => {
  test(`the ${FLAP_WRITES}th write within ${WINDOW_MS / 1000} s is reported once, naming the key and the destination`, () => {
    let now = 0;
    const watch = new FlapWatch(() => now);
    const reports = [];
    for (let i = 0; i < FLAP_WRITES + 5; i++) {
      reports.push(...watch.note(key, written()));
      now += 100;
    }
    expect(reports).toEqual([
      { key: "kv secret/loop/x", destination: "http://b:8200", writes: FLAP_WRITES, windowSeconds: 10 },
    ]);
    expect(watch.flaps).toBe(1);
  });

  test("writes spread wider than the window, unchanged syncs and other destinations are not flapping", () => {
    let now = 0;
    const watch = new FlapWatch(() => now);
    for (let i = 0; i < FLAP_WRITES * 3; i++) {
      expect(watch.note(key, written(i % 2 === 0 ? "http://b:8200" : "http://c:8200"))).toEqual([]);
      expect(watch.note(key, unchanged)).toEqual([]);
      now += WINDOW_MS / (FLAP_WRITES / 2) + 1;
    }
    expect(watch.flaps).toBe(0);
  });

  test("a key that flaps again after a quiet window is reported again", () => {
    let now = 0;
    const watch = new FlapWatch(() => now);
    const burst = () => {
      for (let i = 0; i < FLAP_WRITES; i++) watch.note(key, written());
    };
    burst();
    burst();
    expect(watch.flaps).toBe(1);
    now += WINDOW_MS;
    burst();
    expect(watch.flaps).toBe(2);
  });

  test("a flood of distinct keys between a flapping key's writes neither hides its flapping nor grows without bound", () => {
    let now = 0;
    const watch = new FlapWatch(() => now);
    for (let i = 0; i < FLAP_WRITES; i++) {
      // 2,000 other keys written once each between two writes of the flapping one: 18,000 in all,
      // more than the watch remembers, but each sweep forgets the earliest, not the most recent.
      for (let j = 0; j < 2_000; j++) watch.note({ ...key, path: `other/${i}/${j}` }, written());
      watch.note(key, written());
      now += 10;
    }
    expect(watch.flaps).toBe(1);
  });
});
