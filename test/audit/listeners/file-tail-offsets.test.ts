import { describe, expect, test } from "bun:test";
import { offsetFileName, parseOffsetRecord } from "../../../src/audit/listeners/file-offsets.ts";

const PATH = "/var/log/vault/audit.log";
const file = { dev: "64768", ino: "1201", offset: 4096 };

describe("saved offset records", () => {
  test.each([
    ["a current file", { version: 1, path: PATH, files: [file] }, { path: PATH, files: [file] }],
    ["nothing followed yet", { version: 1, path: PATH, files: [] }, { path: PATH, files: [] }],
    [
      "a rotated file still drained",
      { version: 1, path: PATH, files: [file, { dev: "64768", ino: "977", offset: 0 }] },
      { path: PATH, files: [file, { dev: "64768", ino: "977", offset: 0 }] },
    ],
    ["another path's record", { version: 1, path: "/var/log/other.log", files: [file] }, undefined],
    ["a later version", { version: 2, path: PATH, files: [file] }, undefined],
    ["a negative offset", { version: 1, path: PATH, files: [{ ...file, offset: -1 }] }, undefined],
    ["a fractional offset", { version: 1, path: PATH, files: [{ ...file, offset: 1.5 }] }, undefined],
    ["an inode as a number", { version: 1, path: PATH, files: [{ ...file, ino: 1201 }] }, undefined],
    ["no files list", { version: 1, path: PATH }, undefined],
  ])("reads %s", (_, record, expected) => {
    expect(parseOffsetRecord(JSON.stringify(record), PATH)).toEqual(expected);
  });

  test.each([["{not json"], ["null"], ["[]"], [""]])("rejects %j", (text) => {
    expect(parseOffsetRecord(text, PATH)).toBeUndefined();
  });

  test("names each followed path's record file apart, the same way every time", () => {
    expect(offsetFileName(PATH)).toBe(offsetFileName(PATH));
    expect(offsetFileName(PATH)).not.toBe(offsetFileName("/var/log/vault/audit-2.log"));
    expect(offsetFileName(PATH)).toMatch(/^file-offset-[0-9a-f]{16}\.json$/);
  });
});
