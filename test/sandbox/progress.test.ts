// The two views of Courier's sync lines: the convergence table of the scripted part and the live
// feed that follows it. Both are fed lines as Courier writes them, on a clock the test moves.
import { describe, expect, test } from "bun:test";
import { ConvergenceTable } from "../../scripts/sandbox/convergence-table.ts";
import type { SyncLine } from "../../scripts/sandbox/courier-lines.ts";
import { LiveFeed } from "../../scripts/sandbox/live-feed.ts";

const DESTINATIONS = [
  { name: "dest-1", address: "http://127.0.0.1:8202" },
  { name: "dest-2", address: "http://127.0.0.1:8204" },
];
const sync = (key: string, port: number, result = "written", ms?: number): SyncLine => ({
  kind: "sync",
  key,
  destination: `http://127.0.0.1:${port}`,
  result,
  ...(ms === undefined ? {} : { ms }),
});

function table() {
  const printed: string[] = [];
  let now = 1000;
  const view = new ConvergenceTable(
    DESTINATIONS,
    (line) => printed.push(line),
    14,
    () => now,
  );
  return { view, printed, advance: (ms: number) => (now += ms) };
}

describe("the convergence table", () => {
  test("prints a key's row once every destination holds it, with the time since its write", () => {
    const { view, printed, advance } = table();
    view.expect("kv secret/app/db");
    advance(4);
    view.see(sync("kv secret/app/db", 8202));
    expect(printed).toEqual([]);
    advance(1);
    view.see(sync("kv secret/app/db", 8204, "unchanged"));
    expect(printed).toEqual(["  secret/app/db  → dest-1 ✓ 4 ms, dest-2 ✓ 5 ms"]);
    expect(view.complete()).toBe(true);
  });

  test("a retry is not yet holding the key; the later success is", () => {
    const { view, printed, advance } = table();
    view.expect("policy ops");
    view.see(sync("policy ops", 8202, "retry"));
    view.see(sync("policy ops", 8204));
    advance(600);
    view.see(sync("policy ops", 8202));
    expect(printed).toEqual(["  policy ops     → dest-1 ✓ 600 ms (after 1 retry), dest-2 ✓ <1 ms"]);
  });

  test("lines for keys the sandbox did not write, and repeats after the row, print nothing", () => {
    const { view, printed } = table();
    view.expect("kv kv/a");
    view.see(sync("kv kv/other", 8202));
    view.see(sync("kv kv/a", 8202));
    view.see(sync("kv kv/a", 8204));
    view.see(sync("kv kv/a", 8204));
    expect(printed).toEqual(["  kv/a           → dest-1 ✓ <1 ms, dest-2 ✓ <1 ms"]);
  });

  test("settle() resolves as soon as the last row prints", async () => {
    const { view } = table();
    view.expect("kv kv/a");
    setTimeout(() => {
      view.see(sync("kv kv/a", 8202));
      view.see(sync("kv kv/a", 8204));
    }, 5);
    const started = performance.now();
    expect(await view.settle(5_000)).toBe(true);
    expect(performance.now() - started).toBeLessThan(1_000);
  });

  test("settle() gives up after its time and prints what is still missing", async () => {
    const { view, printed } = table();
    view.expect("kv kv/a");
    view.see(sync("kv kv/a", 8202, "written"));
    expect(await view.settle(10)).toBe(false);
    expect(printed).toEqual(["  kv/a           → dest-1 ✓ <1 ms, dest-2 … not seen yet"]);
  });
});

describe("the live feed", () => {
  const at = new Date(2025, 0, 1, 12, 0, 5);

  test("joins the destinations of one sync into one line, with Courier's own time", () => {
    const printed: string[] = [];
    const feed = new LiveFeed(
      DESTINATIONS,
      (line) => printed.push(line),
      () => at,
    );
    feed.see(sync("kv secret/app/db", 8202, "written", 3.2));
    feed.see(sync("kv secret/app/db", 8204, "written", 3.2));
    expect(printed).toEqual(["  12:00:05  secret/app/db → dest-1 ✓ written, dest-2 ✓ written · 3 ms"]);
  });

  test("prints a sync that reached only some destinations after a short wait", async () => {
    const printed: string[] = [];
    const feed = new LiveFeed(
      DESTINATIONS,
      (line) => printed.push(line),
      () => at,
    );
    feed.see(sync("policy ops", 8204, "failed"));
    expect(printed).toEqual([]);
    await Bun.sleep(60);
    expect(printed).toEqual(["  12:00:05  policy ops → dest-2 ✗ failed"]);
  });

  test("prints Courier's warnings as they come", () => {
    const printed: string[] = [];
    const feed = new LiveFeed(
      DESTINATIONS,
      (line) => printed.push(line),
      () => at,
    );
    feed.see({ kind: "problem", level: "warn", msg: "sync failed", detail: "permission denied" });
    feed.see({ kind: "problem", level: "error", msg: "an audit line could not be handled" });
    expect(printed).toEqual([
      "  12:00:05  ! sync failed (permission denied)",
      "  12:00:05  ! an audit line could not be handled",
    ]);
  });
});
