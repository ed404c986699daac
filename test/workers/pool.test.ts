import { afterEach, describe, expect, test } from "bun:test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WorkerPool } from "../../src/workers/pool.ts";

type Task =
  | { op: "echo"; value: string }
  | { op: "sleep"; ms: number; value: string }
  | { op: "die-once"; marker: string }
  | { op: "ask"; question: string };

const url = new URL("./fixtures/echo.worker.ts", import.meta.url);
let pool: WorkerPool<{ prefix: string }, Task, string> | undefined;

afterEach(async () => {
  await pool?.stop();
  pool = undefined;
});

describe("worker pool", () => {
  test("runs tasks in workers after sending them their init", async () => {
    pool = new WorkerPool({ url, size: 2, init: { prefix: "p:" } });
    const results = await Promise.all(["a", "b", "c"].map((value) => pool!.run({ op: "echo", value })));
    expect(results).toEqual(["p:a", "p:b", "p:c"]);
  });

  test("runs many tasks at once in one worker", async () => {
    pool = new WorkerPool({ url, size: 1, init: { prefix: "" } });
    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => pool!.run({ op: "sleep", ms: 100, value: String(i) })),
    );
    expect(results).toHaveLength(20);
    // Twenty 100 ms waits done one after another would take two seconds.
    expect(performance.now() - started).toBeLessThan(1500);
  });

  test("replaces a worker that dies and re-runs the task it held", async () => {
    const crashes: number[] = [];
    pool = new WorkerPool({
      url,
      size: 1,
      init: { prefix: "" },
      onCrash: (info) => crashes.push(info.tasks),
    });
    const marker = join(mkdtempSync(join(tmpdir(), "courier-pool-")), "marker");
    expect(await pool.run({ op: "die-once", marker })).toBe("survived");
    expect(crashes).toEqual([1]);
    expect(await pool.run({ op: "echo", value: "after" })).toBe("after");
  });

  test("broadcast reaches every worker running", async () => {
    pool = new WorkerPool({ url, size: 2, init: { prefix: "old:" } });
    await Promise.all([
      pool.run({ op: "sleep", ms: 50, value: "" }),
      pool.run({ op: "sleep", ms: 50, value: "" }),
    ]);
    expect(pool.workers).toBe(2);
    pool.broadcast("new:");
    const results = await Promise.all([
      pool.run({ op: "echo", value: "x" }),
      pool.run({ op: "echo", value: "y" }),
    ]);
    expect(results).toEqual(["new:x", "new:y"]);
  });

  test("answers each worker's questions from the main thread", async () => {
    pool = new WorkerPool({
      url,
      size: 2,
      init: { prefix: "" },
      answer: async (question) => `answer to ${String(question)}`,
    });
    const results = await Promise.all(["a", "b", "c"].map((question) => pool!.run({ op: "ask", question })));
    expect(results).toEqual(["answer to a", "answer to b", "answer to c"]);
  });

  test("starts no worker before the first task, and one per task while none is free", async () => {
    pool = new WorkerPool({ url, size: 3, init: { prefix: "" } });
    expect(pool.workers).toBe(0);
    expect(await pool.run({ op: "echo", value: "first" })).toBe("first");
    expect(pool.workers).toBe(1);
    // The free worker takes the next task; two at once need a second one.
    await pool.run({ op: "echo", value: "again" });
    expect(pool.workers).toBe(1);
    await Promise.all([
      pool.run({ op: "sleep", ms: 50, value: "" }),
      pool.run({ op: "sleep", ms: 50, value: "" }),
    ]);
    expect(pool.workers).toBe(2);
  });

  test("ends workers left without a task, and starts one again for the next task", async () => {
    const crashes: unknown[] = [];
    pool = new WorkerPool({
      url,
      size: 2,
      init: { prefix: "p:" },
      idleMs: 200,
      onCrash: (c) => crashes.push(c),
    });
    await Promise.all([
      pool.run({ op: "sleep", ms: 50, value: "a" }),
      pool.run({ op: "sleep", ms: 50, value: "b" }),
    ]);
    expect(pool.workers).toBe(2);
    await Bun.sleep(500);
    expect(pool.workers).toBe(0);
    expect(await pool.run({ op: "echo", value: "later" })).toBe("p:later");
    expect(pool.workers).toBe(1);
    // Ending an idle worker is no crash.
    expect(crashes).toEqual([]);
  });

  test("a busy worker is not ended for idleness", async () => {
    pool = new WorkerPool({ url, size: 1, init: { prefix: "" }, idleMs: 100 });
    await pool.run({ op: "echo", value: "warm" });
    // Idle for 50 ms, then busy for 300: longer than idleMs, but never idle that long.
    await Bun.sleep(50);
    expect(await pool.run({ op: "sleep", ms: 300, value: "slow" })).toBe("slow");
    expect(pool.workers).toBe(1);
  });

  test("rejects tasks after it is stopped", async () => {
    pool = new WorkerPool({ url, size: 1, init: { prefix: "" } });
    await pool.stop();
    expect(pool.run({ op: "echo", value: "late" })).rejects.toThrow("stopped");
  });
});
