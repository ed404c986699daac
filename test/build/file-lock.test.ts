import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { withFileLock } from "../../scripts/build/file-lock.ts";

const dir = mkdtempSync(join(tmpdir(), "courier-lock-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the build lock", () => {
  test("lets one holder in at a time, in turn", async () => {
    const lock = join(dir, "turns.lock");
    const events: string[] = [];
    const hold = (name: string) =>
      withFileLock(lock, 5_000, async () => {
        events.push(`${name} in`);
        await Bun.sleep(150);
        events.push(`${name} out`);
      });
    await Promise.all([hold("a"), hold("b")]);
    expect(events).toEqual(["a in", "a out", "b in", "b out"]);
    expect(existsSync(lock)).toBe(false);
  });

  test("takes over a lock left by a process that has died", async () => {
    const lock = join(dir, "stale.lock");
    const dead = Bun.spawnSync(["true"]).pid; // exited and reaped: no process has this pid now
    writeFileSync(lock, String(dead));
    const started = performance.now();
    expect(await withFileLock(lock, 5_000, async () => "got it")).toBe("got it");
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  test("gives up after its timeout while a live process holds it", async () => {
    const lock = join(dir, "held.lock");
    writeFileSync(lock, String(process.pid));
    await expect(withFileLock(lock, 300, async () => "never")).rejects.toThrow(
      `timed out after 300 ms waiting for ${lock}`,
    );
  });

  test("is released when the work throws", async () => {
    const lock = join(dir, "throws.lock");
    await expect(
      withFileLock(lock, 1_000, async () => {
        throw new Error("build broke");
      }),
    ).rejects.toThrow("build broke");
    expect(existsSync(lock)).toBe(false);
  });
});
