// The record of which keys Courier manages on each destination: it survives a restart, a crash
// in the middle of a write, and growth to many keys without growing without end itself.
import { describe, expect, test } from "bun:test";
import { appendFileSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ManagedKeys, managedFileName } from "../../src/sync/managed.ts";
import { freshStateDir } from "../support/courier-process.ts";

const EAST = "http://127.0.0.1:8201";
const WEST = "http://127.0.0.1:8202";

describe("ManagedKeys", () => {
  test("remembers per destination, across a restart, what was noted before the flush", async () => {
    const dir = freshStateDir();
    const first = await ManagedKeys.open(dir, [EAST, WEST]);
    first.note(EAST, "kv\0\0secret/\0a", true);
    first.note(EAST, "kv\0\0secret/\0b", true);
    first.note(WEST, "kv\0\0secret/\0a", true);
    first.note(EAST, "kv\0\0secret/\0b", false);
    first.note(WEST, "kv\0\0secret/\0c", undefined);
    await first.flush();

    const again = await ManagedKeys.open(dir, [`${EAST}/`, WEST]);
    expect(again.has(EAST, "kv\0\0secret/\0a")).toBe(true);
    expect(again.has(EAST, "kv\0\0secret/\0b")).toBe(false);
    expect(again.managedOn("kv\0\0secret/\0a", [EAST, WEST])).toEqual([EAST, WEST]);
    expect(again.anywhere("kv\0\0secret/\0c")).toBe(false);
  });

  test("keeps each destination's fingerprint apart, across a restart, until the key is let go there", async () => {
    const dir = freshStateDir();
    const first = await ManagedKeys.open(dir, [EAST, WEST]);
    first.note(EAST, "a", true, "east1");
    first.note(WEST, "a", true, "west1");
    first.note(WEST, "b", true);
    first.note(EAST, "a", undefined, "east2");
    await first.flush();

    const again = await ManagedKeys.open(dir, [EAST, WEST]);
    expect(again.verifiedOn("a", [EAST, `${WEST}/`])).toEqual({ [EAST]: "east2", [WEST]: "west1" });
    expect(again.verifiedOn("b", [EAST, WEST])).toEqual({});
    expect(again.managedOn("b", [EAST, WEST])).toEqual([WEST]);
    expect([again.size(EAST), again.size(WEST)]).toEqual([1, 2]);
    again.note(WEST, "a", false);
    again.note(WEST, "b", false);
    expect(again.verifiedOn("a", [EAST, WEST])).toEqual({ [EAST]: "east2" });
    expect([again.anywhere("a"), again.anywhere("b")]).toEqual([true, false]);
  });

  test("a line torn by a crash loses only itself", async () => {
    const dir = freshStateDir();
    const store = await ManagedKeys.open(dir, [EAST]);
    store.note(EAST, "a", true);
    store.note(EAST, "b", true);
    await store.flush();
    appendFileSync(join(dir, managedFileName(EAST)), '+"c');
    const again = await ManagedKeys.open(dir, [EAST]);
    expect([again.has(EAST, "a"), again.has(EAST, "b"), again.has(EAST, "c")]).toEqual([true, true, false]);
  });

  test("another destination's file, or a foreign one, is not read as this one's", async () => {
    const dir = freshStateDir();
    const warnings: string[] = [];
    writeFileSync(
      join(dir, managedFileName(EAST)),
      `${JSON.stringify({ version: 1, destination: WEST })}\n+"a"\n`,
    );
    const store = await ManagedKeys.open(dir, [EAST], (m) => warnings.push(m));
    expect(store.has(EAST, "a")).toBe(false);
    expect(warnings).toHaveLength(1);
  });

  test("the log is rewritten once it holds far more lines than keys, and stays right", async () => {
    const dir = freshStateDir();
    const store = await ManagedKeys.open(dir, [EAST]);
    for (let round = 0; round < 4; round++) {
      for (let i = 0; i < 2000; i++) store.note(EAST, `k${i}`, round % 2 === 0);
      await store.flush();
    }
    store.note(EAST, "last", true);
    await store.flush();
    const lines = readFileSync(join(dir, managedFileName(EAST)), "utf8")
      .trim()
      .split("\n");
    expect(lines.length).toBeLessThan(2 * 1 + 1024 + 2);
    const again = await ManagedKeys.open(dir, [EAST]);
    expect(again.size(EAST)).toBe(1);
    expect(again.has(EAST, "last")).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  test("an unwritable state directory is said once; the keys are still known in memory", async () => {
    const dir = freshStateDir();
    const blocked = join(dir, "not-a-dir");
    writeFileSync(blocked, "");
    const warnings: string[] = [];
    const store = await ManagedKeys.open(blocked, [EAST, WEST], (m) => warnings.push(m));
    store.note(EAST, "a", true);
    store.note(WEST, "a", true);
    await store.flush();
    expect(store.has(EAST, "a")).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("make the state directory writable");
  });
});
