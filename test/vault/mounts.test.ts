import { describe, expect, test } from "bun:test";
import { kvVersionOf, mountInfo, parseMountTable } from "../../src/vault/mounts.ts";

describe("kvVersionOf", () => {
  test.each<[string, unknown, 1 | 2 | null]>([
    ["kv", { version: "2" }, 2],
    ["kv", { version: "1" }, 1],
    ["kv", {}, 1],
    ["kv", null, 1],
    ["kv", { version: "" }, 1],
    ["generic", {}, 1],
    ["generic", null, 1],
    // A generic mount tuned to version 2 is served by KV v2.
    ["generic", { version: "2" }, 2],
    // Aliases a request to enable a mount may use; the alias's version wins over the option.
    ["kv-v2", {}, 2],
    ["kv-v1", null, 1],
    ["kv-v1", { version: "2" }, 1],
    ["pki", {}, null],
    ["pki", { version: "2" }, null],
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

describe("parseMountTable", () => {
  test("reads the old shape, with mounts at the top level next to request_id and friends", () => {
    expect(
      parseMountTable({
        "secret/": { type: "kv", options: { version: "2" }, accessor: "kv_1" },
        "sys/": { type: "system", options: null },
        request_id: "r",
        lease_duration: 0,
        renewable: false,
        warnings: null,
      }),
    ).toEqual([
      { path: "secret/", type: "kv", description: "", options: { version: "2" }, kvVersion: 2 },
      { path: "sys/", type: "system", description: "", options: {}, kvVersion: null },
    ]);
  });

  test("reads the data shape, preferring it when Vault sends both", () => {
    expect(
      parseMountTable({
        "stale/": { type: "kv", options: null },
        data: { "kv/": { type: "kv", options: { version: "1" } } },
      }),
    ).toEqual([{ path: "kv/", type: "kv", description: "", options: { version: "1" }, kvVersion: 1 }]);
  });

  test("skips entries that are not mounts", () => {
    expect(
      parseMountTable({ "a/": "text", "b/": { options: {} }, "c/": { type: 7 }, d: { type: "kv" } }),
    ).toEqual([]);
  });

  test("answers null for a body that is not an object", () => {
    expect(parseMountTable([])).toBeNull();
    expect(parseMountTable("<html>")).toBeNull();
  });
});
