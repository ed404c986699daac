import { describe, expect, test } from "bun:test";
import { InMemoryMountTable, kvVersionOf, parseMountsResponse } from "../../src/audit/mount-table.ts";
import { CourierError } from "../../src/errors.ts";

describe("parseMountsResponse", () => {
  test("reads the old shape, with mounts at the top level next to request_id and friends", () => {
    expect(
      parseMountsResponse({
        "secret/": { type: "kv", options: { version: "2" }, accessor: "kv_1" },
        "sys/": { type: "system", options: null },
        request_id: "r",
        lease_duration: 0,
        renewable: false,
        warnings: null,
      }),
    ).toEqual([
      { path: "secret/", type: "kv", kvVersion: 2 },
      { path: "sys/", type: "system", kvVersion: null },
    ]);
  });

  test("reads the data shape, preferring it when Vault sends both", () => {
    expect(
      parseMountsResponse({
        "stale/": { type: "kv", options: null },
        data: { "kv/": { type: "kv", options: { version: "1" } } },
      }),
    ).toEqual([{ path: "kv/", type: "kv", kvVersion: 1 }]);
  });

  test("skips entries that are not mounts", () => {
    expect(
      parseMountsResponse({ "a/": "text", "b/": { options: {} }, "c/": { type: 7 }, d: { type: "kv" } }),
    ).toEqual([]);
  });

  test("refuses an answer that is not an object", () => {
    expect(() => parseMountsResponse([])).toThrow(CourierError);
  });
});

describe("kvVersionOf", () => {
  test.each([
    ["kv", null, 1],
    ["kv", {}, 1],
    ["kv", { version: "" }, 1],
    ["kv", { version: "1" }, 1],
    ["kv", { version: "2" }, 2],
    ["generic", null, 1],
    ["kv-v2", null, 2],
    ["kv-v1", null, 1],
    ["pki", { version: "2" }, null],
    ["cubbyhole", null, null],
  ])("%s with options %j is %p", (type, options, expected) => {
    expect(kvVersionOf(type, options)).toBe(expected as 1 | 2 | null);
  });
});

describe("InMemoryMountTable", () => {
  const table = new InMemoryMountTable();
  table.set("", [
    { path: "a/", type: "kv", kvVersion: 1 },
    { path: "a/b/", type: "kv", kvVersion: 2 },
    { path: "x/y/", type: "pki", kvVersion: null },
  ]);
  table.setFromResponse("team-a/", { data: { "a/": { type: "kv", options: { version: "2" } } } });

  test.each([
    ["", "a/c/d", "a/"],
    ["", "a/b/data/c", "a/b/"],
    ["", "a/bc", "a/"],
    ["", "a", "a/"],
    ["", "a/b", "a/b/"],
    ["", "a/b/data/deep/down/a/secret", "a/b/"],
    ["", "x", undefined],
    ["", "x/y/issue/r", "x/y/"],
    ["", "x/z", undefined],
    ["", "", undefined],
    ["team-a/", "a/b/data/c", "a/"],
    ["team-b/", "a/c", undefined],
  ])("in namespace %p, %p is in mount %p", (namespace, path, mount) => {
    expect(table.lookup(namespace, path)?.path).toBe(mount as string | undefined);
  });

  test("knows which namespaces it holds and lists their mounts", () => {
    expect(table.has("team-a/")).toBe(true);
    expect(table.has("team-b/")).toBe(false);
    expect(table.mounts("").map((m) => m.path)).toEqual(["a/", "a/b/", "x/y/"]);
  });

  test("a refresh replaces a namespace's mounts", () => {
    const t = new InMemoryMountTable();
    t.set("", [{ path: "old/", type: "kv", kvVersion: 1 }]);
    t.setFromResponse("", { "new/": { type: "kv", options: { version: "2" } } });
    expect(t.lookup("", "old/k")).toBeUndefined();
    expect(t.lookup("", "new/data/k")).toEqual({ path: "new/", type: "kv", kvVersion: 2 });
  });
});
