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

  test("broadcast reaches every worker", async () => {
    pool = new WorkerPool({ url, size: 2, init: { prefix: "old:" } });
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

  test("rejects tasks after it is stopped", async () => {
    pool = new WorkerPool({ url, size: 1, init: { prefix: "" } });
    await pool.stop();
    expect(pool.run({ op: "echo", value: "late" })).rejects.toThrow("stopped");
  });
});
