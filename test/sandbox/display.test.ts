import { describe, expect, test } from "bun:test";
import { formatLive, formatMs, formatRow, mark, nameOf, shortKey } from "../../scripts/sandbox/display.ts";

describe("what the sandbox prints", () => {
  test.each([
    ["kv secret/app/db", "secret/app/db"],
    ["kv team-a/kv/x", "team-a/kv/x"],
    ["policy ops", "policy ops"],
  ])("key %p is shown as %p", (key, shown) => {
    expect(shortKey(key)).toBe(shown);
  });

  test.each([
    ["written", "✓"],
    ["deleted", "✓"],
    ["unchanged", "✓"],
    ["failed", "✗"],
    ["retry", "↻"],
    ["skipped", "–"],
    ["not seen yet", "…"],
  ])("result %p is marked %p", (result, shown) => {
    expect(mark(result)).toBe(shown);
  });

  test.each([
    [0.4, "<1 ms"],
    [4.26, "4 ms"],
    [999.4, "999 ms"],
    [1530, "1.5 s"],
  ])("%p ms reads %p", (ms, shown) => {
    expect(formatMs(ms)).toBe(shown);
  });

  test("a convergence row lines up the key and gives each destination its mark and time", () => {
    const row = formatRow("secret/app/db", 16, [
      { destination: "dest-1", result: "written", ms: 4.2, note: "after 1 retry" },
      { destination: "dest-2", result: "not seen yet" },
    ]);
    expect(row).toBe("  secret/app/db    → dest-1 ✓ 4 ms (after 1 retry), dest-2 … not seen yet");
  });

  test("a live line says when, which key, and what each destination did", () => {
    const at = new Date(2025, 0, 1, 12, 3, 4);
    const line = formatLive(
      at,
      "kv/hello",
      [
        { destination: "dest-1", result: "deleted" },
        { destination: "dest-2", result: "retry" },
      ],
      10,
    );
    expect(line).toBe("  12:03:04  kv/hello → dest-1 ✓ deleted, dest-2 ↻ retry · 10 ms");
  });

  test("destinations are named by the sandbox, and an unknown address is shown as it is", () => {
    const destinations = [{ name: "dest-1", address: "http://127.0.0.1:8202" }];
    expect(nameOf(destinations, "http://127.0.0.1:8202")).toBe("dest-1");
    expect(nameOf(destinations, "http://127.0.0.1:9999")).toBe("http://127.0.0.1:9999");
  });
});
