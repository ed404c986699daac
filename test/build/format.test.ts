import { describe, expect, test } from "bun:test";
import { formatBytes, formatMs, table } from "../../scripts/build/format.ts";

describe("build output text", () => {
  test.each([
    [0, "0 B"],
    [1023, "1023 B"],
    [1024, "1.0 KiB"],
    [109_213_872, "104.2 MiB"],
    [3 * 1024 ** 3, "3.0 GiB"],
  ])("%d bytes read as %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  test.each([
    [87.2, "87 ms"],
    [999, "999 ms"],
    [1234.5, "1.2 s"],
    [45_600, "45.6 s"],
  ])("%d ms reads as %s", (ms, text) => {
    expect(formatMs(ms)).toBe(text);
  });

  test("a table pads each column to its widest cell and rules off the header", () => {
    expect(
      table(
        ["target", "size"],
        [
          ["linux-x64", "104.2 MiB"],
          ["darwin-arm64", "85.0 MiB"],
        ],
      ),
    ).toBe(
      [
        "target        size",
        "------------  ---------",
        "linux-x64     104.2 MiB",
        "darwin-arm64  85.0 MiB",
      ].join("\n"),
    );
  });
});
