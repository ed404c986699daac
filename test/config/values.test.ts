import { describe, expect, test } from "bun:test";
import {
  formatDuration,
  formatSize,
  Invalid,
  parseBool,
  parseDuration,
  parseInteger,
  parseSize,
  splitList,
} from "../../src/config/values.ts";

describe("durations are read as Vault writes them", () => {
  test.each([
    ["500ms", 500],
    ["30s", 30_000],
    ["15m", 900_000],
    ["1h", 3_600_000],
    ["1h30m", 5_400_000],
    ["2d", 172_800_000],
    ["1.5s", 1500],
    ["0", 0],
    ["45", 45_000],
    [30, 30_000],
    [" 15m ", 900_000],
  ] as const)("%p is %p ms", (input, ms) => {
    expect(parseDuration(input)).toBe(ms);
  });

  test.each([["15 minutes"], ["m"], ["-5s"], [""], ["1x"], ["1h 30m"], [true], [-1]])(
    "%p is refused",
    (input) => {
      const out = parseDuration(input);
      expect(out).toBeInstanceOf(Invalid);
      expect((out as Invalid).problem).toContain('"500ms", "30s", "15m", "1h30m", or 0');
    },
  );

  test.each([
    [0, "0"],
    [500, "500ms"],
    [900_000, "15m"],
    [5_400_000, "1h30m"],
    [90_061_001, "1d1h1m1s1ms"],
  ])("%p ms is written %p, and reads back the same", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});

describe("sizes are bytes or a number with a unit", () => {
  test.each([
    ["8MiB", 8 * 1024 * 1024],
    ["64KiB", 65_536],
    ["1GiB", 1024 ** 3],
    ["1MB", 1_000_000],
    ["2kb", 2000],
    ["1.5KiB", 1536],
    ["4096", 4096],
    [4096, 4096],
    ["512 B", 512],
  ] as const)("%p is %p bytes", (input, bytes) => {
    expect(parseSize(input)).toBe(bytes);
  });

  test.each([["8 megabytes"], ["MiB"], ["-1"], [1.5], [""], [null]])("%p is refused", (input) => {
    expect(parseSize(input)).toBeInstanceOf(Invalid);
  });

  test.each([
    [8 * 1024 * 1024, "8MiB"],
    [1536, "1536"],
    [65_536, "64KiB"],
    [1000, "1000"],
  ])("%p bytes is written %p", (bytes, text) => {
    expect(formatSize(bytes)).toBe(text);
    expect(parseSize(text)).toBe(bytes);
  });
});

describe("booleans are read as Go's strconv.ParseBool reads them", () => {
  test.each([
    ["true", true],
    ["True", true],
    ["TRUE", true],
    ["t", true],
    ["1", true],
    ["false", false],
    ["False", false],
    ["FALSE", false],
    ["f", false],
    ["0", false],
    [true, true],
    [false, false],
  ] as const)("%p is %p", (input, value) => {
    expect(parseBool(input)).toBe(value);
  });

  test.each([["yes"], ["no"], ["on"], [""], ["tRuE"], [1]])("%p is an error, not a guess", (input) => {
    expect(parseBool(input)).toBeInstanceOf(Invalid);
  });
});

describe("lists come comma-separated or as YAML lists", () => {
  test.each([
    ["a,b,c", ["a", "b", "c"]],
    [" a , b ,, c ", ["a", "b", "c"]],
    ["", []],
    [
      ["x", " y "],
      ["x", "y"],
    ],
    [
      ["x", 3],
      ["x", "3"],
    ],
  ] as const)("%p is %p", (input, list) => {
    expect(splitList(input)).toEqual([...list]);
  });

  test.each([[{ a: 1 }], [[{ a: 1 }]], [5]])("%p is refused", (input) => {
    expect(splitList(input)).toBeInstanceOf(Invalid);
  });
});

describe("whole numbers", () => {
  test.each([
    ["12", 1, 12],
    [12, 1, 12],
    ["0", 0, 0],
  ] as const)("%p (at least %p) is %p", (input, min, value) => {
    expect(parseInteger(input, min)).toBe(value);
  });

  test.each([
    ["1.5", 1],
    ["abc", 1],
    ["0", 1],
    [-3, 0],
    ["", 0],
  ] as const)("%p is refused when at least %p is needed", (input, min) => {
    expect((parseInteger(input, min) as Invalid).problem).toBe(`must be a whole number of at least ${min}`);
  });
});
