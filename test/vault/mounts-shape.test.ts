import { describe, expect, test } from "bun:test";
import { kvVersionOf, mountInfo } from "../../src/vault/mounts.ts";

describe("kvVersionOf", () => {
  test.each<[string, Record<string, string>, 1 | 2 | null]>([
    ["kv", { version: "2" }, 2],
    ["kv", { version: "1" }, 1],
    ["kv", {}, 1],
    ["kv", { version: "" }, 1],
    ["generic", {}, 1],
    ["kv-v2", {}, 2],
    ["pki", {}, null],
    ["cubbyhole", {}, null],
  ])("a %s mount with options %j is KV %p", (type, options, version) => {
    expect(kvVersionOf(type, options)).toBe(version);
  });
});

describe("mountInfo", () => {
  test("reads a sys/mounts entry, with null options as none", () => {
    expect(mountInfo("kv/", { type: "kv", description: "old", options: null, accessor: "kv_1" })).toEqual({
      path: "kv/",
      type: "kv",
      description: "old",
      options: {},
      kvVersion: 1,
    });
  });
});
