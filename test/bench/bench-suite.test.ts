import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnChild } from "../../scripts/bench/lib/child.ts";
import { createPipeline } from "../../scripts/bench/lib/ingest-pipeline.ts";
import { benchMountTable, paddedWrite, writeEntries, writeStream } from "../../scripts/bench/lib/lines.ts";
import { runSuite } from "../../scripts/bench/lib/runner.ts";
import type { Benchmark } from "../../scripts/bench/lib/types.ts";
import { ingestLine } from "../../src/audit/classify.ts";
import { createIngestCounters } from "../../src/audit/counters.ts";
import { listenForAudit } from "../../src/audit/listeners/listen.ts";
import type { NetworkListener } from "../../src/audit/listeners/listener.ts";
import { compileScope } from "../../src/audit/scope.ts";

const dir = mkdtempSync(join(tmpdir(), "courier-bench-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("generated audit lines", () => {
  test("a generated KV v2 write becomes a sync of its key, its request entry is ignored", () => {
    const context = { mounts: benchMountTable(), scope: compileScope({}), counters: createIngestCounters() };
    const { request, response } = writeEntries("apps/a/db", 3, 7);
    expect(ingestLine(request, context)).toEqual({ action: "ignore", reason: "not_response" });
    expect(ingestLine(response, context)).toEqual({
      action: "sync",
      key: { kind: "kv", namespace: "", mount: "secret/", path: "apps/a/db" },
      dataPath: true,
    });
  });

  test("padded entries come out within a few percent of the size asked for", () => {
    const { response } = paddedWrite("load/1", 2048, 1);
    expect(Math.abs(response.length - 2048)).toBeLessThan(100);
  });

  test("a stream holds one request and one response per write plus fixtures, 1 to 2.5 KB each", () => {
    const lines = writeStream(100, 10);
    expect(lines.length).toBeGreaterThanOrEqual(200);
    const pipeline = createPipeline();
    for (const line of lines) pipeline.onLine(line);
    expect(pipeline.accepted).toBeGreaterThanOrEqual(100);
    const generated = lines.filter((l) => l.includes("apps/team-"));
    expect(generated.every((l) => l.length > 1_000 && l.length < 2_500)).toBe(true);
  });
});

describe("the line sender", () => {
  test("plays a file to a TCP listener, every line arriving once", async () => {
    const lines = writeStream(200, 50);
    const file = join(dir, "lines.jsonl");
    writeFileSync(file, `${lines.join("\n")}\n`);
    const received: string[] = [];
    const listener = (await listenForAudit("tcp://127.0.0.1:0", {
      counters: createIngestCounters(),
      allow: ["127.0.0.0/8"],
      onLine: (line) => received.push(line),
    })) as NetworkListener;
    try {
      const sender = spawnChild([
        process.execPath,
        "scripts/bench/lib/send-lines.ts",
        "--transport=tcp",
        `--port=${listener.port}`,
        `--file=${file}`,
        "--repeat=2",
      ]);
      expect(await sender.proc.exited).toBe(0);
      expect(JSON.parse(sender.stdout()).sent).toBe(lines.length * 2);
      const deadline = Date.now() + 5_000;
      while (received.length < lines.length * 2 && Date.now() < deadline) await Bun.sleep(10);
      expect(received).toEqual([...lines, ...lines]);
    } finally {
      await listener.close();
    }
  });
});

describe("the runner", () => {
  test("writes every result as JSON, prints a table, and reports a failing benchmark without stopping", async () => {
    const out = join(dir, "results.json");
    const printed: string[] = [];
    const fine: Benchmark = {
      name: "fine",
      title: "A benchmark that works",
      run: async (options) => ({
        figures: [
          {
            name: "speed",
            value: options.quick ? 1_500 : 3_000,
            unit: "keys/s",
            ceiling: 2_000,
            ratio: 0.75,
            goal: "≥ 0.7",
            met: true,
          },
        ],
        notes: ["measured"],
      }),
    };
    const broken: Benchmark = {
      name: "broken",
      title: "A benchmark that throws",
      run: async () => {
        throw new Error("the double went away");
      },
    };
    const results = await runSuite(
      [broken, fine],
      { quick: true, only: [], out },
      {
        out: (text) => printed.push(text),
        err: () => {},
      },
    );
    expect(results.map((r) => [r.name, r.error === undefined])).toEqual([
      ["broken", false],
      ["fine", true],
    ]);
    const written = JSON.parse(readFileSync(out, "utf8"));
    expect(written.quick).toBe(true);
    expect(written.machine.cores).toBeGreaterThan(0);
    expect(written.results[1].figures[0]).toMatchObject({ name: "speed", value: 1_500, ratio: 0.75 });
    expect(written.results[1].command).toBe("bun scripts/bench/index.ts --only fine --quick");
    const table = printed.join("\n");
    expect(table).toContain("broken  FAILED");
    expect(table).toContain("1,500 keys/s");
    expect(table).toContain("met: ≥ 0.7");
  });

  test("a quick run leaves out a slow benchmark unless it is named", async () => {
    const ran: string[] = [];
    const bench = (name: string, slow: boolean): Benchmark => ({
      name,
      title: name,
      slow,
      run: async () => {
        ran.push(name);
        return { figures: [], notes: [] };
      },
    });
    const all = [bench("short", false), bench("long", true)];
    const quiet = { out: () => {}, err: () => {} };
    await runSuite(all, { quick: true, only: [], out: join(dir, "q.json") }, quiet);
    await runSuite(all, { quick: true, only: ["long"], out: join(dir, "q.json") }, quiet);
    await runSuite(all, { quick: false, only: [], out: join(dir, "q.json") }, quiet);
    expect(ran).toEqual(["short", "long", "short", "long"]);
  });

  test("refuses a benchmark name it does not know, naming the ones it does", async () => {
    const none: Benchmark = { name: "a", title: "a", run: async () => ({ figures: [], notes: [] }) };
    await expect(runSuite([none], { quick: true, only: ["b"], out: join(dir, "x.json") })).rejects.toThrow(
      "unknown benchmark b; known: a",
    );
  });
});
