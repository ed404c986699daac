// Go-compatible printing and parsing, as tables.
import { describe, expect, test } from "bun:test";
import {
  goDuration,
  multierror,
  parseDurationSeconds,
  parseGoBool,
  rfc3339Nano,
  weakBool,
  weakInt,
} from "./go-format.ts";

describe("goDuration prints whole seconds like time.Duration.String()", () => {
  test.each([
    [0, "0s"],
    [1, "1s"],
    [59, "59s"],
    [60, "1m0s"],
    [90, "1m30s"],
    [3600, "1h0m0s"],
    [5400, "1h30m0s"],
    [2764800, "768h0m0s"],
    [-1, "-1s"],
  ])("%p → %p", (seconds, text) => {
    expect(goDuration(seconds)).toBe(text);
  });
});

describe("parseDurationSeconds reads what parseutil.ParseDurationSecond reads", () => {
  test.each([
    [3600, 3600],
    ["3600", 3600],
    ["1h", 3600],
    ["1h30m", 5400],
    ["90s", 90],
    ["1.5h", 5400],
    ["1d", 86400],
    ["500ms", 0],
    ["", 0],
    [null, 0],
    ["-1s", -1],
    ["abc", undefined],
    ["1x", undefined],
    [{}, undefined],
  ])("%p → %p", (input, seconds) => {
    expect(parseDurationSeconds(input)).toBe(seconds as number | undefined);
  });
});

describe("rfc3339Nano trims trailing zeros like Go", () => {
  test.each([
    [1700000000000, 0, "2023-11-14T22:13:20Z"],
    [1700000000123, 0, "2023-11-14T22:13:20.123Z"],
    [1700000000123, 456000, "2023-11-14T22:13:20.123456Z"],
    [1700000000000, 1, "2023-11-14T22:13:20.000000001Z"],
  ])("(%p, %p) → %p", (ms, nanos, text) => {
    expect(rfc3339Nano(ms, nanos)).toBe(text);
  });
});

describe("multierror wraps errors the way go-multierror prints them", () => {
  test.each([
    ["permission denied", "1 error occurred:\n\t* permission denied\n\n"],
    [["a", "b"], "2 errors occurred:\n\t* a\n\t* b\n\n"],
  ])("%p → %p", (input, text) => {
    expect(multierror(input)).toBe(text);
  });
});

describe("weak decoding like mapstructure.WeakDecode", () => {
  test.each([
    [3, 3],
    ["3", 3],
    [true, 1],
    [2.7, 2],
    ["", 0],
    ["0x10", 16],
    ["x", undefined],
    [[1], undefined],
  ])("weakInt(%p) → %p", (input, n) => {
    expect(weakInt(input)).toBe(n as number | undefined);
  });

  test.each([
    [true, true],
    ["true", true],
    ["T", true],
    [1, true],
    [0, false],
    ["", false],
    ["0", false],
    ["yes", undefined],
  ])("weakBool(%p) → %p", (input, b) => {
    expect(weakBool(input)).toBe(b as boolean | undefined);
  });

  test.each([
    ["1", true],
    ["FALSE", false],
    ["False", false],
    ["no", undefined],
  ])("parseGoBool(%p) → %p", (input, b) => {
    expect(parseGoBool(input)).toBe(b as boolean | undefined);
  });
});
