// The progress of a long pass: a line redrawn on a terminal, a log line elsewhere, and nothing
// for a pass that ends quickly.
import { describe, expect, test } from "bun:test";
import { type PassCounts, passCounts, progressLine, reportProgress } from "../../src/observe/progress.ts";
import { captureLogs } from "../support/log-capture.ts";

const counts = (walked: number, done: number, errors: number, walkEnded: boolean): PassCounts => ({
  walked,
  done,
  errors,
  walkEnded,
});

describe("progressLine", () => {
  test.each([
    [counts(1200, 900, 0, false), 2000, "walking: 1,200 keys, 900 done, 450/s, 0 errors"],
    [counts(2250, 900, 1, true), 2000, "[########------------] 40% 900/2,250 keys, 450/s, 1 error, ~3s left"],
    [
      counts(100_000, 10_000, 0, true),
      10_000,
      "[##------------------] 10% 10,000/100,000 keys, 1,000/s, 0 errors, ~1m30s left",
    ],
    [counts(10, 0, 0, true), 1000, "[--------------------] 0% 0/10 keys, 0/s, 0 errors"],
  ])("%p after %p ms → %p", (c, ms, line) => {
    expect(progressLine(c, ms)).toBe(line);
  });
});

describe("reportProgress", () => {
  test("on a terminal, redraws one line in place while the pass runs, and clears it at the end", async () => {
    const written: string[] = [];
    const c = passCounts();
    const progress = reportProgress(c, {
      terminal: { write: (text: string) => written.push(text), columns: 120 },
      firstAfterMs: 30,
      redrawEveryMs: 10,
    });
    c.walked = 40;
    c.done = 10;
    await Bun.sleep(80);
    c.walkEnded = true;
    await Bun.sleep(40);
    progress.stop();
    const lines = written.filter((w) => w.length > "\r\x1b[K".length);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines[0]).toStartWith("\r\x1b[Kwalking: 40 keys, 10 done, ");
    expect(lines.at(-1)).toStartWith("\r\x1b[K[#####---------------] 25% 10/40 keys, ");
    expect(written.at(-1)).toBe("\r\x1b[K");
  });

  test("says nothing for a pass that ends before the first report is due", async () => {
    const written: string[] = [];
    const captured = captureLogs();
    const c = counts(5, 5, 0, true);
    const onTerminal = reportProgress(c, {
      terminal: { write: (t: string) => written.push(t) },
      redrawEveryMs: 10,
    });
    const inLog = reportProgress(c, { log: captured.log, logEveryMs: 10 });
    await Bun.sleep(60);
    onTerminal.stop();
    inLog.stop();
    expect(written).toEqual([]);
    expect(captured.lines).toEqual([]);
  });

  test("off a terminal, logs the keys, rate and errors at each interval", async () => {
    const captured = captureLogs();
    const c = counts(300, 120, 2, false);
    const progress = reportProgress(c, {
      log: captured.log,
      fields: { reason: "start-up" },
      firstAfterMs: 0,
      logEveryMs: 40,
    });
    await Bun.sleep(100);
    progress.stop();
    const records = captured.records();
    expect(records.length).toBeGreaterThanOrEqual(1);
    expect(records.length).toBeLessThanOrEqual(3);
    expect(records[0]).toMatchObject({
      msg: "reconcile pass progress",
      reason: "start-up",
      keys: 300,
      done: 120,
      errors: 2,
    });
    expect(records[0]!.rate).toBeGreaterThan(0);
  });
});
