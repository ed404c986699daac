import { describe, expect, test } from "bun:test";
import { toReport } from "../../scripts/bench/lib/reconcile-adapter.ts";
import { formatNumber } from "../../scripts/bench/lib/report-table.ts";
import { parseSuiteArgs } from "../../scripts/bench/lib/runner.ts";
import { median, percentile, summarize } from "../../scripts/bench/lib/stats.ts";
import { perUnit, threadCpu } from "../../scripts/bench/lib/thread-cpu.ts";
import { parseRows } from "../../scripts/bench/lib/udp-stats.ts";
import { toVerifiedReport } from "../../scripts/bench/lib/verified-passes-adapter.ts";
import { highestClean, type Step } from "../../scripts/bench/udp-loss.ts";

describe("statistics", () => {
  test.each([
    [[3, 1, 2], 2],
    [[1, 2, 3, 4], 2.5],
    [[7], 7],
  ])("the median of %j is %p", (values, expected) => {
    expect(median(values)).toBe(expected);
  });

  test.each([
    [0.5, 50],
    [0.99, 99],
    [1, 100],
    [0, 1],
  ])("percentile %p of 1…100 is %p", (q, expected) => {
    expect(
      percentile(
        Array.from({ length: 100 }, (_, i) => i + 1),
        q,
      ),
    ).toBe(expected);
  });

  test("a summary gives the count, the median, the 99th percentile and the largest", () => {
    expect(summarize([5, 1, 3])).toEqual({ count: 3, p50: 3, p99: 5, max: 5 });
  });
});

describe("the runner's arguments", () => {
  test.each([
    [[], { quick: false, only: [], out: "dist/bench/results.json" }],
    [["--quick"], { quick: true, only: [], out: "dist/bench/results.json" }],
    [["--only", "ingest,dedup"], { quick: false, only: ["ingest", "dedup"], out: "dist/bench/results.json" }],
    [
      ["--only", "ingest", "--only", "dedup", "--out", "x.json"],
      { quick: false, only: ["ingest", "dedup"], out: "x.json" },
    ],
  ])("%j reads as %j", (argv, expected) => {
    expect(parseSuiteArgs(argv)).toEqual(expected);
  });

  test("an unknown flag is refused rather than ignored", () => {
    expect(() => parseSuiteArgs(["--quik"])).toThrow();
  });
});

describe("table cells", () => {
  test.each([
    [123456.7, "123,457"],
    [4.256, "4.26"],
    [Number.NaN, "-"],
  ])("%p prints as %p", (value, text) => {
    expect(formatNumber(value)).toBe(text);
  });
});

describe("UDP loss steps", () => {
  const step = (target: number, drops = 0, achieved = target, drained = true): Step => ({
    target,
    achieved,
    sent: target,
    drops,
    drained,
  });

  test.each([
    ["every step clean", [step(10_000), step(20_000)], 20_000],
    ["loss at the second step", [step(10_000), step(20_000, 5)], 10_000],
    ["the sender fell behind", [step(10_000), step(20_000, 0, 15_000)], 10_000],
    ["the reader never caught up", [step(10_000, 0, 10_000, false)], 0],
    ["loss at once", [step(10_000, 1)], 0],
  ])("the highest clean rate when %s", (_, steps, expected) => {
    expect(highestClean(steps)).toBe(expected);
  });

  test("the kernel's drop counter and queue are read for one port, summed over its sockets", () => {
    const table = [
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops",
      " 12: 0100007F:9C40 00000000:0000 07 00000000:00000200 00:00000000 00000000     0        0 4242 2 0000000000000000 3",
      " 13: 0100007F:9C41 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4243 2 0000000000000000 9",
      " 14: 0100007F:9C40 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4244 2 0000000000000000 1",
    ].join("\n");
    expect(parseRows(table, 0x9c40)).toEqual({ drops: 4, queued: 512 });
    expect(parseRows(table, 1)).toBeUndefined();
  });
});

describe("reconciliation figures", () => {
  const pass = (name: string, seconds: number, writes: number) => ({
    name,
    seconds,
    requests: { source: 20_000, east: 20_000, west: 20_000, total: 60_000 },
    writes: { east: writes, west: writes },
  });

  test("the first pass is held to 10 s for 10,000 keys and the last to writing only what differs", () => {
    const report = toReport({
      keys: 10_000,
      differ: 1_000,
      figures: [
        pass("courier sync, nothing differs", 4.2, 0),
        pass("ceiling: bare fetch, the same reads", 2.1, 0),
        pass("courier sync, 1000 of 10000 differ", 5.5, 1_001),
      ],
    });
    const [first, bare, last] = report.figures;
    expect(first).toMatchObject({ value: 4.2, unit: "s", ceiling: 2.1, ratio: 0.5, met: true });
    expect(bare?.goal).toBeUndefined();
    expect(last).toMatchObject({ goal: "writes only the 1000 differing keys per destination", met: false });
  });
});

describe("verified-pass figures", () => {
  const run = (id: string, perKey: number, peakMB: number) => ({
    id,
    name: id,
    seconds: 10,
    exitCode: 0,
    requests: { source: 0, east: 0, west: 0 },
    perKey,
    peakMB,
  });

  test("requests per key against one metadata read per Vault, and the largest peak of any pass against 200 MB", () => {
    const report = toVerifiedReport({
      keys: 100_000,
      ceilingPerKey: 3,
      repaired: false,
      runs: [
        run("first", 6.02, 180),
        run("second", 3.01, 150),
        run("third", 3.01, 152),
        run("deep", 6.01, 230),
        run("repaired", 3.01, 151),
      ],
    });
    const byName = Object.fromEntries(report.figures.map((f) => [f.name, f]));
    expect(byName["second pass (trusts the record)"]).toMatchObject({ value: 3.01, ceiling: 3, met: true });
    expect(byName["pass with --deep (reads all data)"]?.goal).toBeUndefined();
    // The change was not repaired: the pass missed its goal however few requests it made.
    expect(byName["pass after a value changed by hand on a destination"]?.met).toBe(false);
    expect(byName["peak resident memory, largest of the passes"]).toMatchObject({
      value: 230,
      unit: "MB",
      goal: "≤ 200 MB",
      met: false,
    });
  });
});

describe("CPU by thread", () => {
  test("this process's threads are read from /proc on Linux, its own as main; nothing elsewhere", () => {
    const split = threadCpu(process.pid);
    if (process.platform !== "linux") {
      expect(split.size).toBe(0);
      return;
    }
    expect(split.has("main")).toBe(true);
    expect(split.get("main")).toBeGreaterThan(0);
  });

  test("per unit of work: each thread's CPU ms between two readings, the idle ones left out, busiest first", () => {
    const before = new Map([
      ["main", 1],
      ["Worker", 2],
      ["HTTP Client", 0.5],
    ]);
    const after = new Map([
      ["main", 1.5],
      ["Worker", 4],
      ["HTTP Client", 0.5],
      ["JITWorker", 0.25],
    ]);
    expect(Object.entries(perUnit(before, after, 1_000))).toEqual([
      ["Worker", 2],
      ["main", 0.5],
      ["JITWorker", 0.25],
    ]);
  });

  test("a process that is gone reads as no threads", () => {
    expect(threadCpu(2 ** 22 + 17).size).toBe(0);
  });
});
